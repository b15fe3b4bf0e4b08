import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AmqpClient, Consumer, type Delivery, type Publisher, queues } from '@warren/shared/amqp';
import {
  type ChatMessage,
  deadLetterReason,
  decodeDelivery,
  type EnvelopeErrorCode,
  type MessageChange,
  messageIdOf,
  requestIdOf,
} from '@warren/shared/envelope';
import { limits } from '@warren/shared/limits';
import type { Logger } from '@warren/shared/logging';
import { retryDelayMs } from './backoff.ts';
import { Batcher } from './batcher.ts';
import type { ChangeOutcome, ChangeStore, ChangesOutcome } from './change-store.ts';
import { publishDeadLetter } from './dead-letter.ts';
import type { MessageStore, StoreOutcome } from './message-store.ts';
import type { PersisterMetrics } from './metrics.ts';

/** Why the persister dead-letters a message: an envelope rule's code, or one of its own. */
export type DeadLetterCode =
  | EnvelopeErrorCode
  | 'unknown_session'
  | 'unknown_reply_to'
  | 'unknown_message'
  | 'too_many_reactions'
  | 'storage_rejected'
  | 'id_collision'
  | 'handler_failed';

/** A batch committed and acknowledged. */
export interface BatchStored {
  /** Deliveries in the batch. */
  readonly size: number;
  /** Ids newly stored, in `seq` order. */
  readonly storedIds: readonly string[];
  /** Ids that were stored already, so nothing was written for them. */
  readonly duplicateIds: readonly string[];
  /** Message changes (edits, deletes, reactions) of the batch applied or found applied already. */
  readonly changes: number;
  /**
   * Deliveries of the batch dead-lettered after the commit (unknown session, reply to no message of
   * the session, refused by PostgreSQL, id collision, change of an unknown message, emoji over the limit).
   */
  readonly deadLettered: number;
  /** Transactions it took: more than 1 when PostgreSQL was away. */
  readonly attempts: number;
}

/** A message published to `warren.dead` (and then acknowledged). */
export interface DeadLettered {
  /**
   * The code: an envelope rule's (`content_too_long`, `untrusted_event`, …), `unknown_session`,
   * `unknown_reply_to` (a reply to no message of its session), `unknown_message` (a change of a
   * message not stored in its session), `too_many_reactions`, `storage_rejected`, `id_collision`
   * (the id is stored for another session or author) or `handler_failed` (handling the delivery
   * threw: a bug, reported rather than left to close the channel).
   */
  readonly reason: DeadLetterCode;
  /** The `x-warren-error` header: `<code>: <detail>`. */
  readonly error: string;
  /** The message id the dead letter carries. */
  readonly messageId: string;
  /** The exchange the message was published to. */
  readonly exchange: string;
}

/** A session event acknowledged without storing. */
export interface EventAcked {
  readonly event: string;
  readonly sessionId: string;
  readonly messageId: string;
}

/** Events of {@link Persister}, for logs and tests. */
export interface PersisterEvents {
  'batch-stored': [batch: BatchStored];
  'dead-lettered': [letter: DeadLettered];
  'event-acked': [event: EventAcked];
  /** A batch's transaction failed; it is retried after a pause (or dropped when stopping). */
  'store-failed': [error: unknown, attempt: number];
  /** Held messages given up unacknowledged (broker connection lost, or stopping with PostgreSQL away). */
  'batch-dropped': [size: number];
}

/** Options of {@link Persister}. */
export interface PersisterOptions {
  readonly amqp: AmqpClient;
  /** Confirming publisher for dead letters. */
  readonly publisher: Publisher;
  readonly store: MessageStore;
  /** Applies edits, deletes and reactions. */
  readonly changes: ChangeStore;
  readonly metrics: PersisterMetrics;
  readonly logger: Logger;
  /** AMQP users whose author headers, `created_at` and events are believed. */
  readonly trustedPublishers: readonly string[];
  readonly batchSize: number;
  readonly batchMaxWaitMs: number;
  /** Unacknowledged deliveries the broker may send ahead; at least `batchSize`. */
  readonly prefetch: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

/** A delivery held for a batch: a chat message to store, or a change of a stored one to apply. */
type Item =
  | { readonly delivery: Delivery; readonly message: ChatMessage; readonly change?: undefined }
  | { readonly delivery: Delivery; readonly change: MessageChange; readonly message?: undefined };

/** What a batch's statements did to its messages and to its changes. */
interface Committed {
  readonly messages: StoreOutcome;
  readonly changes: ChangesOutcome;
  readonly attempts: number;
}

interface Batch {
  readonly items: readonly Item[];
  /** The broker connection its deliveries came on: after a reconnect they are redelivered anyway. */
  readonly generation: number;
  readonly closedAt: number;
}

/**
 * The request ids (`x-warren-request-id`) a batch's deliveries carry, by the id of the message stored
 * or changed: what lets one grep of a request id find the batch that stored its message.
 */
function requestIdsOf(items: readonly Item[]): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const item of items) {
    const requestId = requestIdOf(item.delivery.message);
    if (requestId !== undefined) ids[item.message === undefined ? item.change.id : item.message.id] = requestId;
  }
  return ids;
}

