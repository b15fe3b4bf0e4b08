import { databaseSchemas, type Knex } from '@warren/shared/db';
import type { ChatMessage, MessageChange } from '@warren/shared/envelope';
import { HISTORY_SCHEMA, messageRowOf } from '@warren/shared/history';
import { BATCH_STATEMENT, type BatchStatementResult, batchParameters, type StoredOrigin } from './batch-statement.ts';
import {
  BATCH_WITH_CHANGES_STATEMENT,
  type BatchWithChangesResult,
  batchWithChangesParameters,
} from './batch-with-changes-statement.ts';
import { type ChangesOutcome, changesOutcomeOf } from './change-store.ts';
import { runNamedStatement } from './named-statement.ts';
import { isRejectedData } from './rejected-data.ts';
import { threadRootsOf } from './thread-roots.ts';

/** The name {@link BATCH_STATEMENT} is prepared under, on each connection. */
const STATEMENT_NAME = 'warren-persister-store-batch';
/** The name {@link BATCH_WITH_CHANGES_STATEMENT} is prepared under, on each connection. */
const WITH_CHANGES_STATEMENT_NAME = 'warren-persister-store-batch-with-changes';

/** What became of one message of a batch. */
export type MessageOutcome =
  /** Newly stored, at this `seq` (a bigint, as a decimal string). */
  | { readonly status: 'stored'; readonly seq: string }
  /** Its id was already stored, for the same session and author (a redelivery or a second publish): nothing written. */
  | { readonly status: 'duplicate' }
  /** Its id was already stored for another session or author: nothing written, to be dead-lettered. */
  | { readonly status: 'id_collision' }
  /** Its session is not in `chat.sessions`: nothing written, to be dead-lettered. */
  | { readonly status: 'unknown_session' }
  /** A reply whose `reply_to` names no message of its session: nothing written, to be dead-lettered. */
  | { readonly status: 'unknown_reply_to' }
  /** PostgreSQL refused its values (see {@link isRejectedData}): nothing written, to be dead-lettered. */
  | { readonly status: 'rejected'; readonly detail: string };

/** What one committed transaction did. */
export interface StoreOutcome {
  /** One outcome per message given, in the same order. */
  readonly outcomes: readonly MessageOutcome[];
  /** The message stored last (highest `seq`), or null when nothing was new. */
  readonly newest: ChatMessage | null;
}

/** A stored row as `returning` gives it. */
interface InsertedRow {
  seq: string;
  id: string;
}

/** What a session's activity learns from one batch. */
interface SessionBump {
  lastId: string;
  lastSeq: bigint;
  newestCreatedAt: string;
  added: number;
}

/**
 * Whether a stored row is the same message's: same session and same author (a chat user by id, a
 * bot by name, or both system messages). A redelivery, or a client's retry through chat-api, is.
 */
function isSameOrigin(stored: StoredOrigin, message: ChatMessage): boolean {
  const row = originOf(message);
  return (
    stored.session_id === row.session_id &&
    stored.author_kind === row.author_kind &&
    stored.author_id === row.author_id &&
    (row.author_kind !== 'bot' || stored.author_name === row.author_name)
  );
}

/** Who and where a message is, as its stored row says it. */
function originOf(message: ChatMessage): StoredOrigin {
  const { id, session_id, author_kind, author_id, author_name } = messageRowOf(message);
  return { id, session_id, author_kind, author_id, author_name };
}

