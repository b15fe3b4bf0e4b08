export { ConfigError, parseEnv } from './parse-env.ts';
export { list, portVariable, variables } from './variables.ts';
