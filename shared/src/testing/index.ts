/**
 * @packageDocumentation
 * Test support (`@warren/shared/testing`): the run's isolated vhost and database, a recorder to
 * await what arrives (and an AMQP tap built on it), amqplib messages built without a broker, the
 * variables each service starts with in tests, and a bounded wait for views that lag. Not for services.
 */
export { amqpMessage } from './amqp-message.ts';
export { AmqpTap, type AmqpTapOptions, bodyOf } from './amqp-tap.ts';
export { type EventuallyOptions, eventually } from './eventually.ts';
export { type CheckedAnswer, OpenApiAnswers, routesOf } from './openapi-answers.ts';
export { Recorder, type RecorderOptions, type WaitOptions } from './recorder.ts';
export { rejectionOf } from './rejection-of.ts';
export { serviceEnv, type TestedService } from './service-env.ts';
export { type LogLine, ServiceProcess, type ServiceProcessOptions } from './service-process.ts';
export { type TestAmqpUser, type TestConfig, testConfig } from './test-config.ts';
export {
  type IssuedUser,
  JWKS_PATH,
  type SignOptions,
  TestIssuer,
  type TestIssuerOptions,
  type TokenSubject,
} from './test-issuer.ts';
export { thrownBy } from './thrown-by.ts';
