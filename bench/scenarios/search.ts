// Scenario: full-text message search (GET /api/search) over 1,000,000 stored messages in a few
// thousand sessions, seeded straight into the bench database (generate_series), the caller a member
// of some of them. p95 latency of a one-word and a three-word query (closed loop, one at a time),
// with the database size and the plan PostgreSQL used for the very statement chat-api runs.
import pg from 'pg';
import { messageSearchQuery } from '../../services/chat-api/src/stores/message-search-store.ts';
import type { Context } from '../lib/context.ts';
import { Histogram, type LatencySummary } from '../lib/histogram.ts';
import { call, registerUsers, type User } from '../lib/system.ts';

export interface SearchQueryResult {
  query: string;
  /** Matching messages of the caller's sessions (all pages). */
  matches: number;
  latency: LatencySummary;
  errors: number;
  /** `EXPLAIN (ANALYZE, BUFFERS)` of chat-api's statement for this query, first page. */
  plan: string;
}

export interface SearchResult {
  messages: number;
  sessions: number;
  callerSessions: number;
  /** Messages in the caller's sessions (the seeded ones only: the caller is the scenario's own). */
  callerMessages: number;
  /** Rows of `history.messages` when measured: the seeded ones and any earlier scenario's. */
  tableRows: number;
  seedSeconds: number;
  databaseSize: string;
  messagesTableSize: string;
  searchIndexSize: string;
  oneWord: SearchQueryResult;
  threeWords: SearchQueryResult;
}

const VOCABULARY = 5000;
const WORDS_PER_MESSAGE = 8;
/** The k-th word of the seeded vocabulary (1-based): 7 letters from an md5, so one token. */
const wordSql = (k: string) => `translate(substr(md5(${k}::text), 1, 7), '0123456789', 'ghijklmnop')`;

async function seed(db: pg.Client, owner: User, messages: number, sessions: number, callerSessions: number) {
  await db.query(
    `insert into chat.sessions (id, kind, name, visibility, owner_id)
     select gen_random_uuid(), 'group', 'search bench ' || lpad(g::text, 6, '0'), 'private', $1
       from generate_series(1, $2) g`,
    [owner.id, sessions],
  );
  await db.query(
    `insert into chat.members (session_id, user_id, role)
     select id, $1, 'owner' from chat.sessions where name like 'search bench %' order by name limit $2`,
    [owner.id, callerSessions],
  );
  // Word ranks skewed (rank = VOCABULARY · u², u uniform): a few words are common, most are rare,
  // as in chat. `k <> -g` ties the sub-select to its row, so each message draws its own words.
  const batch = 100_000;
  for (let from = 1; from <= messages; from += batch) {
    await db.query(
      `with v as (select array_agg(${wordSql('i')} order by i) w from generate_series(1, ${VOCABULARY}) i),
            s as (select array_agg(id order by name) ids, count(*)::int n from chat.sessions where name like 'search bench %')
       insert into history.messages (id, session_id, author_kind, author_id, author_name, type, content, created_at)
       select gen_random_uuid(), s.ids[1 + g % s.n], 'user', $1, $2, 'text',
              (select string_agg(v.w[1 + floor(${VOCABULARY} * power(random(), 2))::int + 0 * k], ' ')
                 from generate_series(1, ${WORDS_PER_MESSAGE}) k where k <> -g),
              now() - ($3 - g) * interval '1 second'
         from generate_series($4::int, $5::int) g, v, s`,
      [owner.id, owner.username, messages, from, Math.min(messages, from + batch - 1)],
    );
  }
  await db.query('vacuum analyze history.messages');
  await db.query('analyze chat.members');
}

async function measure(
  ctx: Context,
  db: pg.Client,
  owner: User,
  query: string,
  requests: number,
): Promise<SearchQueryResult> {
  const url = `${ctx.chatUrl}/api/search?${new URLSearchParams({ q: query })}`;
  const latency = new Histogram();
  let errors = 0;
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    const answer = await call(url, 'GET', owner.token);
    latency.record(performance.now() - t);
    if (answer.status !== 200) errors += 1;
  }
  const { sql, bindings } = messageSearchQuery({ callerId: owner.id, words: query, limit: 20 });
  let n = 0;
  const positional = sql.replace(/\?/g, () => `$${++n}`);
  const explained = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${positional}`, bindings);
  const counted = await db.query<{ n: string }>(
    `select count(*) n from (${positional.replace(/limit \$\d+\s*$/, '')}) m`,
    bindings.slice(0, -1),
  );
  return {
    query,
    matches: Number(counted.rows[0]?.n ?? 0),
    latency: latency.summary(),
    errors,
    plan: explained.rows.map((row) => row['QUERY PLAN']).join('\n'),
  };
}

export async function runSearch(ctx: Context): Promise<SearchResult> {
  // A caller of its own, a member of exactly the sessions seeded for it: the bench's shared users
  // own the persister scenario's sessions, hundreds of thousands of messages that would make this
  // another measurement (docs/performance.md has it), and their tokens may have expired by now.
  const [owner] = (await registerUsers(ctx.authUrl, ctx.chatUrl, 1)) as [User];
  const messages = 1_000_000;
  const sessions = 3000;
  const callerSessions = 100;
  const requests = ctx.quick ? 50 : 300;
  const db = new pg.Client({ connectionString: ctx.env.databaseUrl });
  await db.connect();
  try {
    ctx.log(`search: seeding ${messages} messages over ${sessions} sessions`);
    const t0 = performance.now();
    await seed(db, owner, messages, sessions, callerSessions);
    const seedSeconds = Math.round((performance.now() - t0) / 1000);
    ctx.log(`search: seeded in ${seedSeconds} s`);
    const sizes = await db.query<{ database: string; messages: string; search_index: string }>(
      `select pg_size_pretty(pg_database_size(current_database())) as database,
              pg_size_pretty(pg_total_relation_size('history.messages')) as messages,
              pg_size_pretty(pg_relation_size('history.messages_content_search')) as search_index`,
    );
    const counts = await db.query<{ rows: string; caller: string }>(
      `select (select count(*) from history.messages) as rows,
              (select count(*) from history.messages
                where session_id in (select session_id from chat.members where user_id = $1)) as caller`,
      [owner.id],
    );
    // One word: the 100th most frequent of the vocabulary (about 0.6 % of messages hold it). Three
    // words: the first three of the caller's newest message, so at least one message matches.
    const middling = await db.query<{ w: string }>(`select ${wordSql('100')} w`);
    const newest = await db.query<{ content: string }>(
      `select content from history.messages
        where session_id in (select session_id from chat.members where user_id = $1) order by seq desc limit 1`,
      [owner.id],
    );
    const oneWord = await measure(ctx, db, owner, middling.rows[0]?.w ?? '', requests);
    ctx.log(`search: one word p95 ${oneWord.latency.p95} ms (${oneWord.matches} matches)`);
    const three = (newest.rows[0]?.content ?? '').split(' ').slice(0, 3).join(' ');
    const threeWords = await measure(ctx, db, owner, three, requests);
    ctx.log(`search: three words p95 ${threeWords.latency.p95} ms (${threeWords.matches} matches)`);
    const size = sizes.rows[0];
    return {
      messages,
      sessions,
      callerSessions,
      callerMessages: Number(counts.rows[0]?.caller ?? 0),
      tableRows: Number(counts.rows[0]?.rows ?? 0),
      seedSeconds,
      databaseSize: size?.database ?? '?',
      messagesTableSize: size?.messages ?? '?',
      searchIndexSize: size?.search_index ?? '?',
      oneWord,
      threeWords,
    };
  } finally {
    await db.end();
  }
}
