/**
 * Every AMQP name and declaration of AMQP.md, as data. Nothing else in Warren spells a name out:
 * services, scripts, `rabbitmq/definitions.json` (checked by a test) and docs all derive from here.
 */

/** Prefix shared by every Warren exchange and queue. */
const PREFIX = 'warren';

/** An exchange declaration. */
export interface ExchangeSpec {
  readonly name: string;
  readonly type: 'fanout' | 'topic' | 'direct';
  readonly options: { readonly durable: boolean; readonly internal?: boolean; readonly autoDelete?: boolean };
}

/** A binding from an exchange to a queue or another exchange. */
export interface BindingSpec {
  readonly source: string;
  readonly routingKey: string;
}

/** A queue declaration with the bindings that feed it. */
export interface QueueSpec {
  readonly name: string;
  readonly options: {
    readonly durable: boolean;
    readonly exclusive?: boolean;
    readonly autoDelete?: boolean;
    readonly arguments: Readonly<Record<string, string | number>>;
  };
  readonly bindings: readonly BindingSpec[];
}

/** Exchanges the deployment declares (and `definitions.json` holds). */
export const exchanges = {
  /** Every session exchange is bound here so the persister sees all traffic. */
  messages: { name: `${PREFIX}.messages`, type: 'fanout', options: { durable: true, internal: true } },
  /** Service events such as `user.registered`. */
  events: { name: `${PREFIX}.events`, type: 'topic', options: { durable: true } },
  /** Dead letters, with `x-warren-error` saying why. */
  dead: { name: `${PREFIX}.dead`, type: 'fanout', options: { durable: true } },
} as const satisfies Record<string, ExchangeSpec>;

/** Delivery attempts before a quorum queue dead-letters a message that keeps failing. */
export const PERSISTER_DELIVERY_LIMIT = 5;

/**
 * Delivery attempts of a `user.registered` before it is dead-lettered: chat-api waits
 * `USERS_RETRY_MS` (5 s by default) before each requeue, so this is over an hour of a database
 * that cannot be written.
 */
export const USERS_DELIVERY_LIMIT = 1000;

/** Queues the deployment declares (and `definitions.json` holds). */
export const queues = {
  persister: {
    name: `${PREFIX}.persister`,
    options: {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': exchanges.dead.name,
        'x-delivery-limit': PERSISTER_DELIVERY_LIMIT,
      },
    },
    bindings: [{ source: exchanges.messages.name, routingKey: '' }],
  },
  // Quorum, like the persister's: replicated, so a node that goes away takes neither a
  // registration chat-api has not heard of yet nor chat-api's start on another node (a classic
  // queue whose node is down cannot be consumed). chat-api waits before it requeues an event it
  // could not store, so the delivery limit is reached only by one that keeps failing for that many
  // waits; it is then dead-lettered with the rest, not dropped.
  chatApiUsers: {
    name: `${PREFIX}.chat-api.users`,
    options: {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': exchanges.dead.name,
        'x-delivery-limit': USERS_DELIVERY_LIMIT,
      },
    },
    bindings: [{ source: exchanges.events.name, routingKey: 'user.*' }],
  },
  // Quorum, like the persister's: replicated, so losing a node loses no dead letter an operator
  // must read (nothing consumes it, so nothing is ever redelivered).
  deadLetter: {
    name: `${PREFIX}.dead-letter`,
    options: { durable: true, arguments: { 'x-queue-type': 'quorum' } },
    bindings: [{ source: exchanges.dead.name, routingKey: '' }],
  },
} as const satisfies Record<string, QueueSpec>;

/** Routing keys of service events on `warren.events`. */
export const eventKeys = {
  userRegistered: 'user.registered',
  /**
   * Members left a session, or it was deleted: every chat-api instance drops what it remembered
   * of their membership (docs/amqp.md).
   */
  membershipChanged: 'membership.changed',
  /** A login ended (logout, logout-all, refresh-token reuse): its `sid` is refused from then on (AMQP.md). */
  loginEnded: 'login.ended',
  /** What one ws-gateway instance reports of the users it holds sockets for: `presence.<instanceId>`. */
  presence: (instanceId: string): string => `presence.${instanceId}`,
  /** The binding key of every gateway's presence reports. */
  presenceAll: 'presence.*',
} as const;

