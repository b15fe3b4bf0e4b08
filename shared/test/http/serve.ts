import type { Express } from 'express';
import {
  createHttpApp,
  createRegistry,
  type HttpAppOptions,
  type RunningServer,
  startHttpServer,
} from '../../src/http/index.ts';
import { createLogger } from '../../src/logging/index.ts';

/** A running app of {@link createHttpApp} on a free port, with a silent logger and its own registry. */
export interface TestApp {
  readonly server: RunningServer;
  /** The app's base URL. */
  readonly url: string;
  readonly options: HttpAppOptions;
}

/** Starts an app of `createHttpApp` with `mount`'s routes; close `server` when done. */
export async function serve(mount: (app: Express) => void, options: Partial<HttpAppOptions> = {}): Promise<TestApp> {
  const fullOptions: HttpAppOptions = {
    logger: createLogger({ service: 'test', level: 'silent' }),
    registry: createRegistry('test'),
    ...options,
  };
  const server = await startHttpServer(createHttpApp(fullOptions, mount), 0);
  return { server, url: `http://127.0.0.1:${server.port}`, options: fullOptions };
}
