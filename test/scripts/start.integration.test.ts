import { type ChildProcessByStdio, execSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { eventually, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { freePort } from '../support/free-port.ts';

const root = join(import.meta.dirname, '..', '..');

/** Whether any process of the group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether anything accepts HTTP at `url` (false when the connection is refused). */
const answers = (url: string): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(5000) }).then(
    () => true,
    () => false,
  );

/** The variables that move npm start's listeners: auth, chat-api, the persister, the ws-gateway, the web client. */
const PORT_VARIABLES = ['AUTH_PORT', 'CHAT_API_PORT', 'PERSISTER_PORT', 'WS_GATEWAY_PORT', 'WEB_PORT'] as const;

/** A free port for each of {@link PORT_VARIABLES}. */
async function freePorts(): Promise<Record<string, string>> {
  const ports: Record<string, string> = {};
  for (const name of PORT_VARIABLES) ports[name] = String(await freePort());
  return ports;
}

/** The URL npm start prints once Warren runs; rejects with its output when it exits first. */
function runningUrl(start: ChildProcessByStdio<null, Readable, Readable>): Promise<string> {
  const output: string[] = [];
  start.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return new Promise<string>((resolve, reject) => {
    createInterface({ input: start.stdout }).on('line', (line) => {
      output.push(line);
      const match = /Warren is running: open (\S+)/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    start.on('exit', (code) => reject(new Error(`start exited (${code}) before it was ready:\n${output.join('\n')}`)));
  });
}

describe('npm start (scripts/start.ts)', () => {
  /** Process groups started here: killed after each test, so a failing test leaves nothing running. */
  const groups: number[] = [];
  afterEach(() => {
    for (const pgid of groups.splice(0)) {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  });

  /**
   * Runs npm start's script on `ports` against the run's broker and database, with a fresh data
   * folder, `env` over that; in a process group of its own, so the test can tell whether any
   * process it started survives.
   */
  const launch = (ports: Record<string, string>, env: Record<string, string> = {}) => {
    const start = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        RABBITMQ_URL: testConfig().rabbitmqUrl,
        DATABASE_URL: testConfig().databaseUrl,
        ...ports,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'warren-start-')),
        BCRYPT_COST: '4',
        LOG_LEVEL: 'warn',
        ...env,
      },
    });
    groups.push(start.pid as number);
    return start;
  };

  it('starts the services ready, prints the URL, and Ctrl-C stops everything it started', async () => {
    const ports = await freePorts();
    const [port, chatApiPort, persisterPort, gatewayPort, webPort] = PORT_VARIABLES.map((name) => Number(ports[name]));
    const start = launch(ports);
    const url = await runningUrl(start);
    // The one URL to open is the web origin, which also routes /auth, /api and /ws to the services.
    expect(url).to.equal(`http://127.0.0.1:${webPort}/`);
    for (const ready of [port, chatApiPort, persisterPort, gatewayPort]) {
      expect((await fetch(`http://127.0.0.1:${ready}/readyz`)).status, `port ${ready}`).to.equal(200);
    }
    // Loopback only (HOST unset): 127.0.0.2 is this machine too, but not the address they listen on.
    for (const listening of [port, chatApiPort, persisterPort, gatewayPort, webPort]) {
      expect(await answers(`http://127.0.0.2:${listening}/`), `port ${listening} on 127.0.0.2`).to.equal(false);
    }
    // The services work together: a user registered at auth can use chat-api with its token.
    const credentials = { username: `start_${Date.now().toString(36)}`, password: 'correct horse battery' };
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await post(`${url}auth/register`, credentials)).status).to.equal(201);
    const { access_token: token } = (await (await post(`${url}auth/login`, credentials)).json()) as {
      access_token: string;
    };
    const created = await post(
      `http://127.0.0.1:${chatApiPort}/api/sessions`,
      { name: 'started' },
      { authorization: `Bearer ${token}` },
    );
    expect(created.status).to.equal(201);

    const exited = once(start, 'exit');
    process.kill(start.pid as number, 'SIGINT');
    const [code] = await exited;
    expect(code).to.equal(0);
    // esbuild's helper process (tsx's transformer) exits when its parent's pipe closes, a moment later.
    await eventually(() => !groupAlive(start.pid as number), { timeoutMs: 5000 }).catch(() => {
      throw new Error(`a process npm start launched is still running:\n${execSync(`ps -o pid,args -g ${start.pid}`)}`);
    });
    const refused = await fetch(`${url}healthz`).then(
      () => false,
      () => true,
    );
    expect(refused).to.equal(true);
  });

  it('leaves no service running when the launcher itself is killed with SIGKILL', async () => {
    const start = launch(await freePorts());
    await runningUrl(start);
    process.kill(start.pid as number, 'SIGKILL');
    // The services notice their launcher is gone (their stdin ends) and end themselves.
    await eventually(() => !groupAlive(start.pid as number), { timeoutMs: 10_000 });
  });

  for (const [what, env, expected, variable] of [
    ['RabbitMQ', { RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1/' }, 'amqp://guest:***@127.0.0.1:1/', 'RABBITMQ_URL'],
    [
      'PostgreSQL',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/warren' },
      'postgres://postgres@127.0.0.1:1/warren',
      'DATABASE_URL',
    ],
  ] as const) {
    it(`stops at once, naming the URL it tried, when ${what} cannot be reached`, async () => {
      const start = launch(await freePorts(), env);
      let stderr = '';
      start.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code] = await once(start, 'exit');
      expect(code).to.equal(1);
      expect(stderr).to.include(expected).and.include(variable);
    });
  }

  for (const variable of ['WEB_PORT', 'CHAT_API_PORT']) {
    it(`stops in one line naming the port and ${variable} when that port is taken, leaving nothing running`, async () => {
      const ports = await freePorts();
      // Another program on the port, on every interface as most servers listen.
      const holder = createServer();
      holder.listen(Number(ports[variable]));
      await once(holder, 'listening');
      try {
        const start = launch(ports);
        let stdout = '';
        let stderr = '';
        start.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
        });
        start.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const [code] = await once(start, 'exit');
        expect(code).to.equal(1);
        expect(stdout).to.equal('');
        const lines = stderr.trimEnd().split('\n');
        expect(lines, stderr).to.have.length(1);
        expect(lines[0]).to.include(`port ${ports[variable]} `).and.include(`set ${variable} to another port`);
        await eventually(() => !groupAlive(start.pid as number), { timeoutMs: 5000 });
      } finally {
        holder.close();
        await once(holder, 'close');
      }
    });
  }
});