/**
 * Consumes `warren.persister` and stores what it carries: each delivery is decoded by the shared
 * envelope rules; chat messages and the events that change them (edits, deletes, reactions) are
 * batched (size or time) and written strictly one batch at a time, both in one statement (one round
 * trip, one commit, and a change finds a message of its own batch), and acknowledged only after the
 * commit. Other events are acknowledged and not stored; what breaks a rule is dead-lettered, then
 * acknowledged, and so is a delivery whose handling throws (`handler_failed`): no message, however
 * malformed, stops the others.
 *
 * While PostgreSQL is away the batch is retried with a doubling pause and nothing is acknowledged;
 * the prefetch then stops the broker sending more. When the broker connection is lost, everything
 * held is dropped: the broker redelivers it, and storing is idempotent.
 */
export class Persister extends EventEmitter<PersisterEvents> {
  readonly #options: PersisterOptions;
  readonly #log: Logger;
  readonly #batcher: Batcher<Item>;
  readonly #closed: Batch[] = [];
  readonly #deadLetters = new Set<Promise<void>>();
  #writing: Promise<void> | null = null;
  /** Bumped on every lost connection: batches of an older generation are not written. */
  #generation = 0;
  #held = 0;
  #stopping = false;
  /** Aborted to cut a retry pause short (connection lost, stopping). */
  #wake = new AbortController();
  #stopConsumer: (() => Promise<void>) | null = null;

