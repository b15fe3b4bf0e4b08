import {
  type DeliveryLike,
  decodeDelivery,
  type EnvelopeErrorCode,
  envelopeHeaders,
  requestIdOf,
  type TrustedPublishers,
} from '@warren/shared/envelope';
import type { Logger } from '@warren/shared/logging';
import { deliveryFrameOf, encodeFrame, payloadOf, textFrameBytes } from './frames.ts';

/**
 * A delivery as frame bytes, or why it must not be delivered: `frame` is the UTF-8 JSON text,
 * `wire` the whole WebSocket frame around it (`frame` is a view into it), written as is to every socket.
 */
export type EncodedDelivery =
  | { readonly ok: true; readonly kind: 'message' | 'event'; readonly frame: Buffer; readonly wire: Buffer }
  | { readonly ok: false; readonly code: EnvelopeErrorCode; readonly detail: string };

/** Options of {@link DeliveryEncoder}. */
export interface DeliveryEncoderOptions {
  /** AMQP users whose author headers, `created_at` and events are believed (TRUSTED_PUBLISHERS). */
  readonly trustedPublishers: TrustedPublishers;
  /**
   * Bytes of bodies and frames the cache may hold, oldest out first. The copies of one message reach
   * every connection's queue at about the same time, so a few hundred messages cover a burst fanned
   * out to thousands of sockets. @defaultValue 8 MiB
   */
  readonly maxBytes?: number;
  /** The clock, for `created_at` of a message with no other time. @defaultValue () => new Date() */
  readonly now?: () => Date;
  /** Called on every lookup, with whether the cache answered it (for a metric). @defaultValue none */
  readonly onLookup?: (hit: boolean) => void;
  /**
   * Where a debug line per message decoded goes (its id, exchange, outcome and request id), once per
   * gateway rather than per socket. @defaultValue none
   */
  readonly logger?: Logger;
}

/** What `decodeDelivery` reads of a delivery besides the exchange and the message id (the map key). */
interface DeliveryInput {
  readonly type: unknown;
  readonly userId: unknown;
  readonly timestamp: unknown;
  readonly contentType: unknown;
  readonly authorId: unknown;
  readonly authorName: unknown;
  readonly content: Buffer;
}

interface Entry {
  readonly input: DeliveryInput;
  readonly encoded: EncodedDelivery;
  readonly bytes: number;
}

function inputOf(delivery: DeliveryLike): DeliveryInput {
  const { properties } = delivery;
  const headers = properties.headers ?? {};
  return {
    type: properties.type,
    userId: properties.userId,
    timestamp: properties.timestamp,
    contentType: properties.contentType,
    authorId: headers[envelopeHeaders.authorId],
    authorName: headers[envelopeHeaders.authorName],
    content: delivery.content,
  };
}

/** Header values come as strings or bytes; anything else (or NaN) never matches, which is only a miss. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
}

function sameInput(a: DeliveryInput, b: DeliveryInput): boolean {
  return (
    a.type === b.type &&
    a.userId === b.userId &&
    a.timestamp === b.timestamp &&
    a.contentType === b.contentType &&
    same(a.authorId, b.authorId) &&
    same(a.authorName, b.authorName) &&
    a.content.equals(b.content)
  );
}

/**
 * Turns deliveries into frames with the one `decodeDelivery`, once per message: the copies of a
 * message that reach every connection's queue on this gateway are decoded, serialized and encoded
 * to UTF-8 once, then served from a small cache. Invalid deliveries are cached too, so a bad
 * message fanned out is judged once.
 *
 * Keyed safely: the map key is the exchange and `message_id`, and a hit counts only when everything
 * else the decoder reads (type, user_id, timestamp, content type, author headers, body bytes) is
 * equal too, so a bot reusing a chat-api message id with other content is decoded on its own. A
 * delivery without a `message_id` (a bot may omit it) is decoded every time: deriving its id costs
 * about as much as decoding it.
 *
 * A message whose `created_at` falls back to the time of receipt keeps the time of its first copy:
 * every socket sees the same.
 *
 * Each message decoded is logged at debug level with the request id it carries (`x-warren-request-id`),
 * so a request can be followed to the gateways that delivered it; copies served from the cache are not
 * logged again, nor are deliveries without a `message_id`, which are decoded per copy.
 */
export class DeliveryEncoder {
  readonly #trustedPublishers: TrustedPublishers;
  readonly #maxBytes: number;
  readonly #now: () => Date;
  readonly #onLookup: (hit: boolean) => void;
  readonly #log: Logger | undefined;
  readonly #cache = new Map<string, Entry>();
  #bytes = 0;

  constructor(options: DeliveryEncoderOptions) {
    this.#trustedPublishers = options.trustedPublishers;
    this.#maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.#now = options.now ?? (() => new Date());
    this.#onLookup = options.onLookup ?? (() => undefined);
    this.#log = options.logger?.child({ module: 'delivery-encoder' });
    if (!Number.isSafeInteger(this.#maxBytes) || this.#maxBytes < 0) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${this.#maxBytes}`);
    }
  }

  /** The frame of a delivery, or why it is not delivered. */
  encode(delivery: DeliveryLike): EncodedDelivery {
    const messageId = delivery.properties.messageId;
    if (typeof messageId !== 'string' || messageId === '') return this.#decode(delivery);
    const key = `${delivery.fields.exchange}\n${messageId}`;
    const input = inputOf(delivery);
    const cached = this.#cache.get(key);
    const hit = cached !== undefined && sameInput(cached.input, input);
    this.#onLookup(hit);
    if (hit) return cached.encoded;

    const encoded = this.#decode(delivery);
    if (this.#log?.isLevelEnabled('debug')) this.#logDecoded(delivery, messageId, encoded);
    if (cached !== undefined) this.#remove(key, cached);
    const bytes = input.content.length + (encoded.ok ? encoded.wire.length : 0);
    if (bytes <= this.#maxBytes) {
      // A copy, so the entry does not keep alive whatever larger buffer the body was read into.
      this.#cache.set(key, { input: { ...input, content: Buffer.from(input.content) }, encoded, bytes });
      this.#bytes += bytes;
      for (const [oldKey, old] of this.#cache) {
        if (this.#bytes <= this.#maxBytes) break;
        this.#remove(oldKey, old);
      }
    }
    return encoded;
  }

  #logDecoded(delivery: DeliveryLike, messageId: string, encoded: EncodedDelivery): void {
    const outcome = encoded.ok ? { kind: encoded.kind } : { invalid: encoded.code };
    const requestId = requestIdOf(delivery);
    this.#log?.debug({ messageId, exchange: delivery.fields.exchange, ...outcome, requestId }, 'delivery decoded');
  }

  #remove(key: string, entry: Entry): void {
    this.#cache.delete(key);
    this.#bytes -= entry.bytes;
  }

  #decode(delivery: DeliveryLike): EncodedDelivery {
    const decoded = decodeDelivery(delivery, { trustedPublishers: this.#trustedPublishers, receivedAt: this.#now() });
    if (!decoded.ok) return { ok: false, code: decoded.code, detail: decoded.detail };
    const wire = textFrameBytes(encodeFrame(deliveryFrameOf(decoded)));
    return { ok: true, kind: decoded.kind, frame: payloadOf(wire), wire };
  }
}
