import { expect } from 'chai';
import {
  amqpUsers,
  exchanges,
  names,
  permissions,
  queues,
  sessionExchange,
  sessionsWritePattern,
  userExchange,
  WS_QUEUE_MAX_LENGTH,
  wsQueue,
} from '../../src/amqp/index.ts';

const SESSION_ID = '0b6a4b6e-4c1f-4a8e-9d55-2f7c9a1e3b10';
const USER_ID = '5f0c2a9e-8d3b-4e71-a6c4-1b2d3e4f5a6b';

describe('topology', () => {
  it('names exchanges and queues as AMQP.md does', () => {
    expect(names.sessionExchange(SESSION_ID)).to.equal(`warren.session.${SESSION_ID}`);
    expect(names.userExchange(USER_ID)).to.equal(`warren.user.${USER_ID}`);
    expect(names.wsQueue(USER_ID, 'c1')).to.equal(`warren.ws.${USER_ID}.c1`);
    expect(Object.values(exchanges).map((spec) => spec.name)).to.deep.equal([
      'warren.messages',
      'warren.events',
      'warren.dead',
    ]);
    expect(Object.values(queues).map((spec) => spec.name)).to.deep.equal([
      'warren.persister',
      'warren.chat-api.users',
      'warren.dead-letter',
    ]);
  });

  it('reads the session id back from a session exchange name only', () => {
    expect(names.sessionIdOf(names.sessionExchange(SESSION_ID))).to.equal(SESSION_ID);
    expect(names.sessionIdOf('warren.session.')).to.equal(null);
    expect(names.sessionIdOf(names.userExchange(USER_ID))).to.equal(null);
    expect(names.sessionIdOf('')).to.equal(null);
  });

  it('declares the per-session, per-user and per-connection parts as AMQP.md says', () => {
    expect(sessionExchange(SESSION_ID)).to.deep.equal({
      name: `warren.session.${SESSION_ID}`,
      type: 'fanout',
      options: { durable: true },
    });
    expect(userExchange(USER_ID)).to.deep.equal({
      name: `warren.user.${USER_ID}`,
      type: 'fanout',
      options: { durable: true },
    });
    const queue = wsQueue(USER_ID, 'c1');
    expect(queue.options).to.include({ exclusive: true, autoDelete: true, durable: false });
    expect(queue.options.arguments).to.include({ 'x-max-length': WS_QUEUE_MAX_LENGTH });
    expect(queue.bindings).to.deep.equal([{ source: `warren.user.${USER_ID}`, routingKey: '' }]);
  });

  it('dead-letters the persister queue to warren.dead with a delivery limit', () => {
    expect(queues.persister.options.arguments).to.deep.include({
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': 'warren.dead',
    });
    expect(queues.persister.options.arguments['x-delivery-limit']).to.be.a('number').above(0);
  });

  describe('permissions', () => {
    const allows = (user: (typeof amqpUsers)[number], kind: 'configure' | 'write' | 'read', name: string) =>
      new RegExp(permissions[user][kind]).test(name);
    const session = names.sessionExchange(SESSION_ID);
    const user = names.userExchange(USER_ID);
    const ws = names.wsQueue(USER_ID, 'c1');

    it('has an entry for every AMQP user', () => {
      expect(Object.keys(permissions).sort()).to.deep.equal([...amqpUsers].sort());
    });

    it('lets auth only write to warren.events', () => {
      expect(allows('auth', 'write', 'warren.events')).to.equal(true);
      for (const name of ['warren.events', session, 'warren.messages']) {
        expect(allows('auth', 'configure', name)).to.equal(false);
        expect(allows('auth', 'read', name)).to.equal(false);
      }
      expect(allows('auth', 'write', 'warren.eventsX')).to.equal(false);
    });

    it('lets chat-api manage session and user exchanges and read its users queue', () => {
      for (const name of [session, user]) {
        expect(allows('chat-api', 'configure', name)).to.equal(true);
        expect(allows('chat-api', 'write', name)).to.equal(true);
      }
      expect(allows('chat-api', 'read', session)).to.equal(true);
      expect(allows('chat-api', 'read', 'warren.chat-api.users')).to.equal(true);
      expect(allows('chat-api', 'read', 'warren.persister')).to.equal(false);
      expect(allows('chat-api', 'configure', 'warren.events')).to.equal(false);
    });

    it('lets the persister only read its queue and write dead letters', () => {
      expect(allows('persister', 'read', 'warren.persister')).to.equal(true);
      expect(allows('persister', 'write', 'warren.dead')).to.equal(true);
      expect(allows('persister', 'read', 'warren.dead-letter')).to.equal(false);
      expect(allows('persister', 'configure', 'warren.persister')).to.equal(false);
    });

    it('lets the ws-gateway configure and read its queues and user exchanges only', () => {
      expect(allows('ws-gateway', 'configure', ws)).to.equal(true);
      expect(allows('ws-gateway', 'read', ws)).to.equal(true);
      expect(allows('ws-gateway', 'configure', user)).to.equal(true);
      expect(allows('ws-gateway', 'read', user)).to.equal(true);
      expect(allows('ws-gateway', 'configure', session)).to.equal(false);
      expect(allows('ws-gateway', 'read', 'warren.persister')).to.equal(false);
    });

    it('lets a bot only write to session exchanges', () => {
      expect(allows('bot', 'write', session)).to.equal(true);
      expect(allows('bot', 'write', 'warren.messages')).to.equal(false);
      expect(allows('bot', 'write', user)).to.equal(false);
      expect(allows('bot', 'configure', session)).to.equal(false);
      expect(allows('bot', 'read', session)).to.equal(false);
    });

    describe('a bot limited to some sessions', () => {
      const OTHER_ID = '7d1e2f3a-4b5c-4d6e-8f70-819a2b3c4d5e';
      const writes = (pattern: string, name: string) => new RegExp(pattern).test(name);

      it('may write to exactly the exchanges of its sessions, whatever case the ids were given in', () => {
        const pattern = sessionsWritePattern([SESSION_ID.toUpperCase(), OTHER_ID, SESSION_ID]);
        expect(pattern).to.equal(`^(warren\\.session\\.${SESSION_ID}|warren\\.session\\.${OTHER_ID})$`);
        expect(writes(pattern, session)).to.equal(true);
        expect(writes(pattern, names.sessionExchange(OTHER_ID))).to.equal(true);
        expect(writes(pattern, names.sessionExchange('0b6a4b6e-4c1f-4a8e-9d55-2f7c9a1e3b11'))).to.equal(false);
        // Anchored: a longer name that starts or ends with an allowed one is another exchange.
        expect(writes(pattern, `${session}x`)).to.equal(false);
        expect(writes(pattern, `x${session}`)).to.equal(false);
        expect(writes(pattern, user)).to.equal(false);
      });

      it('may write to nothing when given no sessions', () => {
        const pattern = sessionsWritePattern([]);
        expect(pattern).to.equal(permissions.bot.read);
        expect(writes(pattern, session)).to.equal(false);
      });

      it('refuses an id that is not a UUID, which would widen the regex', () => {
        expect(() => sessionsWritePattern(['.+'])).to.throw(RangeError, "not a session id (a UUID): '.+'");
        expect(() => sessionsWritePattern([`${SESSION_ID}|.+`])).to.throw(RangeError);
      });
    });
  });
});
