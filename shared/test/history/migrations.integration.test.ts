import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createDatabase, databaseSchemas, type Knex, migrate } from '../../src/db/index.ts';
import {
  HISTORY_SCHEMA,
  historyMigrations,
  MESSAGE_SEARCH_CONFIG,
  type SessionActivityRow,
} from '../../src/history/index.ts';
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

    expect(await migrate(db, HISTORY_SCHEMA, historyMigrations.slice(0, 2))).to.deep.equal(['002-session-activity']);
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
      '003-message-search',
      '004-message-changes',
      '005-apply-message-changes',
    ]);
    expect(await activity()).to.deep.equal([]);
  });

  it('adds threads, edits and reactions to history, and can run again', async () => {
    await migrate(db, HISTORY_SCHEMA, historyMigrations);
    const changes = historyMigrations.find((migration) => migration.name === '004-message-changes');
    if (changes === undefined) throw new Error('no 004-message-changes');
    await changes.up(db, HISTORY_SCHEMA);

    const columns = await db.raw<{ rows: { column_name: string; data_type: string; is_nullable: string }[] }>(
      `select column_name, data_type, is_nullable from information_schema.columns
        where table_schema = ? and table_name = 'messages' and column_name in ('reply_to', 'edited_at', 'edit_id')
        order by column_name`,
      [HISTORY_SCHEMA],
    );
    expect(columns.rows).to.deep.equal([
      { column_name: 'edit_id', data_type: 'uuid', is_nullable: 'YES' },
      { column_name: 'edited_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'reply_to', data_type: 'uuid', is_nullable: 'YES' },
    ]);
    const thread = await db.raw<{ rows: { indexdef: string }[] }>(
      `select indexdef from pg_indexes where schemaname = ? and indexname = 'messages_thread'`,
      [HISTORY_SCHEMA],
    );
    expect(thread.rows[0]?.indexdef).to.include('(reply_to, seq)').and.include('WHERE (reply_to IS NOT NULL)');
    const key = await db.raw<{ rows: { column_name: string }[] }>(
      `select a.attname as column_name
         from pg_index i
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = ?::regclass and i.indisprimary
        order by array_position(i.indkey, a.attnum)`,
      [`${HISTORY_SCHEMA}.reactions`],
    );
    expect(key.rows.map((row) => row.column_name)).to.deep.equal(['message_id', 'user_id', 'emoji']);

    await changes.down(db, HISTORY_SCHEMA);
    expect(await db.schema.withSchema(HISTORY_SCHEMA).hasTable('reactions')).to.equal(false);
    expect(await db.schema.withSchema(HISTORY_SCHEMA).hasColumn('messages', 'reply_to')).to.equal(false);
  });

  it('makes a search configuration that folds case and accents, and can run again', async () => {
    await migrate(db, HISTORY_SCHEMA, historyMigrations);
    const search = historyMigrations.find((migration) => migration.name === '003-message-search');
    if (search === undefined) throw new Error('no 003-message-search');
    await search.up(db, HISTORY_SCHEMA);

    const { rows } = await db.raw<{ rows: { vector: string }[] }>(
      `select to_tsvector(?::regconfig, 'Café ÉCOLE Noël-Straße x2é') as vector`,
      [`${HISTORY_SCHEMA}.${MESSAGE_SEARCH_CONFIG}`],
    );
    expect(rows[0]?.vector).to.equal("'cafe':1 'ecole':2 'noel':4 'noel-strasse':3 'strasse':5 'x2e':6");
    const columns = await db.raw<{ rows: { column_name: string; is_nullable: string }[] }>(
      `select column_name, is_nullable from information_schema.columns
        where table_schema = ? and table_name = 'messages' and column_name = 'deleted_at'`,
      [HISTORY_SCHEMA],
    );
    expect(columns.rows).to.deep.equal([{ column_name: 'deleted_at', is_nullable: 'YES' }]);
    const indexes = await db.raw<{ rows: { indexdef: string }[] }>(
      `select indexdef from pg_indexes where schemaname = ? and indexname = 'messages_content_search'`,
      [HISTORY_SCHEMA],
    );
    expect(indexes.rows).to.have.length(1);
    expect(indexes.rows[0]?.indexdef).to.include('USING gin').and.include(MESSAGE_SEARCH_CONFIG);
  });

  it('makes apply_message_changes, which answers what became of each change, and can run again', async () => {
    await migrate(db, HISTORY_SCHEMA, historyMigrations);
    const apply = historyMigrations.find((migration) => migration.name === '005-apply-message-changes');
    if (apply === undefined) throw new Error('no 005-apply-message-changes');
    await apply.up(db, HISTORY_SCHEMA);
    const missing = { id: randomUUID(), kind: 'edit', session_id: randomUUID(), message_id: randomUUID() };
    const answer = await db.raw<{ rows: { result: unknown }[] }>(`select ??.apply_message_changes(?::json) as result`, [
      HISTORY_SCHEMA,
      JSON.stringify([{ ...missing, content: 'x', at: new Date().toISOString() }]),
    ]);
    expect(answer.rows[0]?.result).to.deep.equal({ unknown: [missing.id], over_limit: [], written: 0 });
  });
});
