import { type AmqpClient, declareExchange, names, userExchange } from '@warren/shared/amqp';
import { SharedErrors } from '@warren/shared/errors';
import { declareSessionTopology } from '@warren/shared/session-topology';
import type { Channel } from 'amqplib';

/**
 * The broker side of sessions (AMQP.md: membership is topology): a fanout exchange per session,
 * bound to `warren.messages` and to the personal exchange of each member. Every operation uses a
 * channel of its own, because the broker closes a channel on any refusal and one request's failure
 * must not fail another's; every failure is BROKER_UNAVAILABLE (503).
 */
export class SessionTopology {
  readonly #amqp: AmqpClient;

  constructor(amqp: AmqpClient) {
    this.#amqp = amqp;
  }

  /** Declares a new session's exchange and its bindings; on failure removes what it made. */
  async create(sessionId: string, memberIds: readonly string[]): Promise<void> {
    try {
      await this.#run((channel) => declareSessionTopology(channel, sessionId, memberIds));
    } catch (error) {
      // A half-made session exchange belongs to no session: do not leave it behind.
      await this.delete(sessionId).catch(() => undefined);
      throw error;
    }
  }

  /** Binds the session to a member's personal exchange, which is declared first. */
  async bindMember(sessionId: string, userId: string): Promise<void> {
    await this.#run(async (channel) => {
      await declareExchange(channel, userExchange(userId));
      await channel.bindExchange(names.userExchange(userId), names.sessionExchange(sessionId), '');
    });
  }

  /** Unbinds the session from a member's personal exchange (a missing binding is fine). */
  async unbindMember(sessionId: string, userId: string): Promise<void> {
    await this.#run(async (channel) => {
      await channel.unbindExchange(names.userExchange(userId), names.sessionExchange(sessionId), '');
    });
  }

  /** Deletes the session's exchange and with it every binding it has (a missing one is fine). */
  async delete(sessionId: string): Promise<void> {
    await this.#run(async (channel) => {
      await channel.deleteExchange(names.sessionExchange(sessionId));
    });
  }

  async #run(operation: (channel: Channel) => Promise<void>): Promise<void> {
    let channel: Channel;
    try {
      channel = await this.#amqp.createChannel();
    } catch (error) {
      throw new SharedErrors.brokerUnavailable('the message broker is unavailable', { cause: error });
    }
    // A refusal closes the channel and rejects the operation with why; the event itself is noise.
    channel.on('error', () => undefined);
    try {
      await operation(channel);
    } catch (error) {
      throw new SharedErrors.brokerUnavailable('the message broker refused a membership change', { cause: error });
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}
