import { EventEmitter } from 'node:events';
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { Counter, type Registry } from 'prom-client';
import { SharedErrors } from '../errors.ts';
import type { AmqpClient } from './amqp-client.ts';

/** Options of {@link Publisher}. */
export interface PublisherOptions {
  /** How long to wait for the broker's confirm before failing the publish. @defaultValue 5000 */
  confirmTimeoutMs?: number;
  /** Registry for `warren_amqp_publishes_total{result}`. @defaultValue no metrics */
  registry?: Registry;
}

/** Publish options: amqplib's, with a message id that is required (returns are matched by it). */
export type PublishOptions = Omit<Options.Publish, 'mandatory'> & {
  messageId: string;
  /**
   * Whether a message the broker cannot route fails the publish. False only for a broadcast that
   * nobody needs to hear when nobody listens (`login.ended` while no chat-api or gateway runs: each
   * learns it from auth when it starts). @defaultValue true
   */
  mandatory?: boolean;
};

/** How a publish ended. */
export type PublishResult = 'confirmed' | 'returned' | 'nacked' | 'unavailable' | 'timeout';

/** Events of {@link Publisher}, one per publish, for metrics and tests. */
export interface PublisherEvents {
  settled: [result: PublishResult, messageId: string, exchange: string];
}

/**
 * Publishes with publisher confirms and `mandatory` (unless a publish says otherwise): the promise
 * resolves only when the broker has confirmed the message and routed it somewhere; it rejects with BROKER_UNAVAILABLE (503) when the
 * broker nacks, returns it as unroutable, is unreachable, or does not answer in time.
 */
export class Publisher extends EventEmitter<PublisherEvents> {
  readonly #client: AmqpClient;
  readonly #timeoutMs: number;
  readonly #counter: Counter<'result'> | null;
  /** Ids of messages the broker returned; the return always precedes the message's confirm. */
  readonly #returned = new Set<string>();
  #channel: ConfirmChannel | null = null;
  #opening: Promise<ConfirmChannel> | null = null;

  constructor(client: AmqpClient, options: PublisherOptions = {}) {
    super();
    this.#client = client;
    this.#timeoutMs = options.confirmTimeoutMs ?? 5000;
    this.#counter = options.registry
      ? new Counter({
          name: 'warren_amqp_publishes_total',
          help: 'AMQP publishes by how they ended (confirmed, returned, nacked, unavailable, timeout)',
          labelNames: ['result'],
          registers: [options.registry],
        })
      : null;
    client.on('disconnected', () => {
      this.#channel = null;
    });
  }

  /** Publishes one message and settles on the broker's answer. */
  async publish(exchange: string, routingKey: string, content: Buffer, options: PublishOptions): Promise<void> {
    let channel: ConfirmChannel;
    try {
      channel = await this.#confirmChannel();
    } catch (error) {
      this.#settle('unavailable', options.messageId, exchange);
      throw new SharedErrors.brokerUnavailable('the message broker is unavailable', { cause: error });
    }
    await new Promise<void>((resolve, reject) => {
      // Settled once: a confirm that comes after the timeout is neither reported nor counted again.
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        this.#settle('timeout', options.messageId, exchange);
        reject(new SharedErrors.brokerUnavailable('the message broker did not confirm the message in time'));
      }, this.#timeoutMs);
      const finish = (error: unknown) => {
        clearTimeout(timer);
        const returned = this.#returned.delete(options.messageId);
        if (settled) return;
        settled = true;
        if (returned) {
          this.#settle('returned', options.messageId, exchange);
          reject(new SharedErrors.brokerUnavailable(`the message broker could not route the message (${exchange})`));
        } else if (error) {
          this.#settle('nacked', options.messageId, exchange);
          reject(new SharedErrors.brokerUnavailable('the message broker refused the message', { cause: error }));
        } else {
          this.#settle('confirmed', options.messageId, exchange);
          resolve();
        }
      };
      try {
        channel.publish(exchange, routingKey, content, { mandatory: true, ...options }, finish);
      } catch (error) {
        finish(error);
      }
    });
  }

  #settle(result: PublishResult, messageId: string, exchange: string): void {
    this.#counter?.inc({ result });
    this.emit('settled', result, messageId, exchange);
  }

  #confirmChannel(): Promise<ConfirmChannel> {
    if (this.#channel) return Promise.resolve(this.#channel);
    this.#opening ??= this.#client
      .createConfirmChannel()
      .then((channel) => {
        channel.on('return', (message: Message) => {
          const id = message.properties.messageId as string | undefined;
          if (id) this.#returned.add(id);
        });
        // A channel error (a publish to an exchange that does not exist) closes only this channel;
        // the next publish opens a new one.
        channel.on('error', () => undefined);
        channel.on('close', () => {
          if (this.#channel === channel) this.#channel = null;
        });
        this.#channel = channel;
        return channel;
      })
      .finally(() => {
        this.#opening = null;
      });
    return this.#opening;
  }
}
