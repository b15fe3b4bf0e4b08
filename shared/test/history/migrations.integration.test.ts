import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createDatabase, databaseSchemas, type Knex, migrate } from '../../src/db/index.ts';
import { HISTORY_SCHEMA, historyMigrations, type SessionActivityRow } from '../../src/history/index.ts';
import { testConfig } from '../../src/testing/index.ts';
import { testLogger } from '../support/integration.ts';

/**
 * The history migrations in a database of the test's own (named after the run's, so a run that
 * dies leaves nothing `npm test` does not remove), since they read chat-api's `chat.sessions`,
 * which the run's database may or may not hold already.
 */
describe('history migrations', () => {
  let admin: Knex;
  let name: string;
  let db: Knex;

  beforeEach(async () => {
    admin = createDatabase({ url: testConfig().databaseUrl, logger: testLogger() });
    const url = new URL(testConfig().databaseUrl);
    name = `${url.pathname.slice(1)}_history_${randomBytes(3).toString('hex')}`;
    await admin.raw('create database ??', [name]);
    url.pathname = `/${name}`;
    db = createDatabase({ url: url.toString(), logger: testLogger() });
  });
  afterEach(async () => {
    await db?.destroy();
    await admin.raw('drop database if exists ?? with (force)', [name]);
    await admin.destroy();
  });

  const activity = (): Promise<SessionActivityRow[]> =>
    db.withSchema(HISTORY_SCHEMA).from('session_activity').orderBy('session_id');

  it('moves the message bumps of existing sessions out of chat.sessions, so chat-api shows each as before', async () => {
    // chat.sessions as the persister used to keep it.
    const chat = databaseSchemas.chat;
    await db.raw('create schema ??', [chat]);
    await db.schema.withSchema(chat).createTable('sessions', (table) => {
      table.uuid('id').primary();
      table.timestamp('bumped_at', { useTz: true }).notNullable();
      table.bigInteger('version').notNullable();
      table.uuid('last_message_id');
    });
    const [talked, quiet] = ['0191d7a0-0000-7000-8000-00000000000a', '0191d7a0-0000-7000-8000-00000000000b'];
    const lastMessage = '0191d7a0-0000-7000-8000-0000000000ff';
    const bumpedAt = new Date('2025-03-04T05:06:07.089Z');
    await db
      .withSchema(chat)
      .into('sessions')
      .insert([
        { id: talked, bumped_at: bumpedAt, version: 7, last_message_id: lastMessage },
        { id: quiet, bumped_at: new Date('2025-01-01T00:00:00Z'), version: 2, last_message_id: null },
      ]);
    expect(await migrate(db, HISTORY_SCHEMA, historyMigrations.slice(0, 1))).to.deep.equal(['001-messages']);

    expect(await migrate(db, HISTORY_SCHEMA, historyMigrations)).to.deep.equal(['002-session-activity']);
    // Its version already counts the messages stored before: none are added on top.
    expect(await activity()).to.deep.equal([
      { session_id: talked, last_message_id: lastMessage, bumped_at: bumpedAt, stored_messages: '0' },
    ]);
    const sessions = await db.withSchema(chat).from('sessions').orderBy('id');
    expect(
      sessions.map((row) => Number(row.version)),
      'chat.sessions untouched',
    ).to.deep.equal([7, 2]);
  });

  it('makes an empty table in a database chat-api has not migrated yet', async () => {
    expect(await migrate(db, HISTORY_SCHEMA, historyMigrations)).to.deep.equal([
      '001-messages',
      '002-session-activity',
    ]);
    expect(await activity()).to.deep.equal([]);
  });
});
