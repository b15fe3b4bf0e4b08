// The web client's build and its one-origin server. `npm start` and the browser tests call
// `webConfig()` with Vite's `build()` and `preview()`; `npx vite build` in web/ uses the default
// export. Compose serves the same build through nginx (web/nginx.conf), which routes the same paths.
import { fileURLToPath } from 'node:url';
import { defineConfig, type ProxyOptions, type UserConfig } from 'vite';

/** Where the one origin sends the services' paths. */
export interface Upstreams {
  /** Base URL of services/auth, for `/auth/…`. */
  readonly auth: string;
  /** Base URL of services/chat-api, for `/api/…`. */
  readonly chatApi: string;
  /** Base URL of services/ws-gateway, for the WebSocket on `/ws`. */
  readonly wsGateway: string;
}

/** The services' default ports on one machine (OPERATIONS.md). */
export const DEFAULT_UPSTREAMS: Upstreams = {
  auth: 'http://127.0.0.1:3001',
  chatApi: 'http://127.0.0.1:3002',
  wsGateway: 'http://127.0.0.1:3003',
};

/** Options of {@link webConfig}. */
export interface WebConfigOptions {
  /** Where the proxied paths go. @defaultValue {@link DEFAULT_UPSTREAMS} */
  upstreams?: Upstreams;
  /** The preview server's port; 0 takes any free one. @defaultValue 8080 */
  port?: number;
  /** The preview server's address. @defaultValue 127.0.0.1 */
  host?: string;
  /** Where the build goes and the preview server reads from. @defaultValue web/dist */
  outDir?: string;
}

/** The folder of this file: the web client's root, wherever Vite is started from. */
const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Vite's configuration for the web client: Preact's JSX through Vite's own transform (no plugin),
 * and a preview server that serves the build and proxies `/auth`, `/api` and `/ws` (a WebSocket),
 * so the browser sees one origin exactly as behind nginx.
 */
export function webConfig(options: WebConfigOptions = {}): UserConfig & { configFile: false } {
  const upstreams = options.upstreams ?? DEFAULT_UPSTREAMS;
  // Anchored patterns: `/auth` must not also take `/authors`, nor `/ws` take `/wsx`.
  const proxy: Record<string, ProxyOptions> = {
    '^/auth/': { target: upstreams.auth },
    '^/api/': { target: upstreams.chatApi },
    '^/ws(\\?.*)?$': { target: upstreams.wsGateway, ws: true },
  };
  return {
    // Callers pass everything; a vite.config.ts found on disk must not be merged in again.
    configFile: false,
    root,
    logLevel: 'warn',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: { outDir: options.outDir ?? 'dist', emptyOutDir: true },
    server: { proxy },
    preview: { host: options.host ?? '127.0.0.1', port: options.port ?? 8080, strictPort: true, proxy },
  };
}

export default defineConfig(webConfig());
