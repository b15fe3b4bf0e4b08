import { randomUUID } from 'node:crypto';
import { exchanges, names, queues } from '@warren/shared/amqp';
import { testConfig } from '@warren/shared/testing';
import amqp, { type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';
import type { TestDatabase } from './database.ts';

/**
 * A plain amqplib connection (no code of the project) as one AMQP user of the run, with a confirm
 * channel: what any third-party producer has.
 */
export class RawPublisher {
  readonly #connection: ChannelModel;
  readonly channel: ConfirmChannel;

  private constructor(connection: ChannelModel, channel: ConfirmChannel) {
    this.#connection = connection;
    this.channel = channel;
  }

  static async connect(url: string): Promise<RawPublisher> {
    const connection = await amqp.connect(url);
    return new RawPublisher(connection, await connection.createConfirmChannel());
  }

  /** Publishes and resolves once the broker confirmed it. */
  async publish(exchange: string, content: string | Buffer, options: Options.Publish = {}): Promise<void> {
    this.send(exchange, content, options);
    await this.channel.waitForConfirms();
  }

  /** Publishes without waiting; {@link RawPublisher.confirmed} waits for every publish so far. */
  send(exchange: string, content: string | Buffer, options: Options.Publish = {}): void {
    this.channel.publish(exchange, '', typeof content === 'string' ? Buffer.from(content) : content, {
      persistent: true,
      ...options,
    });
  }

  async confirmed(): Promise<void> {
    await this.channel.waitForConfirms();
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}

/** The run's vhost as its administrator: sets up sessions and reads dead letters. */
export class TestBroker {
  readonly admin: RawPublisher;

  private constructor(admin: RawPublisher) {
    this.admin = admin;
  }

  static async connect(): Promise<TestBroker> {
    return new TestBroker(await RawPublisher.connect(testConfig().rabbitmqUrl));
  }

  /**
   * A session as chat-api makes one: its row in chat.sessions, its fanout exchange bound to
   * `warren.messages` (so the persister's queue gets its traffic).
   * @returns the session id.
   */
  async createSession(database: TestDatabase, options: { inDatabase?: boolean } = {}): Promise<string> {
    const id = randomUUID();
    const exchange = names.sessionExchange(id);
    await this.admin.channel.assertExchange(exchange, 'fanout', { durable: true });
    await this.admin.channel.bindExchange(exchanges.messages.name, exchange, '');
    if (options.inDatabase ?? true) await database.insertSession(id);
    return id;
  }

  /** A session as {@link createSession} makes it, with the name of its exchange, where its messages go. */
  async createSessionExchange(database: TestDatabase): Promise<{ session: string; exchange: string }> {
    const session = await this.createSession(database);
    return { session, exchange: names.sessionExchange(session) };
  }

  /**
   * Takes the dead letter carrying `messageId` out of `warren.dead-letter` (acknowledged), leaving
   * every other one there.
   * @throws when the queue holds no such letter.
   */
  async takeDeadLetter(messageId: string): Promise<GetMessage> {
    const { channel } = this.admin;
    const others: GetMessage[] = [];
    try {
      for (;;) {
        const message = await channel.get(queues.deadLetter.name, { noAck: false });
        if (message === false) throw new Error(`no dead letter with message id ${messageId}`);
        if (message.properties.messageId === messageId) {
          channel.ack(message);
          return message;
        }
        others.push(message);
      }
    } finally {
      for (const message of others) channel.nack(message, false, true);
    }
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}

/** The run's AMQP users as raw publishers. */
export const users = {
  bot: () => RawPublisher.connect(testConfig().users.bot.url),
  chatApi: () => RawPublisher.connect(testConfig().users['chat-api'].url),
} as const;
