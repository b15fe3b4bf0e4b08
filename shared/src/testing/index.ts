/**
 * @packageDocumentation
 * Test support (`@warren/shared/testing`): the run's isolated vhost and database. Not for services.
 */
export { type TestConfig, testConfig } from './test-config.ts';
