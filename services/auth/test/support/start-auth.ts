import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@warren/shared/logging';
import { serviceEnv, testConfig } from '@warren/shared/testing';
import { type AuthService, loadConfig, startAuthService } from '../../src/index.ts';

/** A running auth service on a free port, in the test run's vhost and database. */
export interface TestAuth {
  service: AuthService;
  baseUrl: string;
  dataDir: string;
  /** POSTs JSON and returns status, headers and parsed body. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  /** GETs and returns status, headers and parsed body. */
  get(path: string, headers?: Record<string, string>): Promise<TestResponse>;
}

/** An HTTP answer with its JSON body parsed (undefined when empty). */
export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field.
  body: any;
}

async function call(url: string, init: RequestInit): Promise<TestResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Starts auth with fast bcrypt, no registration limit and a fresh data folder; `env` overrides any variable. */
export async function startTestAuth(env: Record<string, string> = {}): Promise<TestAuth> {
  const test = testConfig();
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'warren-auth-'));
  // As the vhost's administrator: the tests unbind and rebind the queues of user events around it.
  const config = loadConfig(serviceEnv('auth', { RABBITMQ_URL: test.rabbitmqUrl, DATA_DIR: dataDir, ...env }));
  const service = await startAuthService(config, createLogger({ service: 'auth', level: test.logLevel }));
  const baseUrl = `http://127.0.0.1:${service.port}`;
  return {
    service,
    baseUrl,
    dataDir,
    post: (path, body, headers = {}) =>
      call(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (path, headers = {}) => call(`${baseUrl}${path}`, { headers }),
  };
}

/** A username no other test uses. */
export function uniqueUsername(prefix = 'user'): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}
