import { randomUUID } from 'node:crypto';
import { type AmqpUser, eventKeys, exchanges } from '@warren/shared/amqp';
import type { PresenceReport } from '@warren/shared/contract';
import { testConfig } from '@warren/shared/testing';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';

/**
 * A ws-gateway instance as chat-api hears it: presence reports on `warren.events` under
 * `presence.<instance>`, published (with confirms) as the run's `ws-gateway` AMQP user, or as
 * another user to forge them. Its heartbeat runs only while {@link beat} says so.
 */
export class FakeGateway {
  readonly instance = randomUUID();
  readonly heartbeatMs: number;
  /** Whom it holds sockets for, as its heartbeats say. */
  readonly held = new Set<string>();
  readonly #connection: ChannelModel;
  readonly #channel: ConfirmChannel;
  readonly #userName: string;
  #timer: NodeJS.Timeout | undefined;

  private constructor(connection: ChannelModel, channel: ConfirmChannel, userName: string, heartbeatMs: number) {
    this.#connection = connection;
    this.#channel = channel;
    this.#userName = userName;
    this.heartbeatMs = heartbeatMs;
  }

  /** Connects as `as` (the run's `ws-gateway` user unless a forgery is wanted). */
  static async open(options: { heartbeatMs: number; as?: AmqpUser }): Promise<FakeGateway> {
    const { name, url } = testConfig().users[options.as ?? 'ws-gateway'];
    const connection = await amqp.connect(url);
    const channel = await connection.createConfirmChannel();
    return new FakeGateway(connection, channel, name, options.heartbeatMs);
  }

  /** Users' first sockets opened. @returns the report's time. */
  opened(...userIds: string[]): Promise<string> {
    for (const id of userIds) this.held.add(id);
    return this.report('changes', userIds, []);
  }

  /** Users' last sockets closed. @returns the report's time. */
  closed(...userIds: string[]): Promise<string> {
    for (const id of userIds) this.held.delete(id);
    return this.report('changes', [], userIds);
  }

  /** It shuts down. @returns the report's time. */
  goodbye(): Promise<string> {
    this.beat(false);
    this.held.clear();
    return this.report('goodbye', [], []);
  }

  /** Starts (true) or stops (false, the gateway falls silent) its heartbeat with {@link held}. */
  beat(on: boolean): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (!on) return;
    this.#timer = setInterval(() => {
      this.report('heartbeat', [...this.held], []).catch(() => undefined);
    }, this.heartbeatMs);
  }

  /** Publishes one report and resolves with its time once the broker confirmed it. */
  async report(kind: PresenceReport['kind'], online: string[], offline: string[]): Promise<string> {
    const at = new Date().toISOString();
    const report: PresenceReport = {
      instance: this.instance,
      kind,
      online,
      offline,
      at,
      heartbeat_ms: this.heartbeatMs,
    };
    this.#channel.publish(
      exchanges.events.name,
      eventKeys.presence(this.instance),
      Buffer.from(JSON.stringify(report)),
      { userId: this.#userName, contentType: 'application/json' },
    );
    await this.#channel.waitForConfirms();
    return at;
  }

  async close(): Promise<void> {
    this.beat(false);
    await this.#connection.close();
  }
}