/** Event types carried on a session exchange (the `type` property). */
export const sessionEventTypes = [
  'member.joined',
  'member.left',
  'session.updated',
  'session.deleted',
  'read',
  'typing',
  'message.edited',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'presence',
] as const;

/** One of the event types of a session exchange. */
export type SessionEventType = (typeof sessionEventTypes)[number];

/** Length limit of a per-connection gateway queue; older messages are dropped past it. */
export const WS_QUEUE_MAX_LENGTH = 10_000;

/** Names made from ids, and the declarations that go with them. */
export const names = {
  /** `warren.session.<sessionId>`: all traffic of one chat session. */
  sessionExchange: (sessionId: string): string => `${PREFIX}.session.${sessionId}`,
  /** `warren.user.<userId>`: bound to each session exchange the user is a member of. */
  userExchange: (userId: string): string => `${PREFIX}.user.${userId}`,
  /** `warren.ws.<userId>.<connectionId>`: one per WebSocket connection. */
  wsQueue: (userId: string, connectionId: string): string => `${PREFIX}.ws.${userId}.${connectionId}`,
  /** `warren.chat-api.instance.<instanceId>`: one per running chat-api, for what each must hear. */
  chatApiInstanceQueue: (instanceId: string): string => `${PREFIX}.chat-api.instance.${instanceId}`,
  /** `warren.ws-gateway.instance.<instanceId>`: one per running ws-gateway, for what each must hear. */
  gatewayInstanceQueue: (instanceId: string): string => `${PREFIX}.ws-gateway.instance.${instanceId}`,
  /** The session id of a session exchange name, or null when the name is not one. */
  sessionIdOf: (exchange: string): string | null =>
    exchange.startsWith(`${PREFIX}.session.`) ? exchange.slice(`${PREFIX}.session.`.length) || null : null,
} as const;

/** The declaration of a session exchange (chat-api declares it when the session is made). */
export const sessionExchange = (sessionId: string): ExchangeSpec => ({
  name: names.sessionExchange(sessionId),
  type: 'fanout',
  options: { durable: true },
});

/** The declaration of a user's personal exchange. */
export const userExchange = (userId: string): ExchangeSpec => ({
  name: names.userExchange(userId),
  type: 'fanout',
  options: { durable: true },
});

/** The declaration of a gateway connection's queue. Exclusive, so valid on RabbitMQ 3 and 4. */
export const wsQueue = (userId: string, connectionId: string): QueueSpec => ({
  name: names.wsQueue(userId, connectionId),
  options: {
    durable: false,
    exclusive: true,
    autoDelete: true,
    arguments: { 'x-queue-version': 2, 'x-max-length': WS_QUEUE_MAX_LENGTH },
  },
  bindings: [{ source: names.userExchange(userId), routingKey: '' }],
});

/**
 * The declaration of a chat-api instance's own queue: exclusive, so it goes with the instance's
 * connection (valid on RabbitMQ 3 and 4), and the instance clears what it cached when it reconnects.
 */
export const chatApiInstanceQueue = (instanceId: string): QueueSpec => ({
  name: names.chatApiInstanceQueue(instanceId),
  options: { durable: false, exclusive: true, autoDelete: true, arguments: { 'x-queue-version': 2 } },
  bindings: [
    { source: exchanges.events.name, routingKey: eventKeys.membershipChanged },
    { source: exchanges.events.name, routingKey: eventKeys.loginEnded },
    { source: exchanges.events.name, routingKey: eventKeys.presenceAll },
  ],
});

/**
 * The declaration of a ws-gateway instance's own queue, for the logins that ended (it closes their
 * sockets): exclusive, like chat-api's.
 */
export const gatewayInstanceQueue = (instanceId: string): QueueSpec => ({
  name: names.gatewayInstanceQueue(instanceId),
  options: { durable: false, exclusive: true, autoDelete: true, arguments: { 'x-queue-version': 2 } },
  bindings: [{ source: exchanges.events.name, routingKey: eventKeys.loginEnded }],
});

/** The AMQP users of a deployment: one per service, and an example third-party producer. */
export const amqpUsers = ['auth', 'chat-api', 'persister', 'ws-gateway', 'bot'] as const;

/** One of the AMQP users of a deployment. */
export type AmqpUser = (typeof amqpUsers)[number];

