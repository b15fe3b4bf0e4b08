import { z } from 'zod';

/** Thrown when the environment does not hold a valid configuration; names every bad variable. */
export class ConfigError extends Error {
  /** Each invalid variable with what is wrong with it. */
  readonly problems: readonly { variable: string; message: string }[];

  constructor(problems: readonly { variable: string; message: string }[]) {
    super(
      `invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}\n` +
        'Set these environment variables to valid values (see docs/configuration.md).',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses environment variables against a zod shape whose keys are the variable names.
 * Empty strings count as unset, so `FOO= npm start` falls back to the default.
 *
 * @throws ConfigError naming every invalid variable.
 */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  env: Readonly<Record<string, string | undefined>>,
): z.infer<z.ZodObject<S>> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })),
    );
  }
  return result.data;
}
