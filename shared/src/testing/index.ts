/**
 * @packageDocumentation
 * Test support (`@warren/shared/testing`): the run's isolated vhost and database, and a bounded
 * wait for views that lag. Not for services.
 */
export { type EventuallyOptions, eventually } from './eventually.ts';
export { type TestAmqpUser, type TestConfig, testConfig } from './test-config.ts';
