import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { HASHING_ALGORITHM } from '../../rabbitmq/hash-password.ts';
import type { AmqpUser } from '../../shared/src/amqp/topology.ts';
import { amqpUsers, exchanges, names, permissions, queues, userLimits } from '../../shared/src/amqp/topology.ts';

/** The parts of a RabbitMQ definitions file this test reads. */
interface Definitions {
  users: {
    name: string;
    password_hash: string;
    hashing_algorithm: string;
    tags: string[] | string;
    limits?: Record<string, number>;
  }[];
  vhosts: { name: string }[];
  permissions: { user: string; vhost: string; configure: string; write: string; read: string }[];
  exchanges: {
    name: string;
    vhost: string;
    type: string;
    durable: boolean;
    auto_delete: boolean;
    internal: boolean;
    arguments: Record<string, unknown>;
  }[];
  queues: { name: string; vhost: string; durable: boolean; auto_delete: boolean; arguments: Record<string, unknown> }[];
  bindings: {
    source: string;
    vhost: string;
    destination: string;
    destination_type: string;
    routing_key: string;
    arguments: Record<string, unknown>;
  }[];
  policies?: unknown[];
}

const VHOST = 'warren';
const ADMIN = 'admin';

const definitions = JSON.parse(
  readFileSync(new URL('../../rabbitmq/definitions.json', import.meta.url), 'utf8'),
) as Definitions;

const byName = <T extends { name: string }>(items: readonly T[]): Map<string, T> =>
  new Map(items.map((item) => [item.name, item]));

const tagsOf = (tags: string[] | string): string[] =>
  Array.isArray(tags) ? tags : tags.split(',').filter((tag) => tag !== '');

/** Whether RabbitMQ would grant `user` the `kind` access to the resource `name` in the vhost. */
const may = (user: string, kind: 'configure' | 'write' | 'read', name: string): boolean => {
  const entry = definitions.permissions.find((p) => p.user === user && p.vhost === VHOST);
  if (entry === undefined) return false;
  // RabbitMQ runs the regex against the whole name, unanchored (Erlang re): the same as RegExp#test.
  return new RegExp(entry[kind]).test(name);
};

