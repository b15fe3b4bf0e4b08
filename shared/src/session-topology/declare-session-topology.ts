import type { Channel } from 'amqplib';
import { declareExchange, exchanges, names, sessionExchange, userExchange } from '../amqp/index.ts';

/**
 * Declares a session's exchange, binds it to `warren.messages` (so the persister sees its traffic)
 * and to each member's personal exchange (declared first: whoever needs it first declares it).
 * Idempotent, so it also repairs a broker that lost some of it.
 *
 * @param declaredUsers user exchanges already declared on this broker, skipped and added to; lets
 * a rebuild of many sessions declare each user's exchange once.
 */
export async function declareSessionTopology(
  channel: Channel,
  sessionId: string,
  memberIds: readonly string[],
  declaredUsers: Set<string> = new Set(),
): Promise<void> {
  const exchange = names.sessionExchange(sessionId);
  await declareExchange(channel, sessionExchange(sessionId));
  await channel.bindExchange(exchanges.messages.name, exchange, '');
  for (const userId of memberIds) {
    if (!declaredUsers.has(userId)) {
      await declareExchange(channel, userExchange(userId));
      declaredUsers.add(userId);
    }
    await channel.bindExchange(names.userExchange(userId), exchange, '');
  }
}