/**
 * Writes batches of messages into `history.messages` and keeps `history.session_activity` in step,
 * each batch in one transaction:
 *
 * 1. locks the batch's sessions that exist: it reads chat-api's `chat.sessions` (`select … for
 *    update`, in id order so concurrent persisters cannot deadlock), and writes nothing there.
 *    Holding the lock while inserting means a session's messages get their `seq` in commit order, so
 *    "highest seq" below is the session's newest message even with several persisters; a session
 *    being deleted or changed by chat-api waits for the batch (or the batch for it), so no message is
 *    stored for a deleted session and a change's `version` counts the messages stored before it;
 * 2. resolves the thread root of each reply (a reply to a reply belongs to the root; a reply whose
 *    `reply_to` names no message of its session is `unknown_reply_to`, left out);
 * 3. inserts the messages of those sessions in one multi-row `insert … on conflict (id) do nothing
 *    returning`: a message whose id is stored already is skipped, so redeliveries are harmless.
 *    Should PostgreSQL refuse a value, the insert is redone row by row (each in a savepoint) and only
 *    the refused rows are left out;
 * 4. reads back the stored rows of the skipped ids (only when some were skipped, so a batch of new
 *    messages costs nothing more): an id stored for the same session and author is a `duplicate`,
 *    one stored for another session or author an `id_collision` (AMQP.md: refused, dead-lettered),
 *    so a producer reusing an id can never have a message shown live and silently never stored;
 * 5. records the activity of each session that got new messages, in one `insert … on conflict do
 *    update` (see `SessionActivityRow`): `last_message_id` its highest-seq new message, `bumped_at`
 *    the latest of itself and the newest new `created_at`, that taken at most as the time of storing
 *    (`now()`): a message dated in the future never pins its session above newer activity, and
 *    `bumped_at` never moves backwards; `stored_messages` + the count of new messages (duplicates do
 *    not count).
 *
 * A batch first goes as one statement that does all five ({@link BATCH_STATEMENT}): one round trip,
 * committed as it ends. Only when PostgreSQL refuses a value in it (nothing is written then) is the
 * batch done again in steps, in an explicit transaction with savepoints, to leave out just the
 * refused rows.
 */
