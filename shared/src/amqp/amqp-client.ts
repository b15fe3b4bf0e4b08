import { EventEmitter } from 'node:events';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { SharedErrors } from '../errors.ts';
import { redactUrl } from '../url.ts';

/** Options of {@link AmqpClient}. */
export interface AmqpClientOptions {
  /** Broker URL, vhost included. */
  url: string;
  /** The `connection_name` client property: what the management UI shows. Use the service's name. */
  connectionName: string;
  /** Logger; the client logs under `module: 'amqp'`. */
  logger: Logger;
  /**
   * Declares what this client needs (exchanges, queues, bindings) on every connection, before
   * consumers resume: a broker that lost its definitions is made whole on reconnect.
   * @defaultValue declares nothing
   */
  declare?: (channel: Channel) => Promise<void>;
  /** First reconnect delay. @defaultValue 200 */
  initialDelayMs?: number;
  /** Longest reconnect delay (exponential backoff with jitter up to here). @defaultValue 5000 */
  maxDelayMs?: number;
  /**
   * Retries of the very first connection before {@link AmqpClient.start} rejects, so a service
   * pointed at the wrong broker stops at once instead of hanging. Once connected, it retries forever.
   * @defaultValue 2
   */
  initialRetries?: number;
  /** AMQP heartbeat in seconds: how soon a silently dead broker is noticed. @defaultValue 15 */
  heartbeatSec?: number;
}

/** Events of {@link AmqpClient}, for logs, readiness and tests. */
export interface AmqpClientEvents {
  /** Connected, topology declared and every attachment (consumers, publishers) resumed. */
  connected: [];
  /** The connection was lost; recovery is under way. */
  disconnected: [error: Error];
  /** A reconnect attempt failed. */
  'connect-failed': [error: Error];
}

/** Something that lives on a connection and must be set up again on each one (a consumer). */
export interface Attachment {
  attach(model: ChannelModel): Promise<void>;
  detach(): void;
}

/**
 * One named connection to RabbitMQ that survives the broker going away. amqplib ≥2 recovers the
 * connection itself (with backoff) but not channels, so this client re-declares the topology and
 * re-attaches consumers and publishers after every reconnect, then emits `connected`.
 */
export class AmqpClient extends EventEmitter<AmqpClientEvents> {
  readonly #options: AmqpClientOptions;
  readonly #log: Logger;
  readonly #attachments = new Set<Attachment>();
  #model: RecoveringChannelModel | null = null;
  #current: ChannelModel | null = null;
  #closing = false;

  constructor(options: AmqpClientOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ module: 'amqp' });
  }

  /** Whether the connection is up and set up (what `/readyz` reports). */
  get connected(): boolean {
    return this.#current !== null;
  }

  /** The AMQP user this client connects as: the `user_id` the broker vouches for on its publishes. */
  get user(): string {
    return decodeURIComponent(new URL(this.#options.url).username) || 'guest';
  }

  /**
   * Connects and sets up. Rejects, naming the URL (without password), when the broker cannot be
   * reached after `initialRetries`.
   */
  async start(): Promise<void> {
    const options = this.#options;
    const url = new URL(options.url);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(options.heartbeatSec ?? 15));
    const model = await amqp.connect(url.toString(), {
      clientProperties: { connection_name: options.connectionName },
      recovery: {
        initialDelay: options.initialDelayMs ?? 200,
        maxDelay: options.maxDelayMs ?? 5000,
        initialMaxRetries: options.initialRetries ?? 2,
        maxRetries: Number.POSITIVE_INFINITY,
        waitForConnect: false,
        setup: (connection: ChannelModel) => this.#setUp(connection),
      },
    });
    this.#model = model;
    model.on('connect', () => {
      this.#log.info({ connectionName: options.connectionName }, 'connected to RabbitMQ');
      this.emit('connected');
    });
    model.on('disconnect', (error: Error) => {
      this.#current = null;
      for (const attachment of this.#attachments) attachment.detach();
      if (this.#closing) return;
      this.#log.warn({ err: error }, 'lost RabbitMQ connection, reconnecting');
      this.emit('disconnected', error);
    });
    model.on('connect-failed', (error: Error) => {
      this.#log.warn({ err: error }, 'RabbitMQ connection attempt failed');
      this.emit('connect-failed', error);
    });
    model.on('error', (error: Error) => this.#log.warn({ err: error }, 'RabbitMQ connection error'));
    model.on('blocked', (reason: string) => this.#log.warn({ reason }, 'RabbitMQ blocked publishing'));
    try {
      await model.waitForConnect();
    } catch (error) {
      this.#model = null;
      await model.close().catch(() => undefined);
      throw new Error(
        `cannot connect to RabbitMQ at ${redactUrl(options.url)}: ${(error as Error).message}. ` +
          'Start RabbitMQ or set RABBITMQ_URL to a reachable broker.',
        { cause: error },
      );
    }
  }

  async #setUp(connection: ChannelModel): Promise<void> {
    if (this.#options.declare) {
      const channel = await connection.createChannel();
      // A declaration the broker refuses closes the channel: the failed operation rejects with why.
      channel.on('error', () => undefined);
      try {
        await this.#options.declare(channel);
      } finally {
        await channel.close().catch(() => undefined);
      }
    }
    this.#current = connection;
    try {
      for (const attachment of this.#attachments) await attachment.attach(connection);
    } catch (error) {
      // This connection is closed and recovery tries again: until then, not connected.
      this.#current = null;
      for (const attachment of this.#attachments) attachment.detach();
      throw error;
    }
  }

  /**
   * Adds something to set up on every connection, at once if connected.
   * @returns a function that removes it again.
   * @throws what setting it up on the current connection threw; it is then not kept.
   */
  async attach(attachment: Attachment): Promise<() => void> {
    this.#attachments.add(attachment);
    if (this.#current) {
      try {
        await attachment.attach(this.#current);
      } catch (error) {
        // Not kept: it would fail every later reconnect too.
        this.#attachments.delete(attachment);
        throw error;
      }
    }
    return () => {
      this.#attachments.delete(attachment);
      attachment.detach();
    };
  }

  /** A new channel on the current connection. @throws BROKER_UNAVAILABLE while disconnected. */
  async createChannel(): Promise<Channel> {
    return this.#requireConnection().createChannel();
  }

  /** A new confirm channel on the current connection. @throws BROKER_UNAVAILABLE while disconnected. */
  async createConfirmChannel(): Promise<ConfirmChannel> {
    return this.#requireConnection().createConfirmChannel();
  }

  #requireConnection(): ChannelModel {
    if (!this.#current) throw new SharedErrors.brokerUnavailable('not connected to the message broker');
    return this.#current;
  }

  /** Closes the connection and stops recovering it. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const attachment of this.#attachments) attachment.detach();
    this.#attachments.clear();
    this.#current = null;
    const model = this.#model;
    this.#model = null;
    await model?.close().catch((error: unknown) => this.#log.debug({ err: error }, 'closing RabbitMQ connection'));
  }
}
