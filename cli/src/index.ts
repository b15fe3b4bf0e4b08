/**
 * @packageDocumentation
 * `@warren/cli`: the `warren` command line (bin/warren.mjs runs src/main.ts). Exported for tests and
 * for scripts that embed it.
 */
export { type CliConfig, type ConfigFlags, configShape, loadConfig, userOf, vhostOf } from './config.ts';
export { type DeadLetterView, describeDeadLetter, type Republish, republishOf } from './dead-letter.ts';
export {
  type BrokerAction,
  brokerReply,
  CliError,
  type CliErrorClass,
  type CliErrorOptions,
  CliErrors,
  defineCliError,
  definedCliErrors,
  explainBrokerError,
  explainConnectError,
  explainManagementError,
  type Permission,
} from './errors.ts';
export { createProgram } from './program.ts';
