import type { Channel } from 'amqplib';
import type { Knex } from 'knex';
import type { AmqpClient } from '../amqp/amqp-client.ts';
import type { Logger } from '../logging/logger.ts';
import { declareSessionTopology } from './declare-session-topology.ts';
import { forEachSessionPage } from './session-pages.ts';

/** What a rebuild did. */
export interface TopologySyncResult {
  /** Session exchanges declared and bound to `warren.messages`. */
  readonly sessions: number;
  /** Member bindings (session exchange → user exchange) made. */
  readonly memberBindings: number;
}

/** Options of {@link syncTopology}. */
export interface TopologySyncOptions {
  db: Knex;
  amqp: AmqpClient;
  logger: Logger;
  /** Sessions read, locked and declared at a time. @defaultValue 100 */
  pageSize?: number;
  /** Channels declaring in parallel (each waits for the broker's answer to every operation). @defaultValue 4 */
  channels?: number;
}

/**
 * Rebuilds every session exchange and member binding from PostgreSQL (AMQP.md), so a broker that
 * lost its definitions is made whole: what chat-api's start, `npm run topology:sync` and `warren topology sync` run.
 * Idempotent. Sessions are taken a page at a time with their rows share-locked while their
 * bindings are declared, so a membership change running meanwhile (which locks the row for
 * update) comes after and is not overwritten by a stale list of members.
 *
 * It makes what is missing and cannot remove what is extra: AMQP cannot list bindings, and chat-api
 * unbinds in the same transaction that removes a member, so extras only come from outside.
 *
 * @throws what the broker or the database threw; what was declared before stays.
 */
export async function syncTopology(options: TopologySyncOptions): Promise<TopologySyncResult> {
  const { db, amqp } = options;
  const log = options.logger.child({ module: 'topology-sync' });
  const pageSize = options.pageSize ?? 100;
  const channels: Channel[] = [];
  const declaredUsers = new Set<string>();
  let sessions = 0;
  let memberBindings = 0;
  try {
    for (let i = 0; i < (options.channels ?? 4); i += 1) {
      const channel = await amqp.createChannel();
      channel.on('error', () => undefined);
      channels.push(channel);
    }
    await forEachSessionPage(db, pageSize, async (membersOf) => {
      const queue = [...membersOf];
      await Promise.all(
        channels.map(async (channel) => {
          for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
            const [sessionId, memberIds] = next;
            await declareSessionTopology(channel, sessionId, memberIds, declaredUsers);
            sessions += 1;
            memberBindings += memberIds.length;
          }
        }),
      );
    });
  } finally {
    for (const channel of channels) await channel.close().catch(() => undefined);
  }
  log.info({ sessions, memberBindings }, 'session topology rebuilt from the database');
  return { sessions, memberBindings };
}
