import { randomInt } from 'node:crypto';
import type { ChatMessage } from '@warren/shared/envelope';
import { HISTORY_SCHEMA } from '@warren/shared/history';
import { expect } from 'chai';
import { type TestUser, useChatApi } from '../support/chat-api-harness.ts';

/** A word no other test (nor another run on the same database) writes: letters only, one token. */
const uniqueWord = (): string => Array.from({ length: 12 }, () => String.fromCharCode(97 + randomInt(26))).join('');

describe('chat-api message search (GET /api/search)', () => {
  const h = useChatApi();
  const [alice, bob, carol] = h.users('alice', 'bob', 'carol');

  const createSession = async (owner: TestUser, members: TestUser[], visibility: 'public' | 'private' = 'private') => {
    const created = await h
      .api(owner)
      .post('/api/sessions', { name: `search ${uniqueWord()}`, visibility, members: members.map((m) => m.username) });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body.id as string;
  };
  const search = (user: TestUser, query: Record<string, string>) =>
    h.api(user).get(`/api/search?${new URLSearchParams(query)}`);
  const idsFound = async (user: TestUser, query: Record<string, string>) => {
    const answer = await search(user, query);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return (answer.body.messages as ChatMessage[]).map((message) => message.id);
  };

  it('finds a message by one word and by several, as the whole Message, and not by words it lacks', async () => {
    const word = uniqueWord();
    const sessionId = await createSession(alice, [bob]);
    const both = await h.say(alice, sessionId, `the ${word} meeting moved to Thursday`);
    const one = await h.say(bob, sessionId, `no ${word} today`);
    await h.say(bob, sessionId, 'nothing to find here');

    const answer = await search(bob, { q: word });
    expect(answer.status).to.equal(200);
    expect(answer.body).to.deep.equal({ messages: [one, both], has_more: false });
    expect(await idsFound(bob, { q: `${word} thursday meeting` })).to.deep.equal([both.id]);
    expect(await idsFound(bob, { q: `${word} friday` })).to.deep.equal([]);
  });

  it('is case- and accent-insensitive, both ways', async () => {
    const word = uniqueWord();
    const sessionId = await createSession(alice, []);
    const cafe = await h.say(alice, sessionId, `Café ${word}`);
    const ecole = await h.say(alice, sessionId, `ÉCOLE ${word.toUpperCase()}`);
    const noel = await h.say(alice, sessionId, `joyeux noel ${word}`);

    expect(await idsFound(alice, { q: `cafe ${word}` })).to.deep.equal([cafe.id]);
    expect(await idsFound(alice, { q: `CAFÉ ${word.toUpperCase()}` })).to.deep.equal([cafe.id]);
    expect(await idsFound(alice, { q: `ecole ${word}` })).to.deep.equal([ecole.id]);
    expect(await idsFound(alice, { q: `Noël ${word}` })).to.deep.equal([noel.id]);
  });

  it('answers newest first, a page at a time with before and has_more', async () => {
    const word = uniqueWord();
    const sessionId = await createSession(alice, []);
    const said: ChatMessage[] = [];
    for (let i = 0; i < 5; i += 1) said.push(await h.say(alice, sessionId, `${word} number ${i}`));
    const newestFirst = said.map((message) => message.id).reverse();

    const first = await search(alice, { q: word, limit: '2' });
    expect(first.body.messages.map((m: ChatMessage) => m.id)).to.deep.equal(newestFirst.slice(0, 2));
    expect(first.body.has_more).to.equal(true);
    const second = await search(alice, { q: word, limit: '2', before: newestFirst[1] ?? '' });
    expect(second.body.messages.map((m: ChatMessage) => m.id)).to.deep.equal(newestFirst.slice(2, 4));
    expect(second.body.has_more).to.equal(true);
    const last = await search(alice, { q: word, limit: '2', before: newestFirst[3] ?? '' });
    expect(last.body.messages.map((m: ChatMessage) => m.id)).to.deep.equal(newestFirst.slice(4));
    expect(last.body.has_more).to.equal(false);
    expect(await idsFound(alice, { q: word })).to.deep.equal(newestFirst);
  });

  it('keeps to one session with session_id', async () => {
    const word = uniqueWord();
    const here = await createSession(alice, []);
    const there = await createSession(alice, []);
    const inHere = await h.say(alice, here, `${word} here`);
    const inThere = await h.say(alice, there, `${word} there`);

    expect(await idsFound(alice, { q: word })).to.deep.equal([inThere.id, inHere.id]);
    expect(await idsFound(alice, { q: word, session_id: here })).to.deep.equal([inHere.id]);
    expect(await idsFound(alice, { q: word, session_id: there.toUpperCase() })).to.deep.equal([inThere.id]);
  });

  it('shows a non-member nothing of a session, public or private, even naming it', async () => {
    const word = uniqueWord();
    const privateSession = await createSession(alice, [bob], 'private');
    const publicSession = await createSession(alice, [bob], 'public');
    const secret = await h.say(alice, privateSession, `${word} secret`);
    const open = await h.say(alice, publicSession, `${word} open`);

    expect(await idsFound(bob, { q: word })).to.deep.equal([open.id, secret.id]);
    expect(await idsFound(carol, { q: word })).to.deep.equal([]);
    expect(await idsFound(carol, { q: word, session_id: privateSession })).to.deep.equal([]);
    expect(await idsFound(carol, { q: word, session_id: publicSession })).to.deep.equal([]);
    // A cursor of a session the caller is not in is no message of theirs: not found, as any unknown one.
    expect((await search(carol, { q: word, before: secret.id })).status).to.equal(404);
  });

  it('shows a former member nothing of the session they were removed from', async () => {
    const word = uniqueWord();
    const sessionId = await createSession(alice, [bob]);
    const said = await h.say(alice, sessionId, `${word} before bob left`);
    expect(await idsFound(bob, { q: word })).to.deep.equal([said.id]);

    const removed = await h.api(alice).delete(`/api/sessions/${sessionId}/members/${bob.id}`);
    expect(removed.status, JSON.stringify(removed.body)).to.equal(204);
    expect(await idsFound(bob, { q: word })).to.deep.equal([]);
    expect(await idsFound(bob, { q: word, session_id: sessionId })).to.deep.equal([]);
    expect(await idsFound(alice, { q: word })).to.deep.equal([said.id]);
  });

  it('never matches a deleted message, which still serves as a cursor', async () => {
    const word = uniqueWord();
    const sessionId = await createSession(alice, []);
    const kept = await h.say(alice, sessionId, `${word} kept`);
    const deleted = await h.say(alice, sessionId, `${word} deleted`);
    await h.db
      .withSchema(HISTORY_SCHEMA)
      .table('messages')
      .where({ id: deleted.id })
      .update({ deleted_at: new Date() });

    expect(await idsFound(alice, { q: word })).to.deep.equal([kept.id]);
    expect(await idsFound(alice, { q: word, before: deleted.id })).to.deep.equal([kept.id]);
  });

  it('answers 400 for an empty, blank or missing q, and for bad ids and limits', async () => {
    const sessionId = await createSession(alice, []);
    const refused: Record<string, string>[] = [
      { q: '' },
      { q: '   ' },
      {},
      { q: 'x', session_id: 'not-a-uuid' },
      { q: 'x', before: '123' },
      { q: 'x', limit: '0' },
      { q: 'x', limit: '51' },
      { q: 'x', limit: 'many' },
    ];
    for (const query of refused) {
      const answer = await search(alice, query);
      expect(answer.status, JSON.stringify(query)).to.equal(400);
      expect(answer.body.code, JSON.stringify(query)).to.equal('INVALID_REQUEST');
    }
    const unknown = await search(alice, {
      q: 'x',
      session_id: sessionId,
      before: '0191d7a0-0000-7000-8000-00000000beef',
    });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.code).to.equal('MESSAGE_NOT_FOUND');
  });

  it('answers an empty page to words that hold no lexeme', async () => {
    await createSession(alice, []);
    const answer = await search(alice, { q: '!!! ...' });
    expect(answer.status).to.equal(200);
    expect(answer.body).to.deep.equal({ messages: [], has_more: false });
  });
});
