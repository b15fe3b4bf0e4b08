/**
 * The operations of the AsyncAPI document: who publishes what where, and who consumes what, one
 * operation per AMQP user and place. Each is checked against the RabbitMQ permissions of
 * `../amqp/topology.ts` as it is generated, so the document never shows a publish or a consume the
 * broker would refuse.
 */
import { type AmqpUser, exchanges, names, queues, sessionEventTypes } from '../amqp/topology.ts';
import { type Access, mayAccess, sampleName } from './amqp-access.ts';
import { type ChannelObject, channelKeys } from './channels.ts';
import { chatMessageKeys, DEAD_LETTER_KEY, frameKeys, sessionEventKey } from './messages.ts';

/** One operation as written here, before it becomes an AsyncAPI operation object. */
interface OperationSpec {
  readonly action: 'send' | 'receive';
  readonly channel: string;
  readonly summary: string;
  /** Message keys of the channel; all of the channel's when absent. */
  readonly messages?: readonly string[];
  /** The AMQP user that does it, and the exchange (`write`) or queue (`read`) the broker checks. */
  readonly amqp?: { readonly user: AmqpUser; readonly resource: string };
}

const permissionOf = (user: AmqpUser, access: Access, resource: string) => ({ user, access, resource });

const specs: Readonly<Record<string, OperationSpec>> = {
  'chat-api.publish-session-traffic': {
    action: 'send',
    channel: channelKeys.sessionExchange,
    summary:
      "chat-api publishes its users' messages (as trusted publisher, with author headers) and every session event, " +
      'with publisher confirms (and `mandatory` for messages).',
    messages: [chatMessageKeys.json, ...sessionEventTypes.map(sessionEventKey)],
    amqp: { user: 'chat-api', resource: names.sessionExchange('{sessionId}') },
  },
  'bot.publish-messages': {
    action: 'send',
    channel: channelKeys.sessionExchange,
    summary:
      'A third-party producer (the example AMQP user `bot`, or one made by `warren users add-bot` and limited to ' +
      'some sessions) publishes chat messages; its events are not believed.',
    messages: [chatMessageKeys.json, chatMessageKeys.text],
    amqp: { user: 'bot', resource: names.sessionExchange('{sessionId}') },
  },
  'auth.publish-user-registered': {
    action: 'send',
    channel: channelKeys.userRegistered,
    summary: 'auth publishes each registration, persistent, and answers only after the confirm.',
    amqp: { user: 'auth', resource: exchanges.events.name },
  },
  'auth.publish-login-ended': {
    action: 'send',
    channel: channelKeys.loginEnded,
    summary: 'auth publishes each login that ended, persistent, and answers only after the confirm.',
    amqp: { user: 'auth', resource: exchanges.events.name },
  },
  'chat-api.publish-membership-changed': {
    action: 'send',
    channel: channelKeys.membershipChanged,
    summary: 'chat-api tells the other instances that members left a session.',
    amqp: { user: 'chat-api', resource: exchanges.events.name },
  },
  'ws-gateway.publish-presence': {
    action: 'send',
    channel: channelKeys.presenceReport,
    summary: 'Each ws-gateway instance reports the users it holds sockets for: changes, heartbeats, a goodbye.',
    amqp: { user: 'ws-gateway', resource: exchanges.events.name },
  },
  'persister.consume': {
    action: 'receive',
    channel: channelKeys.persisterQueue,
    summary:
      'The persister stores each valid message and applies each change event exactly once, acknowledging after ' +
      'its transaction commits; it dead-letters what breaks a rule.',
    amqp: { user: 'persister', resource: queues.persister.name },
  },
  'persister.dead-letter': {
    action: 'send',
    channel: channelKeys.deadExchange,
    summary: 'The persister republishes a refused delivery with `x-warren-error`.',
    messages: [DEAD_LETTER_KEY],
    amqp: { user: 'persister', resource: exchanges.dead.name },
  },
  'chat-api.consume-users': {
    action: 'receive',
    channel: channelKeys.chatApiUsersQueue,
    summary: 'chat-api writes each registered user to its copy of users, then acknowledges.',
    amqp: { user: 'chat-api', resource: queues.chatApiUsers.name },
  },
  'chat-api.consume-instance-queue': {
    action: 'receive',
    channel: channelKeys.chatApiInstanceQueue,
    summary: 'Each chat-api instance applies membership changes, ended logins and presence reports.',
    amqp: { user: 'chat-api', resource: names.chatApiInstanceQueue('{instanceId}') },
  },
  'ws-gateway.consume-connection-queue': {
    action: 'receive',
    channel: channelKeys.wsConnectionQueue,
    summary: 'The ws-gateway turns each valid delivery into a `message` or `event` frame of that connection.',
    amqp: { user: 'ws-gateway', resource: names.wsQueue('{userId}', '{connectionId}') },
  },
  'ws-gateway.consume-instance-queue': {
    action: 'receive',
    channel: channelKeys.gatewayInstanceQueue,
    summary: 'Each ws-gateway instance closes the sockets of the logins that ended (4001).',
    amqp: { user: 'ws-gateway', resource: names.gatewayInstanceQueue('{instanceId}') },
  },
  'ws-gateway.send-frames': {
    action: 'send',
    channel: channelKeys.websocket,
    summary: 'The ws-gateway sends a client its frames.',
    messages: [frameKeys.ready, frameKeys.message, frameKeys.event, frameKeys.pong, frameKeys.error],
  },
  'ws-gateway.receive-frames': {
    action: 'receive',
    channel: channelKeys.websocket,
    summary: 'The ws-gateway takes these frames from a client.',
    messages: [frameKeys.auth, frameKeys.ping],
  },
};

/** The message keys of a channel object. */
const messageKeysOf = (channel: ChannelObject): string[] => Object.keys(channel.messages as Record<string, unknown>);

/**
 * Every operation of the document, by id.
 * @throws Error when an operation names a message its channel does not carry, or one its AMQP user's
 * permissions do not allow: the document would then promise what the broker refuses.
 */
export function operations(channels: Readonly<Record<string, ChannelObject>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(specs).map(([id, spec]) => {
      const channel = channels[spec.channel];
      if (channel === undefined) throw new Error(`${id}: no channel ${spec.channel}`);
      const carried = messageKeysOf(channel);
      const keys = spec.messages ?? carried;
      const stray = keys.find((key) => !carried.includes(key));
      if (stray !== undefined) throw new Error(`${id}: the channel ${spec.channel} carries no ${stray}`);
      let permission: ReturnType<typeof permissionOf> | undefined;
      if (spec.amqp !== undefined) {
        permission = permissionOf(spec.amqp.user, spec.action === 'send' ? 'write' : 'read', spec.amqp.resource);
        if (!mayAccess(permission.user, permission.access, sampleName(permission.resource))) {
          throw new Error(`${id}: ${permission.user} may not ${permission.access} ${permission.resource}`);
        }
      }
      return [
        id,
        {
          action: spec.action,
          channel: { $ref: `#/channels/${spec.channel}` },
          summary: spec.summary,
          messages: keys.map((key) => ({ $ref: `#/channels/${spec.channel}/messages/${key}` })),
          ...(permission === undefined ? {} : { 'x-warren-amqp-permission': permission }),
        },
      ];
    }),
  );
}
