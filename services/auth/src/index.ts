/**
 * @packageDocumentation
 * services/auth: register, log in, refresh, log out (announcing `login.ended`); access tokens signed
 * with an asymmetric key whose public half is served as a JWKS.
 */
export { type AuthService, startAuthService } from './auth-service.ts';
export { type AuthConfig, configShape, loadConfig } from './config.ts';
export { AuthErrors } from './errors.ts';
export { AUTH_SCHEMA, migrations } from './migrations/index.ts';
export { GENERATED_KEY_FILE } from './signing-key.ts';
