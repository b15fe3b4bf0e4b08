import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';

const CHILD = join(import.meta.dirname, 'fixtures', 'shutdown-child.ts');

/** A child process running the shutdown fixture in `mode`, with its stdout lines. */
interface Child {
  readonly process: ChildProcess;
  /** Every line printed so far. */
  readonly lines: string[];
  /** Resolves when the child prints `line`. */
  printed(line: string): Promise<void>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

function startChild(mode: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiting = new Map<string, () => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    waiting.get(line)?.();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    process: child,
    lines,
    printed: (line) =>
      lines.includes(line)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiting.set(line, resolve);
            void exited.then(() => reject(new Error(`exited without printing ${line}: ${lines.join(', ')}`)));
          }),
    exited,
  };
}

/** What the child printed apart from the `signal <n>` lines. */
function stepsOf(child: Child): string[] {
  return child.lines.filter((line) => !line.startsWith('signal '));
}

describe('installShutdown', () => {
  let child: Child | undefined;
  afterEach(() => {
    if (child && child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    child = undefined;
  });

  /** The fixture's steps when it stops in full, in order. */
  const EVERY_STEP = ['ready', 'stop-http', 'drain', 'close-broker'];

  /** Runs the fixture in `mode` and sends `signal` once it is ready: its exit code and its steps. */
  async function stoppedBy(mode: string, signal: NodeJS.Signals): Promise<{ code: number | null; steps: string[] }> {
    const started = startChild(mode);
    child = started;
    await started.printed('ready');
    started.process.kill(signal);
    const code = await started.exited;
    return { code, steps: stepsOf(started) };
  }

  it('on SIGTERM runs every step in order, then exits 0', async () => {
    expect(await stoppedBy('ok', 'SIGTERM')).to.deep.equal({ code: 0, steps: EVERY_STEP });
  });

  it('on SIGINT does the same', async () => {
    expect(await stoppedBy('ok', 'SIGINT')).to.deep.equal({ code: 0, steps: EVERY_STEP });
  });

  it('runs the steps after a failed one, then exits 1', async () => {
    expect(await stoppedBy('fail', 'SIGTERM')).to.deep.equal({ code: 1, steps: EVERY_STEP });
  });

  it('exits 1 when the steps take longer than the timeout', async () => {
    expect(await stoppedBy('hang', 'SIGTERM')).to.deep.equal({ code: 1, steps: ['ready', 'stop-http', 'drain'] });
  });

  it('changes nothing on further signals: the steps run once and it exits when they are done', async () => {
    child = startChild('held');
    await child.printed('ready');
    child.process.kill('SIGTERM');
    await child.printed('drain');
    child.process.kill('SIGTERM');
    await child.printed('signal 2');
    child.process.stdin?.write('go\n');
    expect(await child.exited).to.equal(0);
    expect(stepsOf(child)).to.deep.equal(EVERY_STEP);
  });

  it('can be started by the service itself', async () => {
    child = startChild('self');
    expect(await child.exited).to.equal(0);
    expect(stepsOf(child)).to.deep.equal(['stop-http', 'drain', 'close-broker']);
  });
});
