import { z } from 'zod';

/**
 * `GET /auth/ended-logins` (HTTP.md), auth's record: the logins that ended within an access token's
 * lifetime (and a margin), and that lifetime. Auth answers with it (and its OpenAPI document says
 * so); chat-api and the gateway read the answer with it (`EndedLoginsSource`).
 */
export const endedLoginsAnswerSchema = z.object({
  ended: z.array(
    z.object({
      sid: z.string().min(1).describe("The `sid` claim of the login's access tokens."),
      ended_at: z.iso.datetime({ offset: true }),
    }),
  ),
  access_token_ttl_sec: z.number().int().positive(),
});

/** An answer of `GET /auth/ended-logins`. */
export type EndedLoginsAnswer = z.infer<typeof endedLoginsAnswerSchema>;
