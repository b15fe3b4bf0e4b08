/**
 * The channels of the AsyncAPI document: every exchange, queue and `warren.events` routing key of
 * `../amqp/topology.ts`, named through its own name functions, and the gateway's WebSocket. Which
 * messages a queue carries follows from its bindings; who may declare, publish to or consume each
 * follows from the RabbitMQ permissions.
 */
import {
  chatApiInstanceQueue,
  type ExchangeSpec,
  eventKeys,
  exchanges,
  gatewayInstanceQueue,
  names,
  type QueueSpec,
  queues,
  sessionEventTypes,
  sessionExchange,
  userExchange,
  wsQueue,
} from '../amqp/topology.ts';
import { type Access, topicMatches, usersWithAccess } from './amqp-access.ts';
import {
  AMQP_BINDING_VERSION,
  chatMessageKeys,
  DEAD_LETTER_KEY,
  frameKeys,
  serviceEventKeys,
  serviceEventRoutingKeys,
  sessionEventKey,
} from './messages.ts';

/** The vhost of the deployment (`RABBITMQ_URL` names it; AMQP.md). */
export const DEPLOYMENT_VHOST = 'warren';

/** The server keys of the document. */
export const serverKeys = { rabbitmq: 'rabbitmq', wsGateway: 'ws-gateway' } as const;

/** An AsyncAPI channel object. */
export type ChannelObject = Record<string, unknown>;

/** What each `{parameter}` of an address stands for. */
const parameterDescriptions: Readonly<Record<string, string>> = {
  sessionId: 'A session id (a lower-case UUID).',
  userId: 'A user id (a lower-case UUID).',
  connectionId: "The gateway's id of one WebSocket connection.",
  instanceId: 'The id of one running service instance (a UUID, new at each start).',
  instance: 'The id of the reporting ws-gateway instance (a UUID, new at each start).',
};

function parametersOf(address: string): Record<string, unknown> | undefined {
  const found = [...address.matchAll(/\{([^}]+)\}/g)].map(([, name]) => name as string);
  if (found.length === 0) return undefined;
  return Object.fromEntries(
    found.map((name) => {
      const description = parameterDescriptions[name];
      if (description === undefined) throw new Error(`no description of the address parameter {${name}}`);
      return [name, { description }];
    }),
  );
}

const messageRefs = (keys: readonly string[]) =>
  Object.fromEntries(keys.map((key) => [key, { $ref: `#/components/messages/${key}` }]));

/** The AMQP users the permissions let at a name, under the extension that says so. */
function access(address: string, rights: readonly Access[]): Record<string, string[]> {
  const extension = { configure: 'x-warren-may-declare', write: 'x-warren-may-publish', read: 'x-warren-may-consume' };
  return Object.fromEntries(rights.map((right) => [extension[right], usersWithAccess(right, address)]));
}

function amqpChannel(address: string, fields: Record<string, unknown>, messageKeys: readonly string[]): ChannelObject {
  const parameters = parametersOf(address);
  return {
    address,
    ...fields,
    servers: [{ $ref: `#/servers/${serverKeys.rabbitmq}` }],
    ...(parameters === undefined ? {} : { parameters }),
    messages: messageRefs(messageKeys),
  };
}

const exchangeBinding = (spec: ExchangeSpec) => ({
  name: spec.name,
  type: spec.type,
  durable: spec.options.durable,
  autoDelete: spec.options.autoDelete ?? false,
  vhost: DEPLOYMENT_VHOST,
});

function exchangeChannel(spec: ExchangeSpec, title: string, description: string, keys: readonly string[]) {
  return amqpChannel(
    spec.name,
    {
      title,
      description,
      bindings: { amqp: { is: 'routingKey', exchange: exchangeBinding(spec), bindingVersion: AMQP_BINDING_VERSION } },
      'x-warren-declaration': spec,
      ...access(spec.name, ['configure', 'write']),
    },
    keys,
  );
}

function routingKeyChannel(routingKey: string, summary: string, keys: readonly string[]): ChannelObject {
  return amqpChannel(
    routingKey,
    {
      title: `${exchanges.events.name} ${routingKey}`,
      description: `Routing key \`${routingKey}\` on \`${exchanges.events.name}\`: ${summary}`,
      bindings: {
        amqp: { is: 'routingKey', exchange: exchangeBinding(exchanges.events), bindingVersion: AMQP_BINDING_VERSION },
      },
      ...access(exchanges.events.name, ['write']),
    },
    keys,
  );
}

/** Every message of the session traffic: chat messages, then the session events in `sessionEventTypes` order. */
const sessionTraffic = [chatMessageKeys.json, chatMessageKeys.text, ...sessionEventTypes.map(sessionEventKey)];

/** The messages that reach a queue through its bindings, each once, in binding order. */
function messagesThrough(spec: QueueSpec, byExchange: ReadonlyMap<string, readonly string[]>): string[] {
  const keys = spec.bindings.flatMap(({ source, routingKey }) => {
    if (source === exchanges.events.name) {
      return Object.entries(serviceEventRoutingKeys)
        .filter(([, key]) => topicMatches(routingKey, key))
        .map(([name]) => serviceEventKeys[name as keyof typeof serviceEventKeys]);
    }
    const carried = byExchange.get(source);
    if (carried === undefined) throw new Error(`no channel for the exchange ${source}`);
    return carried;
  });
  return [...new Set(keys)];
}

