import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { expect } from 'chai';

const root = join(import.meta.dirname, '..', '..');

/** Runs scripts/test.ts with `env` and resolves with its exit code and output. */
async function runTestScript(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/test.ts', 'test/scripts/none'], {
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

describe('npm test (scripts/test.ts)', () => {
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
});
