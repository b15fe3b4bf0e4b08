import { SharedErrors } from '@warren/shared/errors';
import { type OpenApiRoute, type OpenApiSpec, serviceRoutes } from '@warren/shared/http';
import { limits } from '@warren/shared/limits';
import { z } from 'zod';
import { ChatApiErrors } from '../errors.ts';
import {
  messageAnswerSchema,
  messagePageSchema,
  presenceListSchema,
  searchHitListSchema,
  sessionDetailSchema,
  sessionListSchema,
  sessionSchema,
  threadPageSchema,
  userListSchema,
} from './answer-schemas.ts';
import {
  createSessionBody,
  editMessageBody,
  historyQuery,
  messageSearchQuery,
  postMessageBody,
  presenceQuery,
  readBody,
  searchQuery,
  threadQuery,
  updateSessionBody,
  usernameBody,
} from './schemas.ts';

/** Where chat-api serves its OpenAPI document. */
export const OPENAPI_PATH = '/api/openapi.json';

const { messageDeleted, messageNotFound, notAMember, notTheAuthor, notTheOwner, sessionNotFound, userNotFound } =
  ChatApiErrors;
const { brokerUnavailable } = SharedErrors;
/** A route on `:id` that only the session's members may use. */
const members = [sessionNotFound, notAMember];
/** A route on a message of the session. */
const onMessage = [...members, messageNotFound];

/**
 * The path parameters. Routes read them without a schema: an id that is no UUID names nothing and
 * is answered as one that is not there (404), never 400.
 */
const pathParams = {
  id: z.string().describe('The session id (a UUID; anything else is a session that is not there: 404).'),
  messageId: z
    .string()
    .describe('A message id of the session (a UUID; anything else is a message that is not there: 404).'),
  userId: z.string().describe('The user id (a UUID; anything else is a user that is not there: 404).'),
  emoji: z
    .string()
    .describe(
      `One emoji or a short name (\`thumbsup\`): ${limits.emoji.min} to ${limits.emoji.max} code points, no white space or control characters, URL-encoded.`,
    ),
};

const sessions = 'sessions';
const messages = 'messages';
const people = 'users';

