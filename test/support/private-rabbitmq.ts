import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/** The deployment's broker definitions (users, the `warren` vhost, permissions, limits, topology). */
export const DEFINITIONS = join(ROOT, 'rabbitmq', 'definitions.json');

/**
 * The folder of the installed RabbitMQ scripts, found from `rabbitmqctl` on the PATH. Debian's
 * /usr/sbin/rabbitmqctl is a wrapper that switches to the `rabbitmq` user, which would drop the
 * environment that points a node at its own folder; the scripts it wraps are beside its target.
 */
function rabbitmqBinDir(): string {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    try {
      return dirname(realpathSync(join(folder, 'rabbitmqctl')));
    } catch {
      // Not in this folder.
    }
  }
  throw new Error('rabbitmqctl is not on the PATH: install RabbitMQ (Debian package rabbitmq-server)');
}

/** The password each user of {@link DEFINITIONS} has in development (docs/deployment.md). */
export const DEV_PASSWORDS = {
  auth: 'auth-dev-password',
  'chat-api': 'chat-api-dev-password',
  persister: 'persister-dev-password',
  'ws-gateway': 'ws-gateway-dev-password',
  bot: 'bot-dev-password',
  admin: 'admin-dev-password',
} as const;

/** Options of {@link PrivateRabbitMq.start}. */
export interface PrivateRabbitMqOptions {
  /** Definitions imported at every boot, as `load_definitions` does in deployment. Default: {@link DEFINITIONS}. */
  readonly definitions?: string;
  /** Runs the management plugin (HTTP API) on a port of its own. Default: true. */
  readonly management?: boolean;
  /** Runs the Web-STOMP plugin (STOMP over WebSocket at `/ws`) on a port of its own. Default: false. */
  readonly webStomp?: boolean;
  /** Runs the rabbitmq_prometheus plugin (`/metrics`, `/metrics/detailed`) on a port of its own. Default: false. */
  readonly prometheus?: boolean;
  /**
   * Raises the node's open-file limit (`ulimit -n`, which bounds its sockets to about 90 % of it) to
   * the hard limit: a soft limit of 1024 allows some 830 client connections. Default: false (the
   * inherited limit).
   */
  readonly raiseFileLimit?: boolean;
  /**
   * The Erlang cookie of the node and of the CLI acting on it: nodes that are to form a cluster
   * share one. Default: one the node makes itself.
   */
  readonly cookie?: string;
}

/**
 * A RabbitMQ node of the test's own: the installed server, run as a separate Erlang node from a
 * temporary folder on free ports, seeded from the deployment's definitions. Unlike the machine's
 * shared broker it can really be stopped and started again (its data, durable queues and
 * persistent messages survive, as on a real restart), and it is removed at the end.
 */
export class PrivateRabbitMq {
  #server: ChildProcess | undefined;
  #output: string[] = [];

  private constructor(
    readonly folder: string,
    readonly node: string,
    readonly port: number,
    readonly managementPort: number | undefined,
    readonly webStompPort: number | undefined,
    readonly distPort: number,
    readonly raiseFileLimit: boolean,
    readonly prometheusPort: number | undefined,
  ) {}