  constructor(options: PersisterOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ module: 'persister' });
    this.#batcher = new Batcher({
      maxSize: options.batchSize,
      // BATCH_SIZE bounds the rows of the messages' insert; changes go in a statement of their own
      // (one JSON parameter, no bound to keep), so they do not make the insert smaller.
      weightOf: (item) => (item.message === undefined ? 0 : 1),
      maxWaitMs: options.batchMaxWaitMs,
      onBatch: (items) => this.#close(items),
    });
    options.amqp.on('disconnected', () => this.#dropHeld());
  }

  /** Messages received and not yet acknowledged: in the open batch or waiting for their commit. */
  get held(): number {
    return this.#held;
  }

  /** Starts consuming `warren.persister`, now and after every reconnect. */
  async start(): Promise<void> {
    const { stop } = await Consumer.start(this.#options.amqp, {
      queue: queues.persister.name,
      prefetch: this.#options.prefetch,
      logger: this.#options.logger,
      // A batch's acknowledgements go as one frame (`multiple`) rather than one per message.
      coalesceAcks: true,
      onMessage: (delivery) => this.#receive(delivery),
      onHandlerError: (error, delivery) => {
        const what = error instanceof Error ? `${error.constructor.name}: ${error.message}` : typeof error;
        this.#deadLetter(delivery, 'handler_failed', `handler_failed: handling the message threw (${what})`);
      },
    });
    this.#stopConsumer = stop;
  }

  /**
   * Stops taking deliveries, closes the open batch and commits and acknowledges it (and any waiting),
   * lets pending dead letters settle, then closes the consumer's channel: deliveries that arrived
   * meanwhile go back to the queue unacknowledged. With PostgreSQL away a batch gets one more try
   * and is then left unacknowledged for the broker to redeliver, so stopping never hangs.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#batcher.flush();
    this.#wake.abort();
    while (this.#writing) await this.#writing;
    await Promise.allSettled(this.#deadLetters);
    await this.#stopConsumer?.();
    this.#stopConsumer = null;
  }

  #receive(delivery: Delivery): void {
    // Left unacknowledged: the broker hands it on when this consumer's channel closes.
    if (this.#stopping) return;
    const { message } = delivery;
    const decoded = decodeDelivery(message, {
      trustedPublishers: this.#options.trustedPublishers,
      receivedAt: new Date(),
    });
    if (!decoded.ok) {
      this.#deadLetter(delivery, decoded.code, deadLetterReason(decoded));
      return;
    }
    if (decoded.kind === 'event' && decoded.change !== null) {
      this.#setHeld(this.#held + 1);
      this.#batcher.add({ delivery, change: decoded.change });
      return;
    }
    if (decoded.kind === 'event') {
      delivery.ack();
      this.#options.metrics.eventsAcked.inc();
      const acked = { event: decoded.event, sessionId: decoded.sessionId, messageId: messageIdOf(message) };
      if (this.#log.isLevelEnabled('debug')) {
        this.#log.debug({ ...acked, requestId: requestIdOf(message) }, 'event acknowledged');
      }
      this.emit('event-acked', acked);
      return;
    }
    this.#setHeld(this.#held + 1);
    this.#batcher.add({ delivery, message: decoded.message });
  }

  #setHeld(held: number): void {
    this.#held = held;
    this.#options.metrics.held.set(held);
  }

  #close(items: Item[]): void {
    this.#closed.push({ items, generation: this.#generation, closedAt: performance.now() });
    this.#pump();
  }

  /** Writes closed batches one after another, so at most one transaction is open. */
  #pump(): void {
    if (this.#writing) return;
    this.#writing = (async () => {
      for (let batch = this.#closed.shift(); batch; batch = this.#closed.shift()) {
        try {
          await this.#write(batch);
        } catch (error) {
          // A bug, not PostgreSQL being away (that is retried inside): hand the deliveries back.
          this.#log.error({ err: error }, 'writing a batch failed unexpectedly; requeueing it');
          for (const item of batch.items) item.delivery.nack(true);
        }
      }
    })().finally(() => {
      this.#writing = null;
      if (this.#closed.length > 0) this.#pump();
    });
  }

  async #write(batch: Batch): Promise<void> {
    const committed = await this.#commit(batch);
    if (committed) this.#settle(batch, committed);
  }

  /**
   * Writes the batch until it commits, pausing between tries: messages and changes in one statement
   * when it has both; apart when it has one kind or when PostgreSQL refused a value (then, once the
   * messages' transaction commits, only the changes' is tried again, and changes of the batch's
   * messages find them).
   * @returns null when the batch was given up unacknowledged (connection lost, or stopping).
   */
  async #commit(batch: Batch): Promise<Committed | null> {
    const { items } = batch;
    const options = this.#options;
    const messages = items.flatMap((item) => (item.message === undefined ? [] : [item.message]));
    const changes = items.flatMap((item) => (item.change === undefined ? [] : [item.change]));
    let stored: StoreOutcome | undefined;
    for (let attempts = 1; ; attempts += 1) {
      if (batch.generation !== this.#generation) {
        this.#drop(items.length, 'lost the broker connection while holding a batch; the broker redelivers it');
        return null;
      }
      try {
        // Both in one statement when the batch has both (one commit); apart when it has one kind,
        // or when PostgreSQL refused a value (each then leaves out just the refused ones).
        if (stored === undefined && messages.length > 0 && changes.length > 0) {
          const both = await options.store.storeWith(messages, changes);
          if (both !== null) return { messages: both.stored, changes: both.changes, attempts };
        }
        stored ??= await options.store.store(messages);
        return { messages: stored, changes: await options.changes.apply(changes), attempts };
      } catch (error) {
        options.metrics.storeFailures.inc();
        this.emit('store-failed', error, attempts);
        if (this.#stopping) {
          this.#log.warn({ err: error }, 'could not store a batch while stopping');
          this.#drop(items.length, 'stopping without the database: leaving the batch unacknowledged');
          return null;
        }
        const delayMs = retryDelayMs(attempts, options.retryInitialMs, options.retryMaxMs);
        this.#log.warn(
          { err: error, attempt: attempts, delayMs, size: items.length },
          'storing a batch failed; retrying',
        );
        await sleep(delayMs, undefined, { signal: this.#wake.signal }).catch(() => undefined);
      }
    }
  }

  /** After the commit: metrics, acknowledgements, dead letters, then `batch-stored`. */
  #settle(batch: Batch, { messages: outcome, changes, attempts }: Committed): void {
    const { items } = batch;
    const { metrics } = this.#options;
    const committedAt = Date.now();
    this.#setHeld(this.#held - items.length);
    metrics.batchSize.observe(items.length);
    metrics.batchDuration.observe((performance.now() - batch.closedAt) / 1000);
    if (outcome.newest) metrics.lag.set((committedAt - Date.parse(outcome.newest.created_at)) / 1000);

    // After a reconnect these deliveries come again: acks are no-ops then, and dead-lettering now
    // would dead-letter them twice.
    const current = batch.generation === this.#generation;
    const stored: { id: string; seq: bigint }[] = [];
    const duplicateIds: string[] = [];
    let deadLettered = 0;
    let messageIndex = 0;
    let changeIndex = 0;
    for (const { delivery, message, change } of items) {
      if (change !== undefined) {
        const result = changes.outcomes[changeIndex++];
        if (result === 'done') delivery.ack();
        else {
          deadLettered += 1;
          if (current) this.#deadLetterChange(delivery, change, result);
        }
        continue;
      }
      const index = messageIndex++;
      const result = outcome.outcomes[index];
      switch (result?.status) {
        case 'stored':
          stored.push({ id: message.id, seq: BigInt(result.seq) });
          delivery.ack();
          break;
        case 'duplicate':
          duplicateIds.push(message.id);
          delivery.ack();
          break;
        case 'unknown_reply_to':
          deadLettered += 1;
          if (current) {
            const error = `unknown_reply_to: reply_to ${message.reply_to} names no message of session ${message.session_id}`;
            this.#deadLetter(delivery, 'unknown_reply_to', error);
          }
          break;
        case 'unknown_session':
          deadLettered += 1;
          if (current) {
            const error = `unknown_session: session ${message.session_id} does not exist`;
            this.#deadLetter(delivery, 'unknown_session', error);
          }
          break;
        case 'rejected':
          deadLettered += 1;
          if (current) this.#deadLetter(delivery, 'storage_rejected', `storage_rejected: ${result.detail}`);
          break;
        case 'id_collision':
          deadLettered += 1;
          if (current) {
            const error = `id_collision: message id ${message.id} is already stored for another session or author`;
            this.#deadLetter(delivery, 'id_collision', error);
          }
          break;
        default:
          throw new Error(`the store gave no outcome for message ${index} of the batch`);
      }
    }
    metrics.stored.inc(stored.length);
    const changesDone = changes.outcomes.filter((result) => result === 'done').length;
    metrics.changes.inc(changesDone);
    metrics.duplicates.inc(duplicateIds.length);
    const storedIds = stored.sort((a, b) => (a.seq < b.seq ? -1 : 1)).map(({ id }) => id);
    if (this.#log.isLevelEnabled('debug')) {
      const requestIds = requestIdsOf(items);
      const counts = { size: items.length, stored: storedIds.length, duplicates: duplicateIds.length };
      this.#log.debug({ ...counts, deadLettered, attempts, requestIds }, 'batch stored');
    }
    this.emit('batch-stored', {
      size: items.length,
      storedIds,
      duplicateIds,
      changes: changesDone,
      deadLettered,
      attempts,
    });
  }

  #deadLetterChange(
    delivery: Delivery,
    change: MessageChange,
    result: Exclude<ChangeOutcome, 'done'> | undefined,
  ): void {
    if (result === 'rejected') {
      this.#deadLetter(delivery, 'storage_rejected', `storage_rejected: PostgreSQL refused change ${change.id}`);
      return;
    }
    if (result === 'too_many_reactions') {
      const error = `too_many_reactions: message ${change.messageId} has ${limits.reactionsPerMessage} distinct emoji already`;
      this.#deadLetter(delivery, 'too_many_reactions', error);
      return;
    }
    if (result === 'unknown_message') {
      const error = `unknown_message: message ${change.messageId} is not stored in session ${change.sessionId}`;
      this.#deadLetter(delivery, 'unknown_message', error);
      return;
    }
    throw new Error(`the change store gave no outcome for change ${change.id}`);
  }

  /** Gives up held messages unacknowledged; the broker redelivers them. */
  #drop(size: number, why: string): void {
    if (size === 0) return;
    this.#setHeld(this.#held - size);
    this.#log.warn({ size }, why);
    this.emit('batch-dropped', size);
  }

  #dropHeld(): void {
    this.#generation += 1;
    this.#wake.abort();
    this.#wake = new AbortController();
    this.#drop(this.#batcher.discard().length, 'lost the broker connection; dropping the open batch');
  }

  /**
   * Dead-letters a delivery, then acknowledges it; when the dead letter is not confirmed, requeues
   * it instead (the queue's delivery limit bounds how often that can happen).
   */
  #deadLetter(delivery: Delivery, code: DeadLetterCode, error: string): void {
    const { message } = delivery;
    const task = publishDeadLetter(this.#options.publisher, message, error).then(
      (messageId) => {
        delivery.ack();
        this.#options.metrics.deadLettered.inc({ reason: code });
        const logged = { reason: error, messageId, exchange: message.fields.exchange, requestId: requestIdOf(message) };
        this.#log.info(logged, 'dead-lettered a message');
        this.emit('dead-lettered', { reason: code, error, messageId, exchange: message.fields.exchange });
      },
      (failure: unknown) => {
        const logged = { err: failure, reason: error, requestId: requestIdOf(message) };
        this.#log.warn(logged, 'could not dead-letter a message; requeueing it');
        delivery.nack(true);
      },
    );
    this.#deadLetters.add(task);
    void task.finally(() => this.#deadLetters.delete(task));
  }
}