function queueChannel(
  spec: QueueSpec,
  title: string,
  description: string,
  byExchange: ReadonlyMap<string, readonly string[]>,
) {
  return amqpChannel(
    spec.name,
    {
      title,
      description,
      bindings: {
        amqp: {
          is: 'queue',
          queue: {
            name: spec.name,
            durable: spec.options.durable,
            exclusive: spec.options.exclusive ?? false,
            autoDelete: spec.options.autoDelete ?? false,
            vhost: DEPLOYMENT_VHOST,
          },
          bindingVersion: AMQP_BINDING_VERSION,
        },
      },
      'x-warren-declaration': spec,
      ...access(spec.name, ['configure', 'read']),
    },
    messagesThrough(spec, byExchange),
  );
}

/** The channel keys of the document, for operations to refer to. */
export const channelKeys = {
  sessionExchange: 'session-exchange',
  userExchange: 'user-exchange',
  messagesExchange: 'messages-exchange',
  deadExchange: 'dead-exchange',
  userRegistered: 'events-user-registered',
  membershipChanged: 'events-membership-changed',
  loginEnded: 'events-login-ended',
  presenceReport: 'events-presence',
  persisterQueue: 'persister-queue',
  chatApiUsersQueue: 'chat-api-users-queue',
  deadLetterQueue: 'dead-letter-queue',
  wsConnectionQueue: 'ws-connection-queue',
  chatApiInstanceQueue: 'chat-api-instance-queue',
  gatewayInstanceQueue: 'ws-gateway-instance-queue',
  websocket: 'websocket',
} as const;

/** Every channel of the document, by key. */
export function channels(): Record<string, ChannelObject> {
  const session = sessionExchange('{sessionId}');
  const user = userExchange('{userId}');
  const byExchange = new Map<string, readonly string[]>([
    [session.name, sessionTraffic],
    [user.name, sessionTraffic],
    [exchanges.messages.name, sessionTraffic],
    [exchanges.dead.name, [DEAD_LETTER_KEY]],
  ]);
  const wsConnection = wsQueue('{userId}', '{connectionId}');
  return {
    [channelKeys.sessionExchange]: exchangeChannel(
      session,
      'Session exchange',
      'All traffic of one chat session. chat-api declares it when the session is made and deletes it with the ' +
        `session; it is bound to \`${exchanges.messages.name}\` and to each member's user exchange (membership is topology).`,
      sessionTraffic,
    ),
    [channelKeys.userExchange]: exchangeChannel(
      user,
      'User exchange',
      "One per user, bound to each session exchange the user is a member of; the user's connection queues are bound to it.",
      sessionTraffic,
    ),
    [channelKeys.messagesExchange]: exchangeChannel(
      exchanges.messages,
      'All sessions',
      'Internal: every session exchange is bound to it, so the persister sees every session.',
      sessionTraffic,
    ),
    [channelKeys.deadExchange]: exchangeChannel(
      exchanges.dead,
      'Dead letters',
      `Where refused deliveries go, with \`x-warren-error\` saying why; routed to \`${queues.deadLetter.name}\`.`,
      [DEAD_LETTER_KEY],
    ),
    [channelKeys.userRegistered]: routingKeyChannel(eventKeys.userRegistered, 'a user registered.', [
      serviceEventKeys.userRegistered,
    ]),
    [channelKeys.membershipChanged]: routingKeyChannel(
      eventKeys.membershipChanged,
      'members left a session, or it was deleted.',
      [serviceEventKeys.membershipChanged],
    ),
    [channelKeys.loginEnded]: routingKeyChannel(eventKeys.loginEnded, 'a login ended.', [serviceEventKeys.loginEnded]),
    [channelKeys.presenceReport]: routingKeyChannel(
      eventKeys.presence('{instance}'),
      'what one ws-gateway instance reports of the users it holds sockets for.',
      [serviceEventKeys.presence],
    ),
    [channelKeys.persisterQueue]: queueChannel(
      queues.persister,
      'Persister queue',
      'Every session, for the persister: it stores messages and applies the events that change them, exactly once.',
      byExchange,
    ),
    [channelKeys.chatApiUsersQueue]: queueChannel(
      queues.chatApiUsers,
      "chat-api's users",
      "chat-api's copy of users is fed from it.",
      byExchange,
    ),
    [channelKeys.deadLetterQueue]: queueChannel(
      queues.deadLetter,
      'Dead-letter queue',
      'For operators; nothing consumes it (docs/operations.md says how to read and requeue letters).',
      byExchange,
    ),
    [channelKeys.wsConnectionQueue]: queueChannel(
      wsConnection,
      'WebSocket connection queue',
      'One per WebSocket connection, declared by the ws-gateway before it sends `ready`; length-limited.',
      byExchange,
    ),
    [channelKeys.chatApiInstanceQueue]: queueChannel(
      chatApiInstanceQueue('{instanceId}'),
      'chat-api instance queue',
      'One per running chat-api: what every instance must hear.',
      byExchange,
    ),
    [channelKeys.gatewayInstanceQueue]: queueChannel(
      gatewayInstanceQueue('{instanceId}'),
      'ws-gateway instance queue',
      'One per running ws-gateway: the logins that ended, whose sockets it closes.',
      byExchange,
    ),
    [channelKeys.websocket]: {
      address: '/ws',
      title: 'WebSocket',
      description:
        "JSON text frames; one connection carries all of a user's sessions. Authenticate with `?token=` or, better, " +
        'an `auth` frame within 10 s. Close codes: 4001 not authenticated, token expired or login ended (get a new ' +
        'token, reconnect); 4008 too slow a reader (reconnect, fill the gap from history); 1001 the gateway is ' +
        'shutting down; 1011 it lost the broker (reconnect with backoff). After `ready`, fill gaps with ' +
        `\`GET /api/sessions/:id/messages?after=\` (WEBSOCKET.md). Its queue: \`${names.wsQueue('{userId}', '{connectionId}')}\`.`,
      servers: [{ $ref: `#/servers/${serverKeys.wsGateway}` }],
      messages: messageRefs(Object.values(frameKeys)),
    },
  };
}
