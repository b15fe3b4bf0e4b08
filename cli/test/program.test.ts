import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { type Command, CommanderError } from 'commander';
import { createProgram } from '../src/index.ts';
import { WARREN_BIN } from './support/cli.ts';

/** Every command path of the program: `[]`, `['send']`, `['topology', 'sync']`, … */
function paths(command: Command, prefix: string[] = []): string[][] {
  return [prefix, ...command.commands.flatMap((sub) => paths(sub, [...prefix, sub.name()]))];
}

/** Runs the program in this process with its output captured instead of exiting. */
async function run(args: string[]): Promise<{ out: string; err: string; code: string }> {
  const program = createProgram();
  let out = '';
  let err = '';
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({
      writeOut: (text) => {
        out += text;
      },
      writeErr: (text) => {
        err += text;
      },
    });
    for (const sub of command.commands) quiet(sub);
  };
  quiet(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out, err, code: 'ran' };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { out, err, code: error.code };
  }
}

describe('warren --help', () => {
  for (const path of paths(createProgram()).filter((each) => !each.includes('help'))) {
    it(`is there for ${['warren', ...path].join(' ')}`, async () => {
      const { out, code } = await run([...path, '--help']);
      expect(code).to.equal('commander.helpDisplayed');
      expect(out).to.match(new RegExp(`^Usage: ${['warren', ...path].join(' ')} `));
    });
  }

  it('documents the options of send', async () => {
    const { out } = await run(['send', '--help']);
    for (const option of [
      '--session <id>',
      '--as <amqp-user>',
      '--id <uuid>',
      '--reply-to <message-id>',
      '--url <amqp-url>',
      '<text...>',
    ]) {
      expect(out).to.include(option);
    }
  });

  it('documents where a bot may publish, for add-bot and set-sessions alike', async () => {
    for (const command of ['add-bot', 'set-sessions']) {
      const { out } = await run(['users', command, '--help']);
      for (const option of ['<name>', '--sessions <ids>', '--all-sessions', '--json', '--management-url <url>']) {
        expect(out).to.include(option);
      }
      expect(out).to.include('One of --sessions and --all-sessions is required');
    }
  });

  it('makes a bot that may publish everywhere only when told so: no scope is a usage error', async () => {
    const { err, code } = await run(['users', 'add-bot', 'somebot']);
    expect(code).to.equal('commander.error');
    expect(err).to.include('say where the bot may publish: --sessions <id>,');
    expect(err).to.include('(run with --help for usage)');
  });

  it('refuses a --reply-to that is not a message id, before connecting', async () => {
    const session = '0190a6f2-0000-7000-8000-000000000002';
    const { err, code } = await run(['send', '--session', session, '--reply-to', 'the-last-one', 'me too']);
    expect(code).to.equal('commander.invalidArgument');
    expect(err).to.include("option '--reply-to <message-id>' argument 'the-last-one' is invalid. must be a message id");
  });

  it('documents how tail shows edits, deletes, reactions and replies', async () => {
    const { out } = await run(['tail', '--help']);
    for (const shown of ['↳', '✎', '✗', '+👍', '−👍']) expect(out).to.include(shown);
  });

  it('points to --help after a usage error', async () => {
    const { err, code } = await run(['send', 'hello']);
    expect(code).to.equal('commander.missingMandatoryOptionValue');
    expect(err).to.include("required option '--session <id>' not specified");
    expect(err).to.include('(run with --help for usage)');
  });

  it('runs from the launcher that npx warren uses', () => {
    const result = spawnSync(process.execPath, [WARREN_BIN, '--help'], { encoding: 'utf8' });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^Usage: warren \[options\] \[command\]/);
  });
});
