import type { Publisher } from '@warren/shared/amqp';
import type { RequestHandler } from 'express';
import { Counter, type Registry } from 'prom-client';

/** How a post of a message was answered (the `result` label of `warren_chat_api_posts_total`). */
export type PostResult = 'accepted' | 'refused' | 'rate_limited' | 'unavailable' | 'failed';

/** How a publish ended for the caller (the `result` label of `warren_chat_api_confirms_total`). */
export type ConfirmResult = 'ok' | 'failed';

/** chat-api's own metrics of the message path (docs/operations.md "Metrics"). */
export interface ChatApiMetrics {
  /** `warren_chat_api_posts_total{result}`. */
  readonly posts: Counter<'result'>;
  /** `warren_chat_api_confirms_total{result}`. */
  readonly confirms: Counter<'result'>;
  /** `warren_chat_api_unavailable_total`. */
  readonly unavailable: Counter;
}

const POST_RESULTS: readonly PostResult[] = ['accepted', 'refused', 'rate_limited', 'unavailable', 'failed'];
const CONFIRM_RESULTS: readonly ConfirmResult[] = ['ok', 'failed'];
/** `POST /sessions/:id/messages`, relative to `/api`. */
const POST_PATH = /^\/sessions\/[^/]+\/messages\/?$/;

/**
 * Creates chat-api's metrics in `registry` (every result at 0, so rates start from a sample) and
 * counts the confirms of `publisher`: ok when the broker confirmed and routed the message, failed
 * when the caller got a 503 for it (nacked, returned, broker unreachable, no confirm in time;
 * `warren_amqp_publishes_total{result}` says which).
 */
export function createChatApiMetrics(registry: Registry, publisher: Publisher): ChatApiMetrics {
  const registers = [registry];
  const metrics: ChatApiMetrics = {
    posts: new Counter({
      name: 'warren_chat_api_posts_total',
      help: 'POST /api/sessions/:id/messages answers, by result (accepted: 2xx, confirmed or already stored; refused: 4xx but 429; rate_limited: 429; unavailable: 503; failed: other 5xx)',
      labelNames: ['result'],
      registers,
    }),
    confirms: new Counter({
      name: 'warren_chat_api_confirms_total',
      help: 'Publishes settled, by result (ok: confirmed by the broker and routed; failed: nacked, returned, unreachable or timed out, answered 503)',
      labelNames: ['result'],
      registers,
    }),
    unavailable: new Counter({
      name: 'warren_chat_api_unavailable_total',
      // No route label: most 503s (auth's keys unavailable) are answered before a route matches;
      // http_request_duration_seconds{status="503"} has the route, the log line the cause.
      help: 'Requests answered 503: the broker did not confirm, or the database, or auth (signing keys, ended logins) unavailable',
      registers,
    }),
  };
  for (const result of POST_RESULTS) metrics.posts.inc({ result }, 0);
  for (const result of CONFIRM_RESULTS) metrics.confirms.inc({ result }, 0);
  publisher.on('settled', (result) => {
    metrics.confirms.inc({ result: result === 'confirmed' ? 'ok' : 'failed' });
  });
  return metrics;
}

/** The result label of a post answered with `status`. */
function postResultOf(status: number): PostResult {
  if (status < 400) return 'accepted';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'unavailable';
  return status < 500 ? 'refused' : 'failed';
}

/**
 * Counts chat-api's answers into `metrics`, mounted in front of the routes at `/api`: posts by
 * result and every 503, whichever middleware or route gave the answer.
 */
export function chatApiMetricsMiddleware(metrics: ChatApiMetrics): RequestHandler {
  return (req, res, next) => {
    // Read now: the path relative to `/api`, before the routers rewrite it.
    const posting = req.method === 'POST' && POST_PATH.test(req.path);
    res.on('finish', () => {
      const status = res.statusCode;
      if (posting) metrics.posts.inc({ result: postResultOf(status) });
      if (status === 503) metrics.unavailable.inc();
    });
    next();
  };
}
