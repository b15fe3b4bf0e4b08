// `warren …`: runs one command and exits non-zero, with one sentence on stderr, when it failed.
import { CliError } from './errors.ts';
import { createProgram } from './program.ts';

// `warren tail | head -1` closes stdout early: that ends the command, it is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CliError) {
    console.error(`warren: ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    console.error('warren: unexpected error:', error);
    process.exitCode = 1;
  }
}
