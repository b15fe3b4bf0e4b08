import { SharedErrors } from '@warren/shared/errors';
import { type OpenApiRoute, type OpenApiSpec, serviceRoutes } from '@warren/shared/http';
import { endedLoginsAnswerSchema } from '@warren/shared/tokens';
import { jwksSchema, tokenPairSchema, userAnswerSchema } from './answer-schemas.ts';
import { AuthErrors } from './errors.ts';
import { endedLoginsQuery, loginBody, refreshBody, registerBody } from './schemas.ts';

/** Where auth serves its OpenAPI document. */
export const OPENAPI_PATH = '/auth/openapi.json';

const tag = 'auth';
/** Every route that reads or writes the database. */
const stored = [SharedErrors.databaseUnavailable];

/** HTTP.md's auth tables, with the schemas each route validates with and answers by. */
const routes: OpenApiRoute[] = [
  {
    operationId: 'register',
    method: 'post',
    path: '/auth/register',
    tag,
    summary: 'Registers a user and announces it (`user.registered`).',
    body: registerBody,
    answers: { 201: { description: 'Registered.', body: userAnswerSchema } },
    problems: [AuthErrors.usernameTaken, AuthErrors.tooManyRegistrations, SharedErrors.brokerUnavailable, ...stored],
  },
  {
    operationId: 'login',
    method: 'post',
    path: '/auth/login',
    tag,
    summary: 'Signs in: a new login (refresh-token family) and its first tokens.',
    description: 'The same 401 for an unknown user and a wrong password.',
    body: loginBody,
    answers: { 200: { description: 'Signed in.', body: tokenPairSchema } },
    problems: [AuthErrors.invalidCredentials, AuthErrors.tooManyLoginAttempts, ...stored],
  },
  {
    operationId: 'refresh',
    method: 'post',
    path: '/auth/refresh',
    tag,
    summary: 'Spends a refresh token for a new pair of the same login.',
    description: 'A refresh token that was already spent ends its login (reuse detection) and answers 401.',
    body: refreshBody,
    answers: { 200: { description: 'The new pair; the old refresh token is spent.', body: tokenPairSchema } },
    problems: [AuthErrors.invalidRefreshToken, ...stored],
  },
  {
    operationId: 'logout',
    method: 'post',
    path: '/auth/logout',
    tag,
    summary: "Ends the refresh token's login: its tokens are refused everywhere within 1 s (`login.ended`).",
    body: refreshBody,
    answers: { 204: { description: 'Signed out (also for a token that is unknown or already revoked).' } },
    problems: [SharedErrors.brokerUnavailable, ...stored],
  },
  {
    operationId: 'logoutAll',
    method: 'post',
    path: '/auth/logout-all',
    tag,
    summary: "Ends every login of the access token's user.",
    bearer: true,
    answers: { 204: { description: 'Every login ended.' } },
    problems: [SharedErrors.brokerUnavailable, ...stored],
  },
  {
    operationId: 'endedLogins',
    method: 'get',
    path: '/auth/ended-logins',
    tag,
    summary: 'The logins that ended recently: what every verifier must refuse the tokens of.',
    description:
      'Unauthenticated: it lists sids no token can use any more, no user ids. Only logins that ended within an access token lifetime (and a margin) are listed.',
    query: endedLoginsQuery,
    answers: {
      200: { description: 'The ended logins, and the access tokens’ lifetime.', body: endedLoginsAnswerSchema },
    },
    problems: stored,
  },
  {
    operationId: 'me',
    method: 'get',
    path: '/auth/me',
    tag,
    summary: "The access token's user.",
    bearer: true,
    answers: { 200: { description: 'The user.', body: userAnswerSchema } },
    problems: stored,
  },
  {
    operationId: 'jwks',
    method: 'get',
    path: '/auth/.well-known/jwks.json',
    tag,
    summary: 'The public keys that verify access tokens.',
    answers: { 200: { description: 'The JWKS.', body: jwksSchema } },
  },
];

/** What auth's OpenAPI document is made of. */
export function authOpenApiSpec(): OpenApiSpec {
  const service = serviceRoutes(OPENAPI_PATH);
  return {
    title: 'Warren auth',
    version: '0.1.0',
    description:
      'Registration, sign-in, tokens and sign-out (shared/spec/HTTP.md). Every error is an RFC 9457 problem document with a stable `code`.',
    schemas: {
      ...service.schemas,
      UserAnswer: userAnswerSchema,
      TokenPair: tokenPairSchema,
      Jwks: jwksSchema,
      EndedLogins: endedLoginsAnswerSchema,
    },
    pathParams: {},
    routes: [...routes, ...service.routes],
  };
}
