/**
 * @packageDocumentation
 * What Warren's services share: configuration, logging, errors, limits, AMQP topology and clients,
 * the message envelope, token verification, database access, the HTTP scaffolding and the service
 * kit that starts and stops a service.
 */
export * from './amqp/index.ts';
export * from './config/index.ts';
export * from './db/index.ts';
export * from './envelope/index.ts';
export * from './errors.ts';
export * from './history/index.ts';
export * from './http/index.ts';
export { limits } from './limits.ts';
export * from './logging/index.ts';
export * from './management/index.ts';
export * from './service/index.ts';
export * from './tokens/index.ts';
export { redactUrl } from './url.ts';
