export type { AccessTokenClaims } from './access-token-claims.ts';
export { authOf, bearerAuth } from './bearer-auth.ts';
export { type EndedLoginsAnswer, endedLoginsAnswerSchema } from './ended-logins-answer.ts';
export {
  ENDED_LOGINS_PATH,
  type EndedLogin,
  EndedLoginsSource,
  type EndedLoginsSourceOptions,
} from './ended-logins-source.ts';
export { type AccessTokenAlgorithm, jwkThumbprint, type PublicJwk, publicJwkOf } from './jwk.ts';
export {
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierEvents,
  type TokenVerifierOptions,
} from './token-verifier.ts';