/** RabbitMQ permission regexes of one user in the deployment vhost. */
export interface PermissionSpec {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

const re = (name: string): string => name.replaceAll('.', '\\.');
const NOTHING = '^$';
const SESSION = `${re(PREFIX)}\\.session\\..+`;
const USER = `${re(PREFIX)}\\.user\\..+`;
const WS = `${re(PREFIX)}\\.ws\\..+`;
const CHAT_API_INSTANCE = `${re(PREFIX)}\\.chat-api\\.instance\\..+`;
const GATEWAY_INSTANCE = `${re(PREFIX)}\\.ws-gateway\\.instance\\..+`;

/**
 * Least privilege (AMQP.md "Who may do what"). RabbitMQ checks `write` on the destination and
 * `read` on the source of a binding, so whoever binds needs both sides.
 */
export const permissions: Readonly<Record<AmqpUser, PermissionSpec>> = {
  auth: { configure: NOTHING, write: `^${re(exchanges.events.name)}$`, read: NOTHING },
  'chat-api': {
    configure: `^(${SESSION}|${USER}|${CHAT_API_INSTANCE})$`,
    write: `^(${SESSION}|${USER}|${re(exchanges.messages.name)}|${re(exchanges.events.name)}|${CHAT_API_INSTANCE})$`,
    read: `^(${SESSION}|${re(queues.chatApiUsers.name)}|${re(exchanges.events.name)}|${CHAT_API_INSTANCE})$`,
  },
  persister: { configure: NOTHING, write: `^${re(exchanges.dead.name)}$`, read: `^${re(queues.persister.name)}$` },
  // Its presence reports go to warren.events; its instance queue is bound there (login.ended).
  'ws-gateway': {
    configure: `^(${WS}|${USER}|${GATEWAY_INSTANCE})$`,
    write: `^(${WS}|${GATEWAY_INSTANCE}|${re(exchanges.events.name)})$`,
    read: `^(${WS}|${USER}|${GATEWAY_INSTANCE}|${re(exchanges.events.name)})$`,
  },
  bot: { configure: NOTHING, write: `^${SESSION}$`, read: NOTHING },
};

/** A UUID in any case; a session id must be one before it goes into a permission regex. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `write` permission of a bot limited to some sessions (AMQP.md): exactly the exchanges of
 * those sessions, anchored, so the broker refuses its publishes anywhere else. Ids are lower-cased
 * (session exchanges are named with canonical ids); no ids means writing to nothing.
 * @throws RangeError when an id is not a UUID (it would otherwise be read as a regex).
 */
export function sessionsWritePattern(sessionIds: readonly string[]): string {
  const ids = [...new Set(sessionIds.map((id) => id.toLowerCase()))];
  const bad = ids.find((id) => !UUID.test(id));
  if (bad !== undefined) throw new RangeError(`not a session id (a UUID): '${bad}'`);
  if (ids.length === 0) return NOTHING;
  return `^(${ids.map((id) => re(names.sessionExchange(id))).join('|')})$`;
}

/**
 * RabbitMQ's per-user limits (`rabbitmqctl set_user_limits`; `limits` of a user in a definitions
 * file): how many connections and channels one AMQP user may hold at once, over all its clients.
 */
export interface UserLimitSpec {
  readonly 'max-connections': number;
  readonly 'max-channels': number;
}

/**
 * Guard rails against a leaking or flooding client (`rabbitmq/definitions.json` holds them, checked
 * by a test; `warren users add-bot` gives new producers the `bot` ones). A producer needs one
 * connection and a channel or two, so `bot` is held tight. The services' limits leave room for
 * about a dozen instances each, reconnecting; chat-api also opens a short-lived channel per
 * membership change and four for a topology rebuild, hence its larger channel limit.
 */
export const userLimits: Readonly<Record<AmqpUser, UserLimitSpec>> = {
  auth: { 'max-connections': 32, 'max-channels': 128 },
  'chat-api': { 'max-connections': 32, 'max-channels': 2048 },
  persister: { 'max-connections': 32, 'max-channels': 128 },
  'ws-gateway': { 'max-connections': 32, 'max-channels': 128 },
  bot: { 'max-connections': 10, 'max-channels': 20 },
};

/** The AMQP users whose `x-warren-author-*` headers are believed (AMQP.md). */
export const DEFAULT_TRUSTED_PUBLISHERS: readonly string[] = ['chat-api'];