  static async start(options: PrivateRabbitMqOptions = {}): Promise<PrivateRabbitMq> {
    const folder = mkdtempSync(join(tmpdir(), 'warren-rabbitmq-'));
    const [port, distPort] = [await freePort(), await freePort()];
    const managementPort = options.management === false ? undefined : await freePort();
    const webStompPort = options.webStomp === true ? await freePort() : undefined;
    const prometheusPort = options.prometheus === true ? await freePort() : undefined;
    const node = `warren-${folder.slice(-6).toLowerCase()}@localhost`;
    copyFileSync(options.definitions ?? DEFINITIONS, join(folder, 'definitions.json'));
    // Erlang refuses a cookie file that others can read.
    if (options.cookie !== undefined) writeFileSync(join(folder, '.erlang.cookie'), options.cookie, { mode: 0o400 });
    writeFileSync(
      join(folder, 'rabbitmq.conf'),
      [
        `listeners.tcp.local = 127.0.0.1:${port}`,
        `load_definitions = ${join(folder, 'definitions.json')}`,
        ...(managementPort === undefined
          ? []
          : [`management.tcp.ip = 127.0.0.1`, `management.tcp.port = ${managementPort}`]),
        ...(prometheusPort === undefined
          ? []
          : [`prometheus.tcp.ip = 127.0.0.1`, `prometheus.tcp.port = ${prometheusPort}`]),
        'log.console = false',
        'log.file.level = warning',
        '',
      ].join('\n'),
    );
    // Web-STOMP's port, and no TCP listener for the plain STOMP plugin it brings (whose default
    // port, 61613, another broker may hold), in the advanced config: RabbitMQ 3.10 left the
    // rabbitmq.conf keys of both unapplied here.
    writeFileSync(
      join(folder, 'advanced.config'),
      webStompPort === undefined
        ? '[].\n'
        : `[{rabbitmq_stomp, [{tcp_listeners, []}]}, {rabbitmq_web_stomp, [{tcp_config, [{ip, "127.0.0.1"}, {port, ${webStompPort}}]}]}].\n`,
    );
    const plugins = [
      ...(managementPort === undefined ? [] : ['rabbitmq_management']),
      ...(webStompPort === undefined ? [] : ['rabbitmq_web_stomp']),
      ...(prometheusPort === undefined ? [] : ['rabbitmq_prometheus']),
    ];
    writeFileSync(join(folder, 'enabled_plugins'), `[${plugins.join(',')}].\n`);
    const rabbit = new PrivateRabbitMq(
      folder,
      node,
      port,
      managementPort,
      webStompPort,
      distPort,
      options.raiseFileLimit === true,
      prometheusPort,
    );
    try {
      await rabbit.boot();
    } catch (error) {
      await rabbit.remove();
      throw error;
    }
    return rabbit;
  }

  /** `amqp://user:password@127.0.0.1:<port>/<vhost>`. */
  url(user: string, password: string, vhost = 'warren'): string {
    return `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}/${encodeURIComponent(vhost)}`;
  }

