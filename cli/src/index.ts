/**
 * @packageDocumentation
 * `@warren/cli`: the `warren` command line (bin/warren.mjs runs src/main.ts). Exported for tests and
 * for scripts that embed it.
 */
export { type CliConfig, type ConfigFlags, configShape, loadConfig, userOf, vhostOf } from './config.ts';
export { type DeadLetterView, describeDeadLetter, type Republish, republishOf } from './dead-letter.ts';
export * from './errors.ts';
export { createProgram } from './program.ts';
