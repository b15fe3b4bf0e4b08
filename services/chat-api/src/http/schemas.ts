import { limits } from '@warren/shared/limits';
import { validate as isUuid } from 'uuid';
import { z } from 'zod';

const codePoints = (text: string): number => [...text].length;

/** Text PostgreSQL can store and compare: no U+0000 (it refuses it) and no lone surrogate. */
const storable = (text: string): boolean => !text.includes('\u0000') && !/\p{Cs}/u.test(text);
const STORABLE_MESSAGE = 'must not contain U+0000 or a lone surrogate';

/** A UUID, any case; routes lower-case it. */
export const uuidSchema = z.string().refine(isUuid, 'must be a UUID').meta({ format: 'uuid' });

/** A username as README.md limits it. */
export const usernameSchema = z
  .string()
  .regex(limits.username.pattern, `must be ${limits.username.min} to ${limits.username.max} of A-Z a-z 0-9 _ . -`);

/** A session name: trimmed, 1 to 100 characters. */
const sessionName = z
  .string()
  .trim()
  .refine((name) => codePoints(name) >= limits.sessionName.min && codePoints(name) <= limits.sessionName.max, {
    message: `must be ${limits.sessionName.min} to ${limits.sessionName.max} characters`,
  })
  .refine(storable, STORABLE_MESSAGE);

const visibility = z.enum(['private', 'public']);

/** `POST /api/sessions`. */
export const createSessionBody = z.object({
  name: sessionName.optional(),
  visibility: visibility.optional(),
  members: z.array(usernameSchema).max(limits.membersPerSession).optional(),
});

/** `PATCH /api/sessions/:id`. */
export const updateSessionBody = z.object({ name: sessionName.optional(), visibility: visibility.optional() });

/** `POST /api/sessions/:id/members` and `POST /api/direct`. */
export const usernameBody = z.object({ username: usernameSchema });

/** `POST /api/sessions/:id/messages`: shapes only; the envelope's own rules check the values. */
export const postMessageBody = z.object({
  content: z.string().describe(`Trimmed, ${limits.content.min} to ${limits.content.max} code points.`),
  type: z.string().optional().describe('An application tag, 1 to 32 of `a-z 0-9 . _ -`; `text` when absent.'),
  extra: z
    .unknown()
    .optional()
    .describe(
      `A JSON object of at most ${limits.extraBytes} bytes serialized and ${limits.extraDepth} levels deep, or null.`,
    ),
  id: uuidSchema.optional().describe('The client’s id, for an idempotent retry; a UUIDv7 is made when absent.'),
  reply_to: z.unknown().optional().describe('The id of a message of this session: the post is a reply in its thread.'),
});

/** `PATCH /api/sessions/:id/messages/:messageId`: the shape; the envelope's content rule checks the value. */
export const editMessageBody = z.object({
  content: z.string().describe(`Trimmed, ${limits.content.min} to ${limits.content.max} code points.`),
});

/** `POST /api/sessions/:id/read`. */
export const readBody = z.object({ message_id: uuidSchema });

/** `GET /api/sessions/:id/messages`. */
export const historyQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    before: uuidSchema.optional(),
    after: uuidSchema.optional(),
  })
  .refine((query) => query.before === undefined || query.after === undefined, {
    message: 'give before or after, not both',
    path: ['after'],
  });

/** `GET /api/sessions/:id/messages/:messageId/thread`. */
export const threadQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  after: uuidSchema.optional(),
});

/** `GET /api/sessions/search` and `GET /api/users`: `q`, which may be empty. */
export const searchQuery = z.object({
  q: z.string().max(limits.sessionName.max).refine(storable, STORABLE_MESSAGE).default(''),
});

/** `GET /api/search`: words to find (not blank), optionally one session, a page size and a cursor. */
export const messageSearchQuery = z.object({
  q: z
    .string()
    .max(limits.content.max)
    .refine(storable, STORABLE_MESSAGE)
    .refine((q) => q.trim() !== '', 'must not be empty'),
  session_id: uuidSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  before: uuidSchema.optional(),
});

/** Most users one `GET /api/presence` may ask about (HTTP.md). */
export const PRESENCE_MAX_USERS = 200;

/** `GET /api/presence`: `user_ids`, comma-separated UUIDs, 1 to 200 (duplicates count once). */
export const presenceQuery = z.object({
  user_ids: z
    .string()
    .transform((list) => [...new Set(list.split(',').map((id) => id.trim().toLowerCase()))])
    .pipe(
      z
        .array(uuidSchema)
        .min(1, 'must name at least one user')
        .max(PRESENCE_MAX_USERS, `must name at most ${PRESENCE_MAX_USERS} users`),
    ),
});
