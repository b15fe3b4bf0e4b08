/**
 * zod schemas of what chat-api answers (HTTP.md), for its OpenAPI document; each checked at
 * compile time to be exactly its type in `@warren/shared/contract`, so the document, the types the
 * web client uses and these schemas cannot differ.
 */
import type {
  Member,
  Message,
  MessagePage,
  Presence,
  SearchHit,
  Session,
  SessionDetail,
  ThreadPage,
  UserRef,
} from '@warren/shared/contract';
import { exactly, messageSchema, userRefSchema } from '@warren/shared/http';
import { z } from 'zod';

const id = z.uuid();
const instant = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);

/** HTTP.md's `Session`, as the caller sees it. */
export const sessionSchema = exactly<Session>()(
  z.object({
    id,
    kind: z.enum(['group', 'direct']),
    name: z.string().nullable().describe("A direct session's name is the other member's username."),
    visibility: z.enum(['private', 'public']),
    owner_id: id.nullable(),
    created_at: instant,
    bumped_at: instant,
    version: count.describe('Increases by one with every change: a message stored, a member joined or left, a rename.'),
    member_count: count,
    last_message: messageSchema.nullable().describe('`null` when there is none, or for a caller who is not a member.'),
    unread_count: count.describe("Messages after the caller's read marker that others wrote."),
  }),
);

/** One member on the session detail route, with their presence. */
export const memberSchema = exactly<Member>()(
  z.object({
    user: userRefSchema,
    role: z.enum(['owner', 'member']),
    joined_at: instant,
    online: z.boolean().describe('At least one open WebSocket, on any gateway.'),
    last_seen_at: instant.nullable().describe('When their last socket closed; `null` while online or never seen.'),
  }),
);

/** `GET /api/sessions/:id`. */
export const sessionDetailSchema = exactly<SessionDetail>()(sessionSchema.extend({ members: z.array(memberSchema) }));

/** One hit of `GET /api/sessions/search`. */
export const searchHitSchema = exactly<SearchHit>()(sessionSchema.extend({ is_member: z.boolean() }));

/** `GET /api/sessions`. */
export const sessionListSchema = exactly<{ readonly sessions: readonly Session[] }>()(
  z.object({ sessions: z.array(sessionSchema) }),
);

/** `GET /api/sessions/search`. */
export const searchHitListSchema = exactly<{ readonly sessions: readonly SearchHit[] }>()(
  z.object({ sessions: z.array(searchHitSchema) }),
);

/** A page of messages: `GET /api/sessions/:id/messages` and `GET /api/search`. */
export const messagePageSchema = exactly<MessagePage>()(
  z.object({ messages: z.array(messageSchema), has_more: z.boolean() }),
);

/** `GET /api/sessions/:id/messages/:messageId/thread`. */
export const threadPageSchema = exactly<ThreadPage>()(
  z.object({ root: messageSchema, replies: z.array(messageSchema), has_more: z.boolean() }),
);

/** A posted, edited or deleted message. */
export const messageAnswerSchema = exactly<{ readonly message: Message }>()(z.object({ message: messageSchema }));

/** `GET /api/users`. */
export const userListSchema = exactly<{ readonly users: readonly UserRef[] }>()(
  z.object({ users: z.array(userRefSchema) }),
);

/** One user of `GET /api/presence`. */
export const presenceSchema = exactly<Presence>()(
  z.object({ id, online: z.boolean(), last_seen_at: instant.nullable() }),
);

/** `GET /api/presence`. */
export const presenceListSchema = exactly<{ readonly users: readonly Presence[] }>()(
  z.object({ users: z.array(presenceSchema) }),
);
