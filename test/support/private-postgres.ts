import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

/**
 * The folder of PostgreSQL's server programs: `initdb` on the PATH, else Debian's newest
 * /usr/lib/postgresql/<version>/bin (Debian keeps them off the PATH).
 */
function postgresBinDir(): string {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (existsSync(join(folder, 'initdb'))) return folder;
  }
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((version) => existsSync(join('/usr/lib/postgresql', version, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) throw new Error('initdb not found: install PostgreSQL (Debian package postgresql)');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

/**
 * A PostgreSQL cluster of the test's own, in a temporary folder on a free port (trust
 * authentication, user `postgres`, database `postgres`): unlike the machine's shared server it can
 * really be stopped and started again, and it is removed at the end. PostgreSQL refuses to run as
 * root, so as root its programs run as the `postgres` user.
 */
export class PrivatePostgres {
  /** Never left running, even when a test dies before its clean-up. */
  readonly #orphanGuard = () => {
    const [command, argv] = this.#command('pg_ctl', ['-D', this.#data, '-m', 'immediate', 'stop']);
    spawnSync(command, argv, { stdio: 'ignore' });
  };

  private constructor(
    readonly folder: string,
    readonly port: number,
  ) {
    process.once('exit', this.#orphanGuard);
  }

  static async start(): Promise<PrivatePostgres> {
    const folder = mkdtempSync(join(tmpdir(), 'warren-postgres-'));
    const postgres = new PrivatePostgres(folder, await freePort());
    try {
      if (userInfo().uid === 0) {
        const { stdout } = await run('id', ['-u', 'postgres']);
        chownSync(folder, Number(stdout.trim()), -1);
      }
      await postgres.#program('initdb', [
        '-D',
        postgres.#data,
        '-A',
        'trust',
        '-U',
        'postgres',
        '-E',
        'UTF8',
        '--no-sync',
      ]);
      await postgres.boot();
    } catch (error) {
      await postgres.remove();
      throw error;
    }
    return postgres;
  }

  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  get #data(): string {
    return join(this.folder, 'data');
  }

  #command(name: string, args: readonly string[]): [string, string[]] {
    const program = join(postgresBinDir(), name);
    return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, [...args]];
  }

  async #program(name: string, args: readonly string[]): Promise<void> {
    await run(...this.#command(name, args), { timeout: 60_000 });
  }

  /** Starts the server (again); resolves once it accepts connections. */
  async boot(): Promise<void> {
    await this.#program('pg_ctl', [
      '-D',
      this.#data,
      '-l',
      join(this.folder, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.folder} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-w',
      'start',
    ]);
  }

  /** Stops the server as an operator does (`pg_ctl stop -m fast`: sessions are ended); resolves once it is down. */
  async shutdown(): Promise<void> {
    await this.#program('pg_ctl', ['-D', this.#data, '-m', 'fast', '-w', 'stop']);
  }

  /** Stops the server if it runs, and removes its folder. */
  async remove(): Promise<void> {
    process.off('exit', this.#orphanGuard);
    await this.#program('pg_ctl', ['-D', this.#data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(this.folder, { recursive: true, force: true });
  }
}
