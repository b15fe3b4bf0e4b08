import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

const root = join(import.meta.dirname, '..', '..');

/** Nothing listens here: RabbitMQ, its management API and PostgreSQL all unreachable. */
const NO_SERVICES = {
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1/',
  RABBITMQ_MANAGEMENT_URL: 'http://guest:guest@127.0.0.1:1/api',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/warren',
};

/** Runs scripts/test.ts with `args` and `env` and resolves with its exit code and output. */
async function runTestScript(
  env: Record<string, string>,
  args: readonly string[] = ['test/scripts/none'],
): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/test.ts', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  }
  const [code] = await once(child, 'exit');
  return { code: code as number, output };
}

describe('npm test (scripts/test.ts)', function () {
  // Each test starts the runner, which starts a worker: two tsx start-ups, slow on a busy machine.
  this.timeout(90_000);

  it('stops at once, naming the URL and how to set it, when RabbitMQ cannot be reached', async () => {
    const { code, output } = await runTestScript({ RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1/' });
    expect(code).to.equal(1);
    expect(output).to.include('amqp://guest:***@127.0.0.1:1/').and.include('RABBITMQ_URL');
    expect(output.trimEnd().split('\n').at(-1)).to.equal('0 passed, 1 failed');
  });

  it('stops at once, naming the URL and how to set it, when PostgreSQL cannot be reached', async () => {
    const { code, output } = await runTestScript({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/warren' });
    expect(code).to.equal(1);
    expect(output).to.include('postgres://postgres@127.0.0.1:1/warren').and.include('DATABASE_URL');
  });

  it('runs the unit tier (--unit, as `npm run test:unit`) with no broker or database reachable', async () => {
    const { code, output } = await runTestScript(NO_SERVICES, ['--unit', '--jobs', '1', 'shared/test/url.test.ts']);
    expect(output).to.match(/^unit tier: 1 files, 1 workers, no broker or database$/m);
    expect(output.trimEnd().split('\n').at(-1)).to.match(/^[1-9]\d* passed, 0 failed$/);
    expect(code).to.equal(0);
  });

  it('fails a unit-named test that reaches for the broker or database, saying to rename it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'warren-misnamed-'));
    try {
      const testing = join(root, 'shared', 'src', 'testing', 'index.ts');
      writeFileSync(
        join(folder, 'misnamed.test.ts'),
        `import { testConfig } from '${testing}';\nit('reaches for the database', () => testConfig());\n`,
      );
      const { code, output } = await runTestScript(NO_SERVICES, [
        '--unit',
        '--jobs',
        '1',
        'shared/test/url.test.ts',
        folder,
      ]);
      expect(output).to.include('name the file *.integration.test.ts');
      expect(output.trimEnd().split('\n').at(-1)).to.match(/^[1-9]\d* passed, 1 failed$/);
      expect(code).to.equal(1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
