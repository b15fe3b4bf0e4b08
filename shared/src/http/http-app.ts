import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Registry } from 'prom-client';
import { limits } from '../limits.ts';
import { errorMiddleware, notFoundMiddleware } from './error-middleware.ts';
import { httpMetricsMiddleware } from './metrics.ts';

/** A dependency `/readyz` checks: resolves when it works, rejects or returns false when not. */
export interface ReadinessCheck {
  name: string;
  check: () => boolean | Promise<boolean>;
}

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  logger: Logger;
  /** The service's registry, served at `/metrics`. */
  registry: Registry;
  /** What `/readyz` checks. @defaultValue none: ready while running */
  readiness?: readonly ReadinessCheck[];
  /** Express `trust proxy` hop count (for client addresses behind nginx). @defaultValue 0 */
  trustProxy?: number;
  /** How long one readiness check may take. @defaultValue 2000 */
  readinessTimeoutMs?: number;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check.check), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An express app with what every Warren service has: helmet, request logs with request ids,
 * latency metrics, `/healthz`, `/readyz`, `/metrics`, JSON bodies up to 1 MiB, then the service's
 * routes (added by `mount`), a 404 problem for unknown routes and the problem+json error middleware.
 */
export function createHttpApp(options: HttpAppOptions, mount: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? 0);
  app.use(helmet());
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      // The request line and the answer's status, without the headers: serializing and redacting
      // a whole header object per request was a tenth of chat-api's CPU per post, and what is not
      // logged cannot leak.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(httpMetricsMiddleware(options.registry));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = options.readiness ?? [];
    const results = await Promise.all(checks.map((check) => runCheck(check, options.readinessTimeoutMs ?? 2000)));
    const report = Object.fromEntries(checks.map((check, i) => [check.name, results[i] ? 'ok' : 'failing']));
    const ready = results.every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: report });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.registry.contentType).send(await options.registry.metrics());
  });

  app.use(express.json({ limit: limits.httpBodyBytes, strict: true }));
  mount(app);
  app.use(notFoundMiddleware);
  app.use(errorMiddleware);
  return app;
}