  /** The management HTTP API as `user`, `http://user:password@127.0.0.1:<port>`. */
  managementUrl(user: string, password: string): string {
    if (this.managementPort === undefined) throw new Error('started without the management plugin');
    return `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.managementPort}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  /**
   * The process id of the node's Erlang VM (`beam.smp`, from the pid file the node writes once it
   * boots; not the shell that started it), or undefined when it does not run.
   */
  get pid(): number | undefined {
    if (this.#server === undefined) return undefined;
    try {
      const pid = Number(readFileSync(join(this.folder, 'node.pid'), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** The environment that makes the scripts act on this node and no other. */
  #env(): NodeJS.ProcessEnv {
    const { folder } = this;
    return {
      ...process.env,
      HOME: folder, // where the node and rabbitmqctl find the same Erlang cookie
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_CONFIG_FILE: join(folder, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(folder, 'advanced.config'),
      RABBITMQ_CONF_ENV_FILE: join(folder, 'rabbitmq-env.conf'), // not the machine's, which names its node
      RABBITMQ_ENABLED_PLUGINS_FILE: join(folder, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(folder, 'mnesia'),
      RABBITMQ_LOG_BASE: join(folder, 'log'),
      RABBITMQ_PID_FILE: join(folder, 'node.pid'),
      // A failing node or CLI writes its crash dump here, never into the caller's folder.
      ERL_CRASH_DUMP: join(folder, 'erl_crash.dump'),
    };
  }

  async #ctl(...args: string[]): Promise<string> {
    return this.tool('rabbitmqctl', ...args);
  }

  /**
   * Runs one of RabbitMQ's command-line tools (`rabbitmqctl`, `rabbitmq-queues`…) against this node.
   * @returns its standard output.
   */
  async tool(name: 'rabbitmqctl' | 'rabbitmq-queues' | 'rabbitmq-diagnostics', ...args: string[]): Promise<string> {
    const { stdout } = await run(join(rabbitmqBinDir(), name), ['-n', this.node, ...args], {
      env: this.#env(),
      timeout: 120_000,
    });
    return stdout;
  }

  /**
   * Stops the RabbitMQ application and leaves its Erlang VM running (`rabbitmqctl stop_app`): the
   * broker closes every client connection and its listeners, and the node leaves the cluster's
   * running members until {@link startApp}.
   */
  async stopApp(): Promise<void> {
    await this.#ctl('stop_app');
  }

  /** Starts the RabbitMQ application again (`rabbitmqctl start_app`); resolves once it is up. */
  async startApp(): Promise<void> {
    await this.#ctl('start_app');
    await this.#ctl('await_startup', '--timeout', '90');
  }

  /**
   * Kills the node's Erlang VM hard (SIGKILL of `beam.smp`): no connection is closed politely, no
   * data is flushed; resolves once the node's process is gone. {@link boot} starts it again.
   */
  async kill(): Promise<void> {
    const server = this.#server;
    const pid = this.pid;
    if (server === undefined || pid === undefined) throw new Error(`RabbitMQ node ${this.node} does not run`);
    const exited = once(server, 'exit');
    process.kill(pid, 'SIGKILL');
    await exited;
  }

  /** Starts the node (again) and resolves once it accepts connections, with its definitions loaded. */
  async boot(): Promise<void> {
    if (this.#server !== undefined) return;
    this.#output = [];
    rmSync(join(this.folder, 'node.pid'), { force: true });
    const script = join(rabbitmqBinDir(), 'rabbitmq-server');
    const [command, args] = this.raiseFileLimit
      ? ['/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0"', script]]
      : [script, []];
    const server = spawn(command, args, {
      env: this.#env(),
      cwd: this.folder,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so that a kill reaches Erlang's helpers too
    });
    this.#server = server;
    for (const stream of [server.stdout, server.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        if (this.#output.length < 500) this.#output.push(chunk.toString());
      });
    }
    // Never left behind, even when a test dies before its clean-up.
    const orphanGuard = () => PrivateRabbitMq.#killGroup(server);
    process.once('exit', orphanGuard);
    server.once('exit', () => {
      process.off('exit', orphanGuard);
      if (this.#server === server) this.#server = undefined;
    });
    const exited = once(server, 'exit').then(([code]) => {
      throw new Error(`RabbitMQ node ${this.node} exited (${code}) while booting:\n${this.#output.join('')}`);
    });
    // `wait` waits for the pid file the booting node writes, then for RabbitMQ to be up on it.
    await Promise.race([this.#ctl('wait', join(this.folder, 'node.pid'), '--timeout', '90'), exited]).catch(
      (error: Error) => {
        throw new Error(`RabbitMQ node ${this.node} did not start: ${error.message}\n${this.#logTail()}`);
      },
    );
    exited.catch(() => undefined);
  }

  /** The end of the node's log files, for an error message. */
  #logTail(): string {
    const folder = join(this.folder, 'log');
    const files = existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.log')) : [];
    return files.map((file) => readFileSync(join(folder, file), 'utf8').slice(-3000)).join('\n');
  }

  /**
   * Stops the node as an operator does (`rabbitmqctl stop`: the broker closes every connection and
   * its listeners, then the Erlang VM exits); resolves once the process is gone.
   */
  async shutdown(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    const exited = once(server, 'exit');
    await this.#ctl('stop');
    await exited;
  }

  /** Kills the node if it runs, and removes its folder. */
  async remove(): Promise<void> {
    const server = this.#server;
    if (server !== undefined) {
      const exited = once(server, 'exit');
      PrivateRabbitMq.#killGroup(server);
      await exited;
    }
    rmSync(this.folder, { recursive: true, force: true });
  }

  static #killGroup(server: ChildProcess): void {
    try {
      if (server.pid !== undefined) process.kill(-server.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