describe('rabbitmq/definitions.json against shared/src/amqp/topology.ts', () => {
  it('has exactly the warren vhost', () => {
    expect(definitions.vhosts.map((v) => v.name)).to.deep.equal([VHOST]);
  });

  it('puts every exchange, queue, binding and permission in the warren vhost', () => {
    for (const item of [...definitions.exchanges, ...definitions.queues, ...definitions.bindings]) {
      expect(item.vhost).to.equal(VHOST);
    }
    for (const permission of definitions.permissions) expect(permission.vhost).to.equal(VHOST);
  });

  it('declares exactly the fixed exchanges of the topology', () => {
    const declared = byName(definitions.exchanges);
    expect([...declared.keys()].sort()).to.deep.equal(
      Object.values(exchanges)
        .map((e) => e.name)
        .sort(),
    );
    for (const exchange of Object.values(exchanges)) {
      const options: { durable: boolean; internal?: boolean; autoDelete?: boolean } = exchange.options;
      expect(declared.get(exchange.name), exchange.name).to.deep.include({
        type: exchange.type,
        durable: options.durable,
        internal: options.internal ?? false,
        auto_delete: options.autoDelete ?? false,
        arguments: {},
      });
    }
  });

  it('declares exactly the fixed queues of the topology, with their arguments', () => {
    const declared = byName(definitions.queues);
    expect([...declared.keys()].sort()).to.deep.equal(
      Object.values(queues)
        .map((q) => q.name)
        .sort(),
    );
    for (const queue of Object.values(queues)) {
      const options: { durable: boolean; exclusive?: boolean; autoDelete?: boolean } = queue.options;
      // A definitions file cannot hold an exclusive queue: the fixed queues are never exclusive.
      expect(options.exclusive ?? false, queue.name).to.equal(false);
      const entry = declared.get(queue.name);
      expect(entry, queue.name).to.deep.include({ durable: options.durable, auto_delete: options.autoDelete ?? false });
      expect(entry?.arguments, queue.name).to.deep.equal(queue.options.arguments);
    }
  });

  it('makes the persister queue a quorum queue that dead-letters to warren.dead with a delivery limit', () => {
    const persister = byName(definitions.queues).get(queues.persister.name);
    expect(persister?.arguments).to.include({
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': exchanges.dead.name,
    });
    expect(persister?.arguments['x-delivery-limit']).to.be.a('number').above(0);
  });

  it('binds exactly the fixed bindings of the topology', () => {
    const key = (b: { source: string; destination: string; routingKey: string }) =>
      `${b.source} -> ${b.destination} [${b.routingKey}]`;
    const declared = definitions.bindings.map((b) => {
      expect(b.destination_type, `${b.source} -> ${b.destination}`).to.equal('queue');
      expect(b.arguments).to.deep.equal({});
      return key({ source: b.source, destination: b.destination, routingKey: b.routing_key });
    });
    const expected = Object.values(queues).flatMap((q) =>
      q.bindings.map((b) => key({ source: b.source, destination: q.name, routingKey: b.routingKey })),
    );
    expect(declared.sort()).to.deep.equal(expected.sort());
  });

  it('defines no policies (the queues carry their own arguments)', () => {
    expect(definitions.policies ?? []).to.deep.equal([]);
  });

  it('has exactly the AMQP users of the topology and the admin user, and no guest', () => {
    const users = definitions.users.map((u) => u.name);
    expect([...users].sort()).to.deep.equal([...amqpUsers, ADMIN].sort());
    expect(users).not.to.include('guest');
  });

  it('tags only the admin user, as administrator', () => {
    for (const user of definitions.users) {
      expect(tagsOf(user.tags), user.name).to.deep.equal(user.name === ADMIN ? ['administrator'] : []);
    }
  });

  it('stores every password as a salted SHA-256 hash of 36 bytes', () => {
    for (const user of definitions.users) {
      expect(user.hashing_algorithm, user.name).to.equal(HASHING_ALGORITHM);
      expect(user.password_hash, user.name).to.match(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(user.password_hash, 'base64'), user.name).to.have.length(36);
    }
    const hashes = definitions.users.map((u) => u.password_hash);
    expect(new Set(hashes).size, 'each user its own salt').to.equal(hashes.length);
  });

  it('limits the connections and channels of each AMQP user exactly as the topology does', () => {
    for (const user of amqpUsers) {
      const entry = definitions.users.find((u) => u.name === user);
      expect(entry?.limits, user).to.deep.equal(userLimits[user]);
    }
  });

  it('holds the producer user tighter than any service user', () => {
    const services = amqpUsers.filter((user) => user !== 'bot');
    for (const user of services) {
      expect(userLimits.bot['max-connections'], user).to.be.below(userLimits[user]['max-connections']);
      expect(userLimits.bot['max-channels'], user).to.be.below(userLimits[user]['max-channels']);
    }
    expect(userLimits.bot['max-connections']).to.be.within(1, userLimits.bot['max-channels']);
  });

  it('gives the admin user no limits, so an operator is never locked out', () => {
    expect(definitions.users.find((u) => u.name === ADMIN)?.limits ?? {}).to.deep.equal({});
  });

  it('grants each AMQP user exactly the permissions of the topology', () => {
    const service = definitions.permissions.filter((p) => p.user !== ADMIN);
    expect(service.map((p) => p.user).sort()).to.deep.equal([...amqpUsers].sort());
    for (const user of amqpUsers) {
      const entry = service.find((p) => p.user === user);
      expect(entry, user).to.deep.equal({ user, vhost: VHOST, ...permissions[user] });
    }
  });

  it('gives the admin user full permissions in the vhost, for the management UI', () => {
    expect(definitions.permissions.find((p) => p.user === ADMIN)).to.deep.equal({
      user: ADMIN,
      vhost: VHOST,
      configure: '.*',
      write: '.*',
      read: '.*',
    });
  });

  it('anchors every service permission regex at both ends', () => {
    for (const user of amqpUsers) {
      for (const regex of Object.values(permissions[user])) {
        expect(regex, user).to.match(/^\^.*\$$/);
      }
    }
  });

  describe('permission regexes against the names each service uses', () => {
    const userId = randomUUID();
    const connectionId = randomUUID();
    const session = names.sessionExchange(randomUUID());
    const userExchange = names.userExchange(userId);
    const wsQueue = names.wsQueue(userId, connectionId);
    const instanceQueue = names.chatApiInstanceQueue(randomUUID());
    const gatewayQueue = names.gatewayInstanceQueue(randomUUID());
    const fixed = [
      exchanges.messages.name,
      exchanges.events.name,
      exchanges.dead.name,
      queues.persister.name,
      queues.chatApiUsers.name,
      queues.deadLetter.name,
    ];
    // RabbitMQ checks the default exchange as `amq.default`; no resource is ever named ''.
    const every = [...fixed, session, userExchange, wsQueue, instanceQueue, gatewayQueue, 'amq.default', 'amq.topic'];
    const kinds = ['configure', 'write', 'read'] as const;

    /** The names `user` may access as `kind`, out of every name above. */
    const allowed = (user: AmqpUser, kind: (typeof kinds)[number]): string[] =>
      every.filter((name) => may(user, kind, name));

    it('auth may write warren.events and nothing else', () => {
      expect(allowed('auth', 'write')).to.deep.equal([exchanges.events.name]);
      expect(allowed('auth', 'configure')).to.deep.equal([]);
      expect(allowed('auth', 'read')).to.deep.equal([]);
      expect(may('auth', 'write', exchanges.messages.name)).to.equal(false);
      expect(may('auth', 'write', session)).to.equal(false);
    });

    it('chat-api may configure, write and read session and user exchanges, write warren.messages, read its users queue', () => {
      for (const name of [session, userExchange]) expect(may('chat-api', 'configure', name), name).to.equal(true);
      for (const name of [session, userExchange, exchanges.messages.name]) {
        expect(may('chat-api', 'write', name), name).to.equal(true);
      }
      expect(may('chat-api', 'read', session)).to.equal(true);
      expect(may('chat-api', 'read', queues.chatApiUsers.name)).to.equal(true);
      expect(allowed('chat-api', 'configure')).to.have.members([session, userExchange, instanceQueue]);
      expect(allowed('chat-api', 'write')).to.have.members([
        session,
        userExchange,
        exchanges.messages.name,
        exchanges.events.name,
        instanceQueue,
      ]);
      expect(allowed('chat-api', 'read')).to.have.members([
        session,
        queues.chatApiUsers.name,
        exchanges.events.name,
        instanceQueue,
      ]);
    });

    it('chat-api may declare, bind to warren.events and read its instance queues, and publish membership.changed', () => {
      // queue.bind needs write on the queue and read on the exchange; the publish, write on warren.events.
      for (const kind of kinds) expect(may('chat-api', kind, instanceQueue), kind).to.equal(true);
      expect(may('chat-api', 'read', exchanges.events.name)).to.equal(true);
      expect(may('chat-api', 'write', exchanges.events.name)).to.equal(true);
      expect(may('chat-api', 'configure', exchanges.events.name)).to.equal(false);
      for (const user of ['auth', 'persister', 'ws-gateway', 'bot'] as const) {
        for (const kind of kinds) expect(may(user, kind, instanceQueue), `${user} ${kind}`).to.equal(false);
      }
    });

    it('chat-api may not configure, write or read gateway queues, nor touch the persister queue', () => {
      for (const kind of kinds) expect(may('chat-api', kind, wsQueue), kind).to.equal(false);
      expect(may('chat-api', 'configure', `warren.ws.${userId}.${connectionId}`)).to.equal(false);
      for (const kind of kinds) expect(may('chat-api', kind, queues.persister.name), kind).to.equal(false);
      expect(may('chat-api', 'configure', exchanges.messages.name)).to.equal(false);
    });

    it('ws-gateway may configure and read its connection queues, user exchanges and instance queues, and bind them', () => {
      for (const name of [wsQueue, userExchange, gatewayQueue]) {
        expect(may('ws-gateway', 'configure', name), name).to.equal(true);
        expect(may('ws-gateway', 'read', name), name).to.equal(true);
      }
      // queue.bind needs write on the queue and read on the exchange (warren.events for login.ended);
      // its presence reports are writes to warren.events.
      expect(may('ws-gateway', 'write', wsQueue)).to.equal(true);
      expect(allowed('ws-gateway', 'configure')).to.have.members([userExchange, wsQueue, gatewayQueue]);
      expect(allowed('ws-gateway', 'write')).to.have.members([wsQueue, gatewayQueue, exchanges.events.name]);
      expect(allowed('ws-gateway', 'read')).to.have.members([
        userExchange,
        wsQueue,
        gatewayQueue,
        exchanges.events.name,
      ]);
      for (const user of ['auth', 'chat-api', 'persister', 'bot'] as const) {
        for (const kind of kinds) expect(may(user, kind, gatewayQueue), `${user} ${kind}`).to.equal(false);
      }
    });

    it('ws-gateway may not configure, write or read session exchanges', () => {
      for (const kind of kinds) expect(may('ws-gateway', kind, session), kind).to.equal(false);
      expect(may('ws-gateway', 'write', userExchange)).to.equal(false);
      expect(may('ws-gateway', 'read', exchanges.messages.name)).to.equal(false);
    });

    it('persister reads only warren.persister and writes only warren.dead', () => {
      expect(allowed('persister', 'read')).to.deep.equal([queues.persister.name]);
      expect(allowed('persister', 'write')).to.deep.equal([exchanges.dead.name]);
      expect(allowed('persister', 'configure')).to.deep.equal([]);
    });

    it('bot writes only session exchanges: not warren.messages, user exchanges or warren.events', () => {
      expect(allowed('bot', 'write')).to.deep.equal([session]);
      for (const name of [exchanges.messages.name, userExchange, exchanges.events.name]) {
        expect(may('bot', 'write', name), name).to.equal(false);
      }
      expect(allowed('bot', 'configure')).to.deep.equal([]);
      expect(allowed('bot', 'read')).to.deep.equal([]);
    });

    it('no service may reach a name that only starts or ends like one it may', () => {
      for (const user of amqpUsers) {
        for (const kind of kinds) {
          for (const name of [...fixed, session, userExchange, wsQueue, instanceQueue]) {
            expect(may(user, kind, `x${name}`), `${user} ${kind} x${name}`).to.equal(false);
            expect(may(user, kind, `${name.replace(/^warren\./, 'other.')}`), `${user} ${kind}`).to.equal(false);
          }
          for (const name of fixed) {
            expect(may(user, kind, `${name}.x`), `${user} ${kind} ${name}.x`).to.equal(false);
          }
        }
      }
    });

    it('a session, user or gateway name needs an id after its prefix', () => {
      for (const user of amqpUsers) {
        for (const kind of kinds) {
          for (const prefix of ['warren.session.', 'warren.user.', 'warren.ws.']) {
            expect(may(user, kind, prefix), `${user} ${kind} ${prefix}`).to.equal(false);
          }
        }
      }
    });
  });
});
