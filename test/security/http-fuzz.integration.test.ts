import { expect } from 'chai';
import { type TestUser, useWarren } from '../support/warren.ts';
import { Random } from './support.ts';

/**
 * HTTP.md under hostile input: random and malformed bodies, huge bodies, wrong types, deep nesting,
 * invalid UTF-8 and odd ids to every route of auth and chat-api. Every answer is a documented 2xx or a
 * 4xx problem+json, never a 5xx, never a hang, and both services answer /healthz afterwards.
 * Seeded: FUZZ_SEED replays a run; FUZZ_REQUESTS sets its size.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 10_000;

describe('HTTP fuzz of auth and chat-api (security)', function () {
  this.timeout(180_000);
  const warren = useWarren();
  let alice: TestUser;
  let bob: TestUser;
  let session: string;

  before(async () => {
    alice = await warren.register('fuzza');
    bob = await warren.register('fuzzb');
    session = await warren.createSession(alice, [bob]);
  });

  it(`answers ${REQUESTS} hostile requests with 2xx or 4xx problem+json, never 5xx or a hang (seed ${SEED})`, async () => {
    const random = new Random(SEED);
    const oddIds = () => [
      session,
      '00000000-0000-0000-0000-000000000000',
      crypto.randomUUID(),
      'not-a-uuid',
      '%00',
      '%ff%fe',
      "1' OR '1'='1",
      '..%2F..%2Fetc%2Fpasswd',
      'x'.repeat(random.pick([1, 300, 5000])),
      encodeURIComponent('<script>'),
      '-1',
      '1e309',
      alice.id,
    ];
    const id = () => random.pick(oddIds());
    const routes: Array<{ base: 'auth' | 'chat'; method: string; path: () => string }> = [
      { base: 'auth', method: 'POST', path: () => '/auth/register' },
      { base: 'auth', method: 'POST', path: () => '/auth/login' },
      { base: 'auth', method: 'POST', path: () => '/auth/refresh' },
      { base: 'auth', method: 'POST', path: () => '/auth/logout' },
      { base: 'auth', method: 'GET', path: () => '/auth/me' },
      { base: 'auth', method: 'GET', path: () => '/auth/.well-known/jwks.json' },
      { base: 'auth', method: random.pick(['PUT', 'DELETE', 'PATCH']), path: () => `/auth/${id()}` },
      { base: 'chat', method: 'POST', path: () => '/api/sessions' },
      { base: 'chat', method: 'GET', path: () => '/api/sessions' },
      { base: 'chat', method: 'GET', path: () => `/api/sessions/search?q=${encodeURIComponent(random.string(40))}` },
      { base: 'chat', method: 'GET', path: () => `/api/sessions/${id()}` },
      { base: 'chat', method: 'PATCH', path: () => `/api/sessions/${id()}` },
      { base: 'chat', method: 'DELETE', path: () => `/api/sessions/${id()}` },
      { base: 'chat', method: 'POST', path: () => `/api/sessions/${id()}/join` },
      { base: 'chat', method: 'POST', path: () => `/api/sessions/${id()}/leave` },
      { base: 'chat', method: 'POST', path: () => `/api/sessions/${id()}/members` },
      { base: 'chat', method: 'DELETE', path: () => `/api/sessions/${id()}/members/${id()}` },
      { base: 'chat', method: 'POST', path: () => '/api/direct' },
      {
        base: 'chat',
        method: 'GET',
        path: () =>
          `/api/sessions/${id()}/messages?limit=${random.pick(['0', '-5', '1e9', 'abc', '50', ''])}&${random.pick(['before', 'after', 'x'])}=${id()}`,
      },
      { base: 'chat', method: 'POST', path: () => `/api/sessions/${id()}/messages` },
      { base: 'chat', method: 'POST', path: () => `/api/sessions/${id()}/read` },
      { base: 'chat', method: 'POST', path: () => `/api/sessions/${id()}/typing` },
      { base: 'chat', method: 'GET', path: () => `/api/users?q=${encodeURIComponent(random.string(30))}` },
      { base: 'chat', method: random.pick(['GET', 'POST', 'PUT']), path: () => `/api/${id()}` },
    ];
    const deep = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
    const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const scalar = () => random.pick<unknown>([null, true, 0, -1, 1e308, '', random.string(20), [], {}, [1, 'a']]);
    const fields = ['username', 'password', 'email', 'refresh_token', 'name', 'visibility', 'members', 'content'];
    const moreFields = ['type', 'extra', 'id', 'message_id', '__proto__', 'constructor'];
    const bodies: Array<() => { body?: Buffer | string; type?: string }> = [
      () => ({}),
      () => ({ body: random.bytes(random.int(200)), type: 'application/json' }),
      () => ({ body: random.string(100), type: 'application/json' }),
      () => ({ body: '{"content": "unterminated', type: 'application/json' }),
      () => ({
        body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
        type: 'application/json',
      }),
      () => ({ body: deep(random.pick([100, 5000, 100_000])), type: 'application/json' }),
      () => ({ body: deepObject(random.pick([100, 5000, 50_000])), type: 'application/json' }),
      () => ({ body: JSON.stringify(scalar()), type: 'application/json' }),
      () => ({
        body: JSON.stringify(Object.fromEntries([...fields, ...moreFields].map((field) => [field, scalar()]))),
        type: 'application/json',
      }),
      () => ({
        body: JSON.stringify({
          username: random.string(40),
          password: random.string(80),
          name: random.string(300),
          content: random.string(2000),
          type: random.string(40),
          extra: { nested: deepObject(3), n: scalar() },
          id: id(),
          message_id: id(),
          members: [random.string(10), scalar()],
          refresh_token: random.string(60),
          visibility: random.pick(['public', 'private', 'secret', 1]),
        }),
        type: 'application/json',
      }),
      () => ({
        body: random.string(100),
        type: random.pick([
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
        ]),
      }),
      () => ({ body: 'x'.repeat(1024 * 1024 + random.int(4096)), type: 'application/json' }),
      () => ({ body: `{"content":"${'a'.repeat(2 * 1024 * 1024)}"}`, type: 'application/json' }),
    ];
    const tokens = () => [undefined, alice.token, bob.token, 'garbage', `${alice.token}x`, 'a.b.c', ''];

    const counts = new Map<number, number>();
    const failures: string[] = [];
    let sent = 0;
    const one = async (n: number): Promise<void> => {
      const route = random.pick(routes);
      const path = route.path();
      const { body, type } = random.pick(bodies)();
      const token = random.pick(tokens());
      const base = route.base === 'auth' ? warren.authUrl : warren.chatUrl;
      const method = route.method;
      const headers: Record<string, string> = {};
      if (token !== undefined) headers.authorization = random.next() < 0.1 ? token : `Bearer ${token}`;
      if (type) headers['content-type'] = type;
      const what = `#${n} ${method} ${path.slice(0, 120)} (${type ?? 'no body'}, ${body?.length ?? 0} bytes)`;
      try {
        const response = await fetch(`${base}${path}`, {
          method,
          headers,
          body: method === 'GET' ? undefined : body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
        if (response.status >= 500) failures.push(`${what}: ${response.status} ${text.slice(0, 200)}`);
        else if (response.status >= 400) {
          const contentType = response.headers.get('content-type') ?? '';
          if (!contentType.startsWith('application/problem+json'))
            failures.push(`${what}: ${response.status} as ${contentType}`);
          else {
            const problem = JSON.parse(text);
            if (problem.status !== response.status || typeof problem.title !== 'string')
              failures.push(`${what}: malformed problem ${text.slice(0, 200)}`);
            if (/\bat .*\.ts:\d+|SELECT |INSERT |syntax error/i.test(text))
              failures.push(`${what}: leaks ${text.slice(0, 200)}`);
          }
        }
      } catch (error) {
        failures.push(`${what}: ${(error as Error).name} ${(error as Error).message}`);
      }
    };
    const worker = async (): Promise<void> => {
      while (sent < REQUESTS) {
        const n = sent++;
        await one(n);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    for (const url of [warren.authUrl, warren.chatUrl]) {
      expect((await fetch(`${url}/healthz`)).status, url).to.equal(200);
      expect((await fetch(`${url}/readyz`)).status, url).to.equal(200);
    }
    // The session still answers its members as before.
    expect((await warren.api(bob, 'GET', `/api/sessions/${session}`)).status).to.equal(200);
    console.log(
      `      fuzz seed ${SEED}: ${REQUESTS} requests, statuses ${JSON.stringify(Object.fromEntries(counts))}`,
    );
    expect(failures.slice(0, 20), `${failures.length} failures`).to.deep.equal([]);
  });
});
