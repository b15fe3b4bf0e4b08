import { EventEmitter } from 'node:events';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import { SharedErrors } from '../errors.ts';
import { redactUrl, redactUrlList } from '../url.ts';
import { NodeRotation, userOfUrl } from './broker-urls.ts';
import { reconnectDelay } from './reconnect-delay.ts';

/** Options of {@link AmqpClient}. */
export interface AmqpClientOptions {
  /**
   * Broker URL, vhost included; or the nodes of a cluster, as a comma-separated list (or an array)
   * of URLs with one user and one vhost (OPERATIONS.md). The client connects to one node that
   * answers, starting at a random one, and to the next one after each loss or failed attempt.
   */
  url: string | readonly string[];
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
  /** Reconnect delay while the first round of nodes is tried. @defaultValue 200 */
  initialDelayMs?: number;
  /** Longest reconnect delay (doubling each round of the nodes, with jitter, up to here). @defaultValue 5000 */
  maxDelayMs?: number;
  /**
   * Rounds of retries over every node of the list before {@link AmqpClient.start} rejects, so a
   * service pointed at the wrong broker stops at once instead of hanging. Once connected, it
   * retries forever.
   * @defaultValue 2
   */
  initialRetries?: number;
  /** AMQP heartbeat in seconds: how soon a silently dead broker is noticed. @defaultValue 15 */
  heartbeatSec?: number;
  /** How long opening a TCP connection to a node may take before the next node is tried. @defaultValue 5000 */
  connectTimeoutMs?: number;
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
 * One named connection to RabbitMQ (one node of a cluster at a time) that survives its node going
 * away. It owns its reconnect loop rather than amqplib's `recovery` option, which reconnects to one
 * URL only: each attempt takes the next node of the list, so a lost node is left for another at
 * once. On every connection it declares the topology and re-attaches consumers and publishers,
 * then emits `connected`.
 */
export class AmqpClient extends EventEmitter<AmqpClientEvents> {
  readonly #options: AmqpClientOptions;
  readonly #log: Logger;
  readonly #rotation: NodeRotation;
  readonly #attachments = new Set<Attachment>();
  /** The connection being opened or set up, or the current one: closed by {@link close}. */
  #open: ChannelModel | null = null;
  #current: ChannelModel | null = null;
  /** The URL (password hidden) of the node of {@link #current}. */
  #node: string | undefined;
  #closing = false;
  /** Attempts since the last connection was set up (or since start). */
  #attempt = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: AmqpClientOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ module: 'amqp' });
    this.#rotation = new NodeRotation(options.url);
  }

  /** Whether the connection is up and set up (what `/readyz` reports). */
  get connected(): boolean {
    return this.#current !== null;
  }

  /** The URL of the node it is connected to, password hidden (logs, tests); undefined while disconnected. */
  get node(): string | undefined {
    return this.#current === null ? undefined : this.#node;
  }

  /** The AMQP user this client connects as: the `user_id` the broker vouches for on its publishes. */
  get user(): string {
    return userOfUrl(new URL(this.#rotation.urls[0] as string));
  }

  /**
   * Connects and sets up. Rejects, naming the URLs (without passwords), when no node can be reached
   * after `initialRetries` rounds.
   */
  async start(): Promise<void> {
    const attempts = ((this.#options.initialRetries ?? 2) + 1) * this.#rotation.size;
    let last: Error = new Error('no attempt made');
    for (let attempt = 1; attempt <= attempts && !this.#closing; attempt += 1) {
      try {
        await this.#connect();
        return;
      } catch (error) {
        last = error as Error;
        this.#connectFailed(last);
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, this.#delay(attempt)));
    }
    throw new Error(
      `cannot connect to RabbitMQ at ${redactUrlList(this.#rotation.urls)}: ${last.message}. ` +
        'Start RabbitMQ or set RABBITMQ_URL to a reachable broker.',
      { cause: last },
    );
  }

  #delay(attempt: number): number {
    return reconnectDelay(attempt, {
      initialDelayMs: this.#options.initialDelayMs ?? 200,
      maxDelayMs: this.#options.maxDelayMs ?? 5000,
      nodes: this.#rotation.size,
    });
  }

  #connectFailed(error: Error): void {
    this.#log.warn({ err: error }, 'RabbitMQ connection attempt failed');
    this.emit('connect-failed', error);
  }

  /** Opens a connection to the next node and sets it up; rejects (the connection closed) when either fails. */
  async #connect(): Promise<void> {
    const options = this.#options;
    const listed = this.#rotation.next();
    const node = redactUrl(listed);
    const url = new URL(listed);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(options.heartbeatSec ?? 15));
    const connection = await amqp.connect(url.toString(), {
      clientProperties: { connection_name: options.connectionName },
      timeout: options.connectTimeoutMs ?? 5000,
      // Publishes and acks are small frames sent one after another: with Nagle's algorithm (amqplib's
      // default) each waits for the previous one's TCP ack. RabbitMQ sets nodelay on its side too.
      noDelay: true,
    });
    this.#open = connection;
    let closedBy: Error | undefined;
    let ready = false;
    connection.on('error', (error: Error) => this.#log.warn({ err: error, node }, 'RabbitMQ connection error'));
    connection.on('blocked', (reason: string) => this.#log.warn({ reason, node }, 'RabbitMQ blocked publishing'));
    connection.once('close', (error?: Error) => {
      closedBy = error ?? new Error('connection closed');
      // A close during set-up is that attempt's failure, reported by it: one reconnect loop only.
      if (ready) this.#lost(connection, closedBy);
    });
    try {
      if (this.#closing) throw new Error('client closed');
      await this.#setUp(connection);
      // A close during set-up may leave nothing failing in it: the connection is still gone.
      if (closedBy) throw closedBy;
    } catch (error) {
      if (this.#current === connection) {
        this.#current = null;
        for (const attachment of this.#attachments) attachment.detach();
      }
      if (this.#open === connection) this.#open = null;
      await connection.close().catch(() => undefined);
      throw error;
    }
    ready = true;
    this.#node = node;
    this.#attempt = 0;
    this.#log.info({ connectionName: options.connectionName, node }, 'connected to RabbitMQ');
    this.emit('connected');
  }

  /** The connection closed: detach, report it once it had been set up, and try the next node. */
  #lost(connection: ChannelModel, error: Error): void {
    if (this.#open === connection) this.#open = null;
    if (this.#current !== connection) return;
    this.#current = null;
    for (const attachment of this.#attachments) attachment.detach();
    if (this.#closing) return;
    this.#log.warn({ err: error }, 'lost RabbitMQ connection, reconnecting');
    this.emit('disconnected', error);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closing || this.#timer) return;
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#connect().catch((error: Error) => {
        if (this.#closing) return;
        this.#connectFailed(error);
        this.#scheduleReconnect();
      });
    }, this.#delay(this.#attempt));
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
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const attachment of this.#attachments) attachment.detach();
    this.#attachments.clear();
    this.#current = null;
    const connection = this.#open;
    this.#open = null;
    await connection?.close().catch((error: unknown) => this.#log.debug({ err: error }, 'closing RabbitMQ connection'));
  }
}
