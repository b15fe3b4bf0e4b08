import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreviewServer } from 'vite';
import { freePort } from '../../../test/support/free-port.ts';
import { TestWarren } from '../../../test/support/warren.ts';

/** The shortest access token auth allows: the tests live through renewals, as a long chat would. */
export const ACCESS_TOKEN_TTL_SEC = 30;

/** Every part of Warren a browser talks to, behind one Vite preview origin. */
export interface WebStack {
  /** The origin the browsers open, `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Warren's services, each a process of its own. */
  readonly warren: TestWarren;
  stop(): Promise<void>;
}

/**
 * Starts Warren's four services against the run's vhost and database (a {@link TestWarren}), builds
 * the web client once, and serves it with Vite's preview server proxying `/auth`, `/api` and `/ws`
 * to them.
 */
export async function startWebStack(): Promise<WebStack> {
  const outDir = mkdtempSync(join(tmpdir(), 'warren-web-dist-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let warren: TestWarren | undefined;
  let server: PreviewServer | undefined;
  const stop = async () => {
    await server?.close();
    await warren?.stop();
    rmSync(outDir, { recursive: true, force: true });
  };
  try {
    warren = await TestWarren.start({
      env: {
        auth: {
          ACCESS_TOKEN_TTL_SEC: String(ACCESS_TOKEN_TTL_SEC),
          // Every browser signs up from 127.0.0.1, through the one proxy: far more than a person would.
          REGISTER_MAX_PER_ADDRESS: '1000',
        },
        'ws-gateway': { ALLOWED_ORIGINS: origin },
        'chat-api': {
          // A user whose last page closed is offline after a second, not the 5 s a flaky network is given.
          PRESENCE_OFFLINE_DELAY_MS: '1000',
          // Nobody goes offline during the warm-up after chat-api starts; the browsers come after
          // the gateway's first report, and the suite's first test follows the stack's start closely.
          PRESENCE_WARMUP_MS: '1000',
        },
      },
    });

    // Imported here, not at the top: mocha loads test files through tsx's require hook, and Vite
    // loaded that way gets a second copy of rolldown whose built-in plugins the first one does not
    // recognise (the build then fails to resolve `vite/modulepreload-polyfill`).
    const [{ build, preview }, { webConfig }] = await Promise.all([import('vite'), import('../../vite.config.ts')]);
    // Silent: the proxy logs every socket a closing browser context resets, which is expected here.
    await build({ ...webConfig({ outDir }), logLevel: 'silent' });
    server = await preview({
      ...webConfig({
        outDir,
        port,
        upstreams: { auth: warren.authUrl, chatApi: warren.chatUrl, wsGateway: warren.gateway.url },
      }),
      logLevel: 'silent',
    });
    return { origin, warren, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
