import { exchanges, names } from '@warren/shared/amqp';
import { expect } from 'chai';
import { asAdmin } from './support/broker-admin.ts';
import { type TestUser, useChatApi } from './support/chat-api-harness.ts';

describe('chat-api metrics (docs/operations.md)', () => {
  // One post a second, no burst: a user's second post in a row is refused with 429. Each test
  // posts as a user of its own, so only the rate-limit test reaches the limit.
  const h = useChatApi({ POST_RATE_PER_SEC: '1', POST_BURST: '1' });
  const [alice, bob, carol, dave] = h.users('m_alice', 'm_bob', 'm_carol', 'm_dave');

  const newSession = async (owner: TestUser) => {
    const created = await h.api(owner).post('/api/sessions', { members: [] });
    expect(created.status).to.equal(201);
    return created.body.id as string;
  };
  const post = (user: TestUser, sessionId: string, body: object) =>
    h.api(user).post(`/api/sessions/${sessionId}/messages`, body);

  /** The value of one sample of chat-api's `/metrics`, matched by name and labels (undefined when absent). */
  const sample = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> => {
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((pair) => l.includes(pair)));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  /** The samples named, before and after `act`: each must be exported before, at 0 at least. */
  const around = async (wanted: [string, Record<string, string>][], act: () => Promise<unknown>) => {
    const read = () => Promise.all(wanted.map(([name, labels]) => sample(name, labels)));
    const before = await read();
    for (const [i, value] of before.entries()) expect(value, `${wanted[i]?.[0]} exported before`).to.be.a('number');
    await act();
    const after = await read();
    return after.map((value, i) => (value ?? Number.NaN) - (before[i] ?? 0));
  };

  it('exports the default process and Node metrics, labelled with the service', async () => {
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(text).to.match(/^process_resident_memory_bytes\{service="chat-api"\} /m);
    expect(text).to.match(/^nodejs_heap_size_used_bytes\{service="chat-api"\} /m);
  });

  it('counts a post accepted and its confirm', async () => {
    const sessionId = await newSession(alice);
    const [posts, confirms] = await around(
      [
        ['warren_chat_api_posts_total', { result: 'accepted' }],
        ['warren_chat_api_confirms_total', { result: 'ok' }],
      ],
      async () => expect((await post(alice, sessionId, { content: 'counted' })).status).to.equal(202),
    );
    expect(posts).to.equal(1);
    // At least its own: the confirm comes before the answer; other publishes (events) may settle too.
    expect(confirms).to.be.at.least(1);
  });

  it('counts a post refused with 400', async () => {
    const sessionId = await newSession(bob);
    const [posts] = await around([['warren_chat_api_posts_total', { result: 'refused' }]], async () =>
      expect((await post(bob, sessionId, { content: 42 })).status).to.equal(400),
    );
    expect(posts).to.equal(1);
  });

  it('counts a post refused with 429 by the posting limit', async () => {
    const sessionId = await newSession(carol);
    const [limited] = await around([['warren_chat_api_posts_total', { result: 'rate_limited' }]], async () => {
      // The limit allows one post a second: within a few posts in a row, one is refused.
      const statuses: number[] = [];
      while (statuses.at(-1) !== 429 && statuses.length < 20) {
        statuses.push((await post(carol, sessionId, { content: 'again' })).status);
      }
      expect(statuses.at(-1)).to.equal(429);
    });
    expect(limited).to.equal(1);
  });

  it('counts a post the broker did not confirm: failed confirm, unavailable post, one more 503', async () => {
    const sessionId = await newSession(dave);
    await asAdmin((channel) => channel.unbindExchange(exchanges.messages.name, names.sessionExchange(sessionId), ''));
    try {
      const [posts, confirms, unavailable] = await around(
        [
          ['warren_chat_api_posts_total', { result: 'unavailable' }],
          ['warren_chat_api_confirms_total', { result: 'failed' }],
          ['warren_chat_api_unavailable_total', {}],
        ],
        async () => expect((await post(dave, sessionId, { content: 'nobody listens' })).status).to.equal(503),
      );
      expect(posts).to.equal(1);
      expect(confirms).to.be.at.least(1);
      expect(unavailable).to.equal(1);
    } finally {
      await h.chat.syncTopology();
    }
  });
});
