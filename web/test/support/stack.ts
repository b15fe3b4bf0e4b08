import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthService, loadConfig as loadAuthConfig, startAuthService } from '@warren/auth';
import { type ChatApiService, loadConfig as loadChatApiConfig, startChatApiService } from '@warren/chat-api';
import { loadConfig as loadPersisterConfig, type PersisterService, startPersisterService } from '@warren/persister';
import { createLogger } from '@warren/shared/logging';
import { serviceEnv, testConfig } from '@warren/shared/testing';
import { loadConfig as loadGatewayConfig, startWsGatewayService, type WsGatewayService } from '@warren/ws-gateway';
import type { PreviewServer } from 'vite';
import { freePort } from '../../../test/support/free-port.ts';

/** The shortest access token auth allows: the tests live through renewals, as a long chat would. */
export const ACCESS_TOKEN_TTL_SEC = 30;

/** Every part of Warren a browser talks to, in this process, behind one Vite preview origin. */
export interface WebStack {
  /** The origin the browsers open, `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly auth: AuthService;
  readonly chatApi: ChatApiService;
  readonly persister: PersisterService;
  readonly gateway: WsGatewayService;
  stop(): Promise<void>;
}

/**
 * Starts auth, chat-api, the persister and the ws-gateway against the run's vhost and database,
 * each as its own least-privilege AMQP user, builds the web client once, and serves it with Vite's
 * preview server proxying `/auth`, `/api` and `/ws` to them.
 */
export async function startWebStack(): Promise<WebStack> {
  const test = testConfig();
  const logger = (service: string) => createLogger({ service, level: test.logLevel });
  const authDir = mkdtempSync(join(tmpdir(), 'warren-web-auth-'));
  const outDir = mkdtempSync(join(tmpdir(), 'warren-web-dist-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step();
    rmSync(authDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  };
  try {
    const auth = await startAuthService(
      loadAuthConfig(
        serviceEnv('auth', {
          DATA_DIR: authDir,
          ACCESS_TOKEN_TTL_SEC: String(ACCESS_TOKEN_TTL_SEC),
          // Every browser signs up from 127.0.0.1, through the one proxy: far more than a person would.
          REGISTER_MAX_PER_ADDRESS: '1000',
        }),
      ),
      logger('auth'),
    );
    stops.push(() => auth.stop());
    const authUrl = `http://127.0.0.1:${auth.port}`;
    const chatApi = await startChatApiService(
      loadChatApiConfig(serviceEnv('chat-api', { AUTH_URL: authUrl })),
      logger('chat-api'),
    );
    stops.push(() => chatApi.stop());
    const persister = await startPersisterService(loadPersisterConfig(serviceEnv('persister')), logger('persister'));
    stops.push(() => persister.stop());
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const gateway = await startWsGatewayService(
      loadGatewayConfig(serviceEnv('ws-gateway', { AUTH_URL: authUrl, ALLOWED_ORIGINS: origin })),
      logger('ws-gateway'),
    );
    stops.push(() => gateway.stop());

    // Imported here, not at the top: mocha loads test files through tsx's require hook, and Vite
    // loaded that way gets a second copy of rolldown whose built-in plugins the first one does not
    // recognise (the build then fails to resolve `vite/modulepreload-polyfill`).
    const [{ build, preview }, { webConfig }] = await Promise.all([import('vite'), import('../../vite.config.ts')]);
    // Silent: the proxy logs every socket a closing browser context resets, which is expected here.
    await build({ ...webConfig({ outDir }), logLevel: 'silent' });
    const server: PreviewServer = await preview({
      ...webConfig({
        outDir,
        port,
        upstreams: {
          auth: authUrl,
          chatApi: `http://127.0.0.1:${chatApi.port}`,
          wsGateway: `http://127.0.0.1:${gateway.port}`,
        },
      }),
      logLevel: 'silent',
    });
    stops.push(() => server.close());
    return { origin, auth, chatApi, persister, gateway, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
