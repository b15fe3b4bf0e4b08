import { randomUUID } from 'node:crypto';
import { declareExchange, names, type SessionEventType, sessionExchange, userExchange } from '@warren/shared/amqp';
import {
  type ChatMessage,
  type DecodeResult,
  decodeDelivery,
  encodeChatMessage,
  encodeSessionEvent,
  NEW_MESSAGE_STATE,
  newChangeId,
  type OutgoingDelivery,
} from '@warren/shared/envelope';
import { testConfig } from '@warren/shared/testing';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';

/** A delivery as a consumer would see it, for `decodeDelivery`. */
function asDelivery(outgoing: { exchange: string; content: Buffer; options: object }) {
  return { fields: { exchange: outgoing.exchange }, properties: outgoing.options, content: outgoing.content };
}

/**
 * What chat-api does to the broker, done by hand until chat-api exists: as the vhost's
 * administrator it makes session exchanges and member bindings; as the run's `chat-api` user (the
 * trusted publisher) it publishes messages and events with the shared encoders. And a third-party
 * producer, the run's `bot` user, on a raw amqplib connection of its own.
 */
export class TestBroker {
  readonly #connections: ChannelModel[];
  readonly #admin: Channel;
  readonly #chatApi: ConfirmChannel;
  readonly #bot: ConfirmChannel;

  private constructor(connections: ChannelModel[], admin: Channel, chatApi: ConfirmChannel, bot: ConfirmChannel) {
    this.#connections = connections;
    this.#admin = admin;
    this.#chatApi = chatApi;
    this.#bot = bot;
  }

  static async start(): Promise<TestBroker> {
    const test = testConfig();
    const admin = await amqp.connect(test.rabbitmqUrl);
    const chatApi = await amqp.connect(test.users['chat-api'].url);
    const bot = await amqp.connect(test.users.bot.url);
    return new TestBroker(
      [admin, chatApi, bot],
      await admin.createChannel(),
      await chatApi.createConfirmChannel(),
      await bot.createConfirmChannel(),
    );
  }

  /** The AMQP user chat-api publishes as (TRUSTED_PUBLISHERS of the test gateways). */
  get chatApiUser(): string {
    return testConfig().users['chat-api'].name;
  }

  /** The third-party producer's AMQP user. */
  get botUser(): string {
    return testConfig().users.bot.name;
  }

  /** Makes a session exchange and binds each member's user exchange to it; its id. */
  async createSession(memberIds: readonly string[]): Promise<string> {
    const sessionId = randomUUID();
    await declareExchange(this.#admin, sessionExchange(sessionId));
    for (const member of memberIds) await this.join(sessionId, member);
    return sessionId;
  }

  /** A member joins: `warren.session.<id>` → `warren.user.<member>`. */
  async join(sessionId: string, userId: string): Promise<void> {
    await declareExchange(this.#admin, userExchange(userId));
    await this.#admin.bindExchange(names.userExchange(userId), names.sessionExchange(sessionId), '');
  }

  /** A member leaves: the binding goes. */
  async leave(sessionId: string, userId: string): Promise<void> {
    await this.#admin.unbindExchange(names.userExchange(userId), names.sessionExchange(sessionId), '');
  }

  /**
   * Publishes a chat user's message as chat-api would (confirmed). Returns what `decodeDelivery`
   * makes of the published delivery: what the persister stores.
   */
  async publishMessage(
    sessionId: string,
    author: { id: string; username: string },
    content: string,
    replyTo: string | null = null,
  ): Promise<ChatMessage> {
    const message = {
      id: randomUUID(),
      session_id: sessionId,
      author: { kind: 'user' as const, id: author.id, username: author.username },
      type: 'text',
      content,
      extra: null,
      created_at: new Date().toISOString(),
      reply_to: replyTo,
      ...NEW_MESSAGE_STATE,
    };
    const outgoing = encodeChatMessage({ message, publisher: this.chatApiUser });
    await this.publishAsChatApi(outgoing);
    const decoded = this.decode(outgoing);
    if (!decoded.ok || decoded.kind !== 'message') throw new Error('the test message does not decode');
    return decoded.message;
  }

  /** Publishes many messages as chat-api and waits for every confirm; their ids in order. */
  async publishMany(
    sessionId: string,
    author: { id: string; username: string },
    contents: string[],
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const content of contents) {
      const id = randomUUID();
      ids.push(id);
      const outgoing = encodeChatMessage({
        publisher: this.chatApiUser,
        message: {
          id,
          session_id: sessionId,
          author: { kind: 'user', id: author.id, username: author.username },
          type: 'text',
          content,
          extra: null,
          created_at: new Date().toISOString(),
          reply_to: null,
          ...NEW_MESSAGE_STATE,
        },
      });
      this.#chatApi.publish(outgoing.exchange, outgoing.routingKey, outgoing.content, publishOptions(outgoing));
    }
    await this.#chatApi.waitForConfirms();
    return ids;
  }

  /**
   * Publishes a session event as chat-api would (confirmed): its id a UUIDv7 from `newChangeId`,
   * which chat-api must use for the events that change a message and may use for any.
   */
  async publishEvent(sessionId: string, event: SessionEventType, data: unknown, expirationMs?: number): Promise<void> {
    await this.publishAsChatApi(
      encodeSessionEvent({
        sessionId,
        event,
        data,
        publisher: this.chatApiUser,
        messageId: newChangeId(),
        ...(expirationMs === undefined ? {} : { expirationMs }),
      }),
    );
  }

  /** Publishes an encoded delivery as chat-api and waits for the confirm. */
  async publishAsChatApi(outgoing: OutgoingDelivery): Promise<void> {
    this.#chatApi.publish(outgoing.exchange, outgoing.routingKey, outgoing.content, publishOptions(outgoing));
    await this.#chatApi.waitForConfirms();
  }

  /**
   * Publishes raw bytes as the bot user with whatever properties it likes (confirmed), and returns
   * what `decodeDelivery` makes of that delivery, trusting chat-api only.
   */
  async publishAsBot(sessionId: string, body: string, properties: Options.Publish = {}): Promise<DecodeResult> {
    const exchange = names.sessionExchange(sessionId);
    const content = Buffer.from(body, 'utf8');
    const options = { userId: this.botUser, ...properties };
    this.#bot.publish(exchange, '', content, options);
    await this.#bot.waitForConfirms();
    return decodeDelivery(asDelivery({ exchange, content, options }), {
      trustedPublishers: [this.chatApiUser],
      receivedAt: new Date(),
    });
  }

  /** What `decodeDelivery` makes of an encoded delivery, trusting chat-api. */
  decode(outgoing: OutgoingDelivery): DecodeResult {
    return decodeDelivery(asDelivery(outgoing), { trustedPublishers: [this.chatApiUser], receivedAt: new Date() });
  }

  /** Deletes a session exchange (with its bindings). */
  async deleteSession(sessionId: string): Promise<void> {
    await this.#admin.deleteExchange(names.sessionExchange(sessionId));
  }

  async stop(): Promise<void> {
    for (const connection of this.#connections) await connection.close().catch(() => undefined);
  }
}

/** amqplib's publish options of an encoded delivery (its headers as a mutable object). */
function publishOptions(outgoing: OutgoingDelivery): Options.Publish {
  return { ...outgoing.options, headers: { ...outgoing.options.headers } };
}
