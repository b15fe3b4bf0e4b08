import { eventually } from '@warren/shared/testing';
import { expect } from 'chai';
import type { Member, Presence, Session, SessionDetail } from '../../src/api/types.ts';
import { initialChatState } from '../../src/state/chat-state.ts';
import { PRESENCE_BATCH, type PresenceApi, PresenceTracker } from '../../src/state/presence-tracker.ts';
import { Store } from '../../src/state/store.ts';
import { ME, messageOf } from '../support/chat-fixtures.ts';

const AT = '2026-12-02T12:00:00.000Z';
const FAST = { intervalMs: 1, timeoutMs: 2000 };

/** A question to chat-api the test answers when it chooses. */
interface Question<T> {
  readonly ids: readonly string[];
  answer(value: T): void;
}

/** chat-api as the tracker sees it: every call is recorded and waits for the test's answer. */
class StandInApi implements PresenceApi {
  readonly presenceCalls: Question<Presence[]>[] = [];
  readonly sessionCalls: Question<SessionDetail>[] = [];

  presence(userIds: readonly string[]): Promise<Presence[]> {
    return new Promise((answer) => this.presenceCalls.push({ ids: userIds, answer }));
  }

  session(id: string): Promise<SessionDetail> {
    return new Promise((answer) => this.sessionCalls.push({ ids: [id], answer }));
  }
}

/** A direct session `id`, its last message written by `author` (or none). */
function direct(id: string, author: string | undefined): Session {
  return {
    id,
    kind: 'direct',
    name: author ?? id,
    visibility: 'private',
    owner_id: null,
    created_at: AT,
    bumped_at: AT,
    version: 1,
    member_count: 2,
    last_message:
      author === undefined ? null : messageOf(`m-${id}`, 1, { author: { kind: 'user', id: author, username: author } }),
    unread_count: 0,
  };
}

const member = (id: string, online: boolean): Member => ({
  user: { id, username: id },
  role: 'member',
  joined_at: AT,
  online,
  last_seen_at: online ? null : AT,
});

const answer = (ids: readonly string[], online: boolean): Presence[] =>
  ids.map((id) => ({ id, online, last_seen_at: online ? null : AT }));

describe('PresenceTracker', () => {
  let store: Store<ReturnType<typeof initialChatState>>;
  let api: StandInApi;
  let tracker: PresenceTracker;

  beforeEach(() => {
    store = new Store(initialChatState(ME, undefined));
    api = new StandInApi();
    tracker = new PresenceTracker(store, api);
  });
  afterEach(() => tracker.stop());

  const showSessions = (sessions: readonly Session[]) => store.update((state) => ({ ...state, sessions }));
  const online = (id: string) => store.get().presence[id]?.online;

  it("asks about direct chats' other users named by their last message, in one call", async () => {
    showSessions([direct('s1', 'bob'), direct('s2', 'carol')]);
    await eventually(() => api.presenceCalls.length === 1, FAST);
    expect(api.presenceCalls[0]?.ids).to.deep.equal(['bob', 'carol']);
    expect(api.sessionCalls).to.have.length(0);
    api.presenceCalls[0]?.answer([...answer(['bob'], true), ...answer(['carol'], false)]);
    await eventually(() => online('bob') === true && online('carol') === false, FAST);
    expect(store.get().directPeers).to.deep.equal({ s1: 'bob', s2: 'carol' });
  });

  it('finds the other user of a direct chat whose last message is not theirs from its members, and asks nothing more', async () => {
    showSessions([direct('s1', ME.id), direct('s2', undefined)]);
    await eventually(() => api.sessionCalls.length === 2, FAST);
    api.sessionCalls[0]?.answer({ ...direct('s1', ME.id), members: [member(ME.id, true), member('bob', true)] });
    api.sessionCalls[1]?.answer({ ...direct('s2', undefined), members: [member(ME.id, true)] });
    await eventually(() => online('bob') === true, FAST);
    expect(store.get().directPeers).to.deep.equal({ s1: 'bob', s2: null });
    // Another change of the list: the members already told, so nothing is asked.
    showSessions([direct('s1', ME.id), direct('s2', undefined), direct('s3', 'bob')]);
    await eventually(() => store.get().directPeers.s3 === 'bob', FAST);
    expect(api.presenceCalls).to.have.length(0);
    expect(api.sessionCalls).to.have.length(2);
  });

  it(`asks about at most ${PRESENCE_BATCH} users per call`, async () => {
    showSessions(Array.from({ length: 450 }, (_, i) => direct(`s${i}`, `u${i}`)));
    await eventually(() => api.presenceCalls.length === 3, FAST);
    expect(api.presenceCalls.map((call) => call.ids.length)).to.deep.equal([200, 200, 50]);
    expect(new Set(api.presenceCalls.flatMap((call) => call.ids)).size).to.equal(450);
  });

  it('asks again about every shown user after a ready, even one just heard of', async () => {
    showSessions([direct('s1', 'bob')]);
    await eventually(() => api.presenceCalls.length === 1, FAST);
    api.presenceCalls[0]?.answer(answer(['bob'], true));
    await eventually(() => online('bob') === true, FAST);
    showSessions([direct('s1', 'bob')]);
    tracker.heard({ user_id: 'bob', online: true, last_seen_at: null });
    tracker.afterReady();
    await eventually(() => api.presenceCalls.length === 2, FAST);
    expect(api.presenceCalls[1]?.ids).to.deep.equal(['bob']);
    api.presenceCalls[1]?.answer(answer(['bob'], false));
    await eventually(() => online('bob') === false, FAST);
  });

  it('keeps an event heard while a question was out over its answer', async () => {
    showSessions([direct('s1', 'bob')]);
    await eventually(() => api.presenceCalls.length === 1, FAST);
    tracker.heard({ user_id: 'bob', online: false, last_seen_at: AT });
    // Carol, in the same answer, shows when it has been applied.
    api.presenceCalls[0]?.answer(answer(['bob', 'carol'], true));
    await eventually(() => online('carol') === true, FAST);
    expect(online('bob')).to.equal(false);
  });

  it('asks again about users whose answer was asked for before a ready', async () => {
    showSessions([direct('s1', 'bob')]);
    await eventually(() => api.presenceCalls.length === 1, FAST);
    tracker.afterReady();
    api.presenceCalls[0]?.answer(answer(['bob'], true));
    await eventually(() => api.presenceCalls.length === 2, FAST);
    expect(api.presenceCalls[1]?.ids).to.deep.equal(['bob']);
  });

  it('asks about watched users (an open member list) after a ready until unwatched', async () => {
    const unwatch = tracker.watch(['dave']);
    await eventually(() => api.presenceCalls.length === 1, FAST);
    api.presenceCalls[0]?.answer(answer(['dave'], true));
    await eventually(() => online('dave') === true, FAST);
    unwatch();
    tracker.afterReady();
    tracker.watch(['erin']);
    await eventually(() => api.presenceCalls.length === 2, FAST);
    expect(api.presenceCalls[1]?.ids).to.deep.equal(['erin']);
  });
});