export class MessageStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Stores a batch in one transaction.
   * @throws whatever PostgreSQL or the driver throws when the transaction cannot commit (nothing
   * is stored then, so the whole batch can be retried).
   */
  async store(messages: readonly ChatMessage[]): Promise<StoreOutcome> {
    if (messages.length === 0) return { outcomes: [], newest: null };
    let result: BatchStatementResult;
    try {
      result = await runNamedStatement<BatchStatementResult>(this.#db, STATEMENT_NAME, BATCH_STATEMENT, [
        ...batchParameters(messages),
      ]);
    } catch (error) {
      if (!isRejectedData(error)) throw error;
      return this.#storeInSteps(messages);
    }
    return this.#outcomeOf(messages, result);
  }

  /**
   * Stores a batch and applies the changes that came with it in one statement
   * ({@link BATCH_WITH_CHANGES_STATEMENT}), so both cost one round trip and one commit. A change
   * finds a message of the same batch.
   * @returns null, with nothing written, when PostgreSQL refused a value of either: the caller
   * then does both apart, where each leaves out just what is refused.
   * @throws as {@link MessageStore.store} (nothing written then).
   */
  async storeWith(
    messages: readonly ChatMessage[],
    changes: readonly MessageChange[],
  ): Promise<{ stored: StoreOutcome; changes: ChangesOutcome } | null> {
    let result: BatchWithChangesResult;
    try {
      result = await runNamedStatement<BatchWithChangesResult>(
        this.#db,
        WITH_CHANGES_STATEMENT_NAME,
        BATCH_WITH_CHANGES_STATEMENT,
        batchWithChangesParameters(messages, changes),
      );
    } catch (error) {
      if (isRejectedData(error)) return null;
      throw error;
    }
    return {
      stored: await this.#outcomeOf(messages, result.messages),
      changes: changesOutcomeOf(changes, result.changes),
    };
  }

  /** The outcome of each message of a batch {@link BATCH_STATEMENT} answered `result` for. */
  async #outcomeOf(messages: readonly ChatMessage[], result: BatchStatementResult): Promise<StoreOutcome> {
    const known = new Set(result.known);
    const orphans = new Set(result.orphans);
    const seqById = new Map(result.inserted.map(([seq, id]) => [id, seq]));
    const firstById = new Map<string, ChatMessage>();
    const stored = new Map<string, StoredOrigin>();
    for (const [id, session_id, author_kind, author_id, author_name] of result.stored)
      stored.set(id, { id, session_id, author_kind, author_id, author_name });
    const outcomes: MessageOutcome[] = [];
    const unseen: number[] = [];
    let newest: { message: ChatMessage; seq: bigint } | null = null;
    for (const [index, message] of messages.entries()) {
      if (!known.has(message.session_id)) {
        outcomes.push({ status: 'unknown_session' });
        continue;
      }
      if (orphans.has(index + 1)) {
        outcomes.push({ status: 'unknown_reply_to' });
        continue;
      }
      const seq = seqById.get(message.id);
      const first = firstById.get(message.id);
      if (seq !== undefined && first === undefined) {
        // An id given twice in one batch is inserted once: the first occurrence is the stored one.
        firstById.set(message.id, message);
        outcomes.push({ status: 'stored', seq });
        const order = BigInt(seq);
        if (newest === null || order > newest.seq) newest = { message, seq: order };
        continue;
      }
      const origin = first === undefined ? stored.get(message.id) : originOf(first);
      if (origin === undefined) unseen.push(index);
      outcomes.push(
        origin === undefined || isSameOrigin(origin, message) ? { status: 'duplicate' } : { status: 'id_collision' },
      );
    }
    // Stored by a transaction that committed while the statement waited for it: read it now.
    if (unseen.length > 0) await this.#findCollisions(this.#db, messages, unseen, outcomes);
    return { outcomes, newest: newest?.message ?? null };
  }

  /** Stores a batch in steps, in an explicit transaction: the insert can then leave out refused rows. */
  async #storeInSteps(messages: readonly ChatMessage[]): Promise<StoreOutcome> {
    return this.#db.transaction(async (trx) => {
      const sessionIds = [...new Set(messages.map((message) => message.session_id))];
      const existing: { id: string }[] = await trx
        .withSchema(databaseSchemas.chat)
        .from('sessions')
        .select('id')
        .whereIn('id', sessionIds)
        .orderBy('id')
        .forUpdate();
      const known = new Set(existing.map((row) => row.id));

      const outcomes: MessageOutcome[] = messages.map((message) =>
        known.has(message.session_id) ? { status: 'duplicate' } : { status: 'unknown_session' },
      );
      const inSessions = messages.flatMap((message, index) => (known.has(message.session_id) ? [index] : []));
      const roots = await threadRootsOf(trx, messages, inSessions);
      for (const [index, root] of roots) if (root === null) outcomes[index] = { status: 'unknown_reply_to' };
      const candidates = inSessions.filter((index) => roots.get(index) !== null);
      const inserted = await this.#insert(trx, messages, candidates, roots, outcomes);

      // An id given twice in one batch is inserted once: the first occurrence is the stored one.
      const seqById = new Map(inserted.map((row) => [row.id, row.seq]));
      const bumps = new Map<string, SessionBump>();
      let newest: { message: ChatMessage; seq: bigint } | null = null;
      for (const index of candidates) {
        const message = messages[index] as ChatMessage;
        const seq = seqById.get(message.id);
        if (seq === undefined || outcomes[index]?.status === 'rejected') continue;
        seqById.delete(message.id);
        outcomes[index] = { status: 'stored', seq };
        const order = BigInt(seq);
        if (newest === null || order > newest.seq) newest = { message, seq: order };
        const bump = bumps.get(message.session_id);
        if (bump === undefined) {
          bumps.set(message.session_id, {
            lastId: message.id,
            lastSeq: order,
            newestCreatedAt: message.created_at,
            added: 1,
          });
          continue;
        }
        bump.added += 1;
        if (order > bump.lastSeq) {
          bump.lastSeq = order;
          bump.lastId = message.id;
        }
        if (Date.parse(message.created_at) > Date.parse(bump.newestCreatedAt))
          bump.newestCreatedAt = message.created_at;
      }
      const skipped = candidates.filter((index) => outcomes[index]?.status === 'duplicate');
      await this.#findCollisions(trx, messages, skipped, outcomes);
      await this.#recordActivity(trx, bumps);
      return { outcomes, newest: newest?.message ?? null };
    });
  }

  /** Inserts the candidates, all at once or, when PostgreSQL refuses a value, one by one. */
  async #insert(
    trx: Knex.Transaction,
    messages: readonly ChatMessage[],
    candidates: readonly number[],
    roots: ReadonlyMap<number, string | null>,
    outcomes: MessageOutcome[],
  ): Promise<InsertedRow[]> {
    if (candidates.length === 0) return [];
    const rowOf = (index: number) => ({
      ...messageRowOf(messages[index] as ChatMessage),
      reply_to: roots.get(index) ?? null,
    });
    const insert = (db: Knex.Transaction, indexes: readonly number[]): Promise<InsertedRow[]> =>
      db
        .withSchema(HISTORY_SCHEMA)
        .into('messages')
        .insert(indexes.map(rowOf))
        .onConflict('id')
        .ignore()
        .returning(['seq', 'id']);
    try {
      // A savepoint, so a refused value leaves the transaction (and its session locks) usable.
      return await trx.transaction((savepoint) => insert(savepoint, candidates));
    } catch (error) {
      if (!isRejectedData(error)) throw error;
    }
    const inserted: InsertedRow[] = [];
    for (const index of candidates) {
      try {
        inserted.push(...(await trx.transaction((savepoint) => insert(savepoint, [index]))));
      } catch (error) {
        if (!isRejectedData(error)) throw error;
        const code = (error as { code: string }).code;
        outcomes[index] = { status: 'rejected', detail: `PostgreSQL refused the message (SQLSTATE ${code})` };
      }
    }
    return inserted;
  }

  /** Turns those of the `skipped` (duplicates) whose stored row has another session or author into `id_collision`. */
  async #findCollisions(
    db: Knex,
    messages: readonly ChatMessage[],
    skipped: readonly number[],
    outcomes: MessageOutcome[],
  ): Promise<void> {
    if (skipped.length === 0) return;
    const ids = [...new Set(skipped.map((index) => (messages[index] as ChatMessage).id))];
    const rows: StoredOrigin[] = await db
      .withSchema(HISTORY_SCHEMA)
      .from('messages')
      .select('id', 'session_id', 'author_kind', 'author_id', 'author_name')
      .whereIn('id', ids);
    const stored = new Map(rows.map((row) => [row.id, row]));
    for (const index of skipped) {
      const message = messages[index] as ChatMessage;
      const row = stored.get(message.id);
      if (row !== undefined && !isSameOrigin(row, message)) outcomes[index] = { status: 'id_collision' };
    }
  }

  async #recordActivity(trx: Knex.Transaction, bumps: ReadonlyMap<string, SessionBump>): Promise<void> {
    if (bumps.size === 0) return;
    const values: (string | number)[] = [];
    for (const [id, bump] of bumps) values.push(id, bump.lastId, bump.newestCreatedAt, bump.added);
    await trx.raw(
      `insert into ??.session_activity as a (session_id, last_message_id, bumped_at, stored_messages)
       select v.id, v.last_id, least(v.newest, now()), v.added
         from (values ${[...bumps.keys()].map(() => '(?::uuid, ?::uuid, ?::timestamptz, ?::bigint)').join(', ')})
              as v(id, last_id, newest, added)
       on conflict (session_id) do update
          set last_message_id = excluded.last_message_id,
              bumped_at = greatest(a.bumped_at, excluded.bumped_at),
              stored_messages = a.stored_messages + excluded.stored_messages`,
      [HISTORY_SCHEMA, ...values],
    );
  }
}