/** HTTP.md's chat-api tables, with the schemas each route validates with and answers by. */
const routes: OpenApiRoute[] = [
  {
    operationId: 'createSession',
    method: 'post',
    path: '/api/sessions',
    tag: sessions,
    summary: 'Creates a group session; the caller is its owner and a member.',
    body: createSessionBody,
    answers: { 201: { description: 'Created.', body: sessionSchema } },
    problems: [userNotFound, ChatApiErrors.sessionFull, brokerUnavailable],
  },
  {
    operationId: 'listSessions',
    method: 'get',
    path: '/api/sessions',
    tag: sessions,
    summary: "The caller's sessions, most recently bumped first.",
    answers: { 200: { description: 'The sessions.', body: sessionListSchema } },
  },
  {
    operationId: 'searchSessions',
    method: 'get',
    path: '/api/sessions/search',
    tag: sessions,
    summary: 'Public sessions whose name contains `q` (case-insensitive), by name.',
    description: 'To a non-member `last_message` is `null` and `unread_count` 0.',
    query: searchQuery,
    answers: { 200: { description: 'The hits.', body: searchHitListSchema } },
  },
  {
    operationId: 'getSession',
    method: 'get',
    path: '/api/sessions/:id',
    tag: sessions,
    summary: 'A session with its members and their presence.',
    description:
      'A private session the caller is not in is answered exactly as one that does not exist; a public one shows non-members no `last_message`.',
    answers: { 200: { description: 'The session.', body: sessionDetailSchema } },
    problems: [sessionNotFound],
  },
  {
    operationId: 'updateSession',
    method: 'patch',
    path: '/api/sessions/:id',
    tag: sessions,
    summary: 'Renames a session or changes its visibility; owner only.',
    body: updateSessionBody,
    answers: { 200: { description: 'The changed session.', body: sessionSchema } },
    problems: [sessionNotFound, notAMember, notTheOwner, brokerUnavailable],
  },
  {
    operationId: 'deleteSession',
    method: 'delete',
    path: '/api/sessions/:id',
    tag: sessions,
    summary: 'Deletes a session and its exchange; owner only.',
    answers: { 204: { description: 'Deleted.' } },
    problems: [sessionNotFound, notAMember, notTheOwner, brokerUnavailable],
  },
  {
    operationId: 'joinSession',
    method: 'post',
    path: '/api/sessions/:id/join',
    tag: sessions,
    summary: 'Joins a public session (a private one answers 404); joining twice is no error.',
    answers: { 200: { description: 'The session.', body: sessionSchema } },
    problems: [sessionNotFound, ChatApiErrors.sessionFull, brokerUnavailable],
  },
  {
    operationId: 'leaveSession',
    method: 'post',
    path: '/api/sessions/:id/leave',
    tag: sessions,
    summary: 'Leaves a session: an owner hands ownership to the longest-standing member; the last to leave deletes it.',
    answers: { 204: { description: 'Left.' } },
    problems: [...members, brokerUnavailable],
  },
  {
    operationId: 'addMember',
    method: 'post',
    path: '/api/sessions/:id/members',
    tag: sessions,
    summary: 'Adds a member (any member may); adding twice is no error; not for direct sessions.',
    body: usernameBody,
    answers: { 200: { description: 'The session.', body: sessionSchema } },
    problems: [...members, userNotFound, ChatApiErrors.directSession, ChatApiErrors.sessionFull, brokerUnavailable],
  },
  {
    operationId: 'removeMember',
    method: 'delete',
    path: '/api/sessions/:id/members/:userId',
    tag: sessions,
    summary: 'Removes a member; owner only.',
    answers: { 204: { description: 'Removed.' } },
    problems: [...members, notTheOwner, userNotFound, brokerUnavailable],
  },
  {
    operationId: 'openDirect',
    method: 'post',
    path: '/api/direct',
    tag: sessions,
    summary: 'The one direct session of the caller and that user, created on first call.',
    body: usernameBody,
    answers: { 200: { description: 'The direct session.', body: sessionSchema } },
    problems: [userNotFound, brokerUnavailable],
  },
  {
    operationId: 'history',
    method: 'get',
    path: '/api/sessions/:id/messages',
    tag: messages,
    summary: 'A page of history: newest first with `before` (or neither), oldest first with `after`.',
    query: historyQuery,
    answers: { 200: { description: 'The page.', body: messagePageSchema } },
    problems: onMessage,
  },
  {
    operationId: 'postMessage',
    method: 'post',
    path: '/api/sessions/:id/messages',
    tag: messages,
    summary: 'Posts a message (or a reply, with `reply_to`), answered once the broker confirmed it.',
    description:
      'Posting the same client `id` twice never stores two messages. `type` defaults to `text`; `content` is trimmed, 1 to 4000 code points; `extra` a JSON object of at most 8 KiB.',
    body: postMessageBody,
    answers: { 202: { description: 'Published.', body: messageAnswerSchema } },
    problems: [...onMessage, ChatApiErrors.messageIdTaken, ChatApiErrors.tooManyMessages, brokerUnavailable],
  },
  {
    operationId: 'thread',
    method: 'get',
    path: '/api/sessions/:id/messages/:messageId/thread',
    tag: messages,
    summary: 'A thread: its root and a page of replies, oldest first.',
    query: threadQuery,
    answers: { 200: { description: 'The thread.', body: threadPageSchema } },
    problems: onMessage,
  },
  {
    operationId: 'editMessage',
    method: 'patch',
    path: '/api/sessions/:id/messages/:messageId',
    tag: messages,
    summary: "Edits the caller's message, answered once the broker confirmed the change.",
    body: editMessageBody,
    answers: { 202: { description: 'The edited message.', body: messageAnswerSchema } },
    problems: [...onMessage, notTheAuthor, messageDeleted, brokerUnavailable],
  },
  {
    operationId: 'deleteMessage',
    method: 'delete',
    path: '/api/sessions/:id/messages/:messageId',
    tag: messages,
    summary: "Deletes a message: the author's own, or any as the session's owner; deleting twice is no error.",
    answers: { 202: { description: 'The tombstone.', body: messageAnswerSchema } },
    problems: [...onMessage, notTheAuthor, brokerUnavailable],
  },
  {
    operationId: 'addReaction',
    method: 'put',
    path: '/api/sessions/:id/messages/:messageId/reactions/:emoji',
    tag: messages,
    summary: 'Reacts to a message; reacting twice with the same emoji is no error.',
    answers: { 204: { description: 'Reacted.' } },
    problems: [
      ...onMessage,
      SharedErrors.invalidRequest,
      messageDeleted,
      ChatApiErrors.tooManyReactions,
      brokerUnavailable,
    ],
  },
  {
    operationId: 'removeReaction',
    method: 'delete',
    path: '/api/sessions/:id/messages/:messageId/reactions/:emoji',
    tag: messages,
    summary: "Takes the caller's reaction back, if any.",
    answers: { 204: { description: 'Removed.' } },
    problems: [...onMessage, SharedErrors.invalidRequest, messageDeleted, brokerUnavailable],
  },
  {
    operationId: 'markRead',
    method: 'post',
    path: '/api/sessions/:id/read',
    tag: messages,
    summary: "Moves the caller's read marker forward (never back) and publishes a `read` event.",
    body: readBody,
    answers: { 204: { description: 'Marked.' } },
    problems: [...onMessage, brokerUnavailable],
  },
  {
    operationId: 'typing',
    method: 'post',
    path: '/api/sessions/:id/typing',
    tag: messages,
    summary: 'Publishes a `typing` event (at most one per user and session every 2 s; more are accepted).',
    answers: { 204: { description: 'Accepted.' } },
    problems: [...members, brokerUnavailable],
  },
  {
    operationId: 'searchMessages',
    method: 'get',
    path: '/api/search',
    tag: messages,
    summary: "Full-text search over the messages of the caller's sessions, newest first.",
    query: messageSearchQuery,
    answers: { 200: { description: 'The matches.', body: messagePageSchema } },
    problems: [messageNotFound],
  },
  {
    operationId: 'searchUsers',
    method: 'get',
    path: '/api/users',
    tag: people,
    summary: 'Up to 20 users whose username starts with `q` (case-insensitive).',
    query: searchQuery,
    answers: { 200: { description: 'The users.', body: userListSchema } },
  },
  {
    operationId: 'presence',
    method: 'get',
    path: '/api/presence',
    tag: people,
    summary: 'Who of these users is online; users who share no session with the caller are left out.',
    query: presenceQuery,
    answers: { 200: { description: 'Their presence.', body: presenceListSchema } },
  },
];

/** What chat-api's OpenAPI document is made of. */
export function chatApiOpenApiSpec(): OpenApiSpec {
  const service = serviceRoutes(OPENAPI_PATH);
  return {
    title: 'Warren chat-api',
    version: '0.1.0',
    description:
      'Sessions, members, messages and their changes, search and presence (shared/spec/HTTP.md). Every route but the service ones takes a bearer access token from auth. Every error is an RFC 9457 problem document with a stable `code`.',
    schemas: {
      ...service.schemas,
      Session: sessionSchema,
      SessionDetail: sessionDetailSchema,
      SessionList: sessionListSchema,
      SearchHitList: searchHitListSchema,
      MessagePage: messagePageSchema,
      ThreadPage: threadPageSchema,
      MessageAnswer: messageAnswerSchema,
      UserList: userListSchema,
      PresenceList: presenceListSchema,
    },
    pathParams,
    bearerProblems: [
      SharedErrors.signingKeysUnavailable,
      ChatApiErrors.endedLoginsUnknown,
      SharedErrors.databaseUnavailable,
    ],
    routes: [...routes.map((route) => ({ ...route, bearer: true })), ...service.routes],
  };
}
