/**
 * zod schemas of the HTTP.md shapes that also travel over AMQP and WebSocket (a user, an author, a
 * message), each checked at compile time against its type in `../contract/http.ts`. They describe
 * what Warren sends; the AsyncAPI document is generated from them.
 */
import { z } from 'zod';
import type { Author, Message, Reaction, User, UserRef } from '../contract/http.ts';
import { limits } from '../limits.ts';
import { exactly } from './same-type.ts';

/** A lower-case UUID, as Warren writes every id. */
export const idSchema = z.uuid().describe('A lower-case UUID.');

/** An ISO-8601 date-time with an offset (Warren writes `Z`, as `Date.prototype.toISOString` does). */
export const instantSchema = z.iso.datetime({ offset: true });

/** `UserRef`: a user as others see them. */
export const userRefSchema = exactly<UserRef>()(
  z.object({ id: idSchema, username: z.string().regex(limits.username.pattern) }),
);

/** `User`: what `user.registered` and `GET /auth/me` carry. */
export const userSchema = exactly<User>()(userRefSchema.extend({ created_at: instantSchema }));

/** `Author`: a chat user vouched for by a trusted publisher, a bot named by its AMQP user, or `null` (unattributed). */
export const authorSchema = exactly<Author>()(
  z
    .discriminatedUnion('kind', [
      userRefSchema.extend({ kind: z.literal('user') }),
      z.object({ kind: z.literal('bot'), name: z.string().min(1).describe('The AMQP user that published it.') }),
    ])
    .nullable(),
);

/** `Reaction`: the users who reacted to a message with one emoji. */
export const reactionSchema = exactly<Reaction>()(
  z.object({
    emoji: z.string().min(limits.emoji.min),
    count: z.number().int().min(1),
    me: z.boolean(),
  }),
);

/** `Message`: a chat message as every part sees it (HTTP.md). */
export const messageSchema = exactly<Message>()(
  z.object({
    id: idSchema,
    session_id: idSchema,
    author: authorSchema,
    type: z.string().regex(limits.messageType),
    content: z
      .string()
      .describe(`Trimmed, ${limits.content.min} to ${limits.content.max} code points; "" once deleted.`),
    extra: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(`A JSON object of at most ${limits.extraBytes} bytes serialized and ${limits.extraDepth} levels deep.`),
    created_at: instantSchema,
    reply_to: idSchema.nullable().describe('The root of the thread this is a reply in.'),
    reply_count: z.number().int().min(0),
    edited_at: instantSchema.nullable(),
    deleted_at: instantSchema.nullable(),
    reactions: z.array(reactionSchema).max(limits.reactionsPerMessage),
  }),
);
