// `npm test`: every test against the real RabbitMQ and PostgreSQL, in a vhost and a database of
// this run's own that are removed at the end; type-check and lint count as two more tests.
// Usage: npm test [-- file-or-folder …]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  amqpUsers,
  declareDeploymentTopology,
  type ManagementClient,
  parseEnv,
  permissions,
  variables,
} from '@warren/shared';
import amqp from 'amqplib';
import Mocha from 'mocha';
import pg from 'pg';
import { checkManagement, checkRabbitMq, connectPostgresAdmin, PreflightError } from './preflight.ts';

const root = join(import.meta.dirname, '..');
const DEFAULT_ROOTS = ['shared/test', 'services', 'cli/test', 'test', 'web/test'];
/** Leftovers of runs that died without cleaning up are removed once this old. */
const STALE_AFTER_MS = 6 * 3600_000;

const config = parseEnv(
  {
    RABBITMQ_URL: variables.RABBITMQ_URL,
    RABBITMQ_MANAGEMENT_URL: variables.RABBITMQ_MANAGEMENT_URL,
    DATABASE_URL: variables.DATABASE_URL,
    LOG_LEVEL: variables.LOG_LEVEL,
  },
  process.env,
);

function findTests(paths: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isFile()) {
      if (path.endsWith('.test.ts')) found.push(path);
      return;
    }
    for (const entry of readdirSync(path)) if (entry !== 'node_modules') walk(join(path, entry));
  };
  for (const path of paths) walk(join(root, path));
  return found.filter((file) => paths !== DEFAULT_ROOTS || relative(root, file).split('/').includes('test')).sort();
}

function runCheck(name: string, command: string, args: readonly string[]): boolean {
  console.log(`\n${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  console.log(result.status === 0 ? `  ✔ ${name}` : `  ✘ ${name} failed`);
  return result.status === 0;
}

async function removeStale(management: ManagementClient, admin: pg.Client): Promise<void> {
  const tooOld = (name: string): boolean => {
    const stamp = Number.parseInt(name.split(/[-_]/)[2] ?? '', 36);
    return Number.isFinite(stamp) && Date.now() - stamp > STALE_AFTER_MS;
  };
  const vhosts = await management.request<{ name: string }[]>('GET', '/vhosts');
  for (const { name } of vhosts)
    if (name.startsWith('warren-test-') && tooOld(name)) await management.deleteVhost(name);
  const { rows } = await admin.query<{ datname: string }>(
    "select datname from pg_database where datname like 'warren_test_%'",
  );
  for (const { datname } of rows) {
    if (tooOld(datname)) await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
  }
}

/** The run's AMQP user standing for a deployment user: `warren-test-<run id>-<user>`. */
const testUserName = (runId: string, role: string): string => `warren-test-${runId}-${role}`;

/** Creates the run's AMQP users, each with its deployment user's permissions in the run's vhost. */
async function createAmqpUsers(management: ManagementClient, vhost: string, runId: string) {
  const created = [];
  for (const role of amqpUsers) {
    const name = testUserName(runId, role);
    const password = randomBytes(12).toString('hex');
    await management.request('PUT', `/users/${encodeURIComponent(name)}`, { password, tags: '' });
    await management.setPermissions(vhost, name, permissions[role]);
    created.push({ role, name, password });
  }
  return created;
}

async function main(): Promise<number> {
  const paths = process.argv.slice(2);
  const files = findTests(paths.length > 0 ? paths : DEFAULT_ROOTS);

  await checkRabbitMq(config.RABBITMQ_URL);
  const management = await checkManagement(config.RABBITMQ_MANAGEMENT_URL);
  const admin = await connectPostgresAdmin(config.DATABASE_URL);

  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const vhost = `warren-test-${runId}`;
  const database = `warren_test_${runId.replace('-', '_')}`;
  const amqpUser = decodeURIComponent(new URL(config.RABBITMQ_URL).username) || 'guest';
  let passed = 0;
  let failed = 0;
  try {
    await removeStale(management, admin);
    await management.createVhost(vhost);
    await management.setPermissions(vhost, amqpUser, { configure: '.*', write: '.*', read: '.*' });
    await admin.query(`create database ${pg.escapeIdentifier(database)}`);
    const testUsers = await createAmqpUsers(management, vhost, runId);

    const amqpUrl = new URL(config.RABBITMQ_URL);
    amqpUrl.pathname = `/${encodeURIComponent(vhost)}`;
    const databaseUrl = new URL(config.DATABASE_URL);
    databaseUrl.pathname = `/${database}`;
    const connection = await amqp.connect(amqpUrl.toString());
    const channel = await connection.createChannel();
    await declareDeploymentTopology(channel);
    await connection.close();

    Object.assign(process.env, {
      WARREN_TEST_RABBITMQ_URL: amqpUrl.toString(),
      WARREN_TEST_VHOST: vhost,
      WARREN_TEST_MANAGEMENT_URL: config.RABBITMQ_MANAGEMENT_URL,
      WARREN_TEST_DATABASE_URL: databaseUrl.toString(),
      WARREN_TEST_AMQP_USERS: JSON.stringify(
        Object.fromEntries(
          testUsers.map(({ role, name, password }) => {
            const url = new URL(amqpUrl);
            url.username = encodeURIComponent(name);
            url.password = encodeURIComponent(password);
            return [role, { name, url: url.toString() }];
          }),
        ),
      ),
    });
    console.log(`test run ${runId}: vhost ${vhost}, database ${database}, ${files.length} test files`);

    if (paths.length === 0) {
      for (const [name, command, args] of [
        ['type-check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
        ['type-check web', 'npx', ['tsc', '--noEmit', '-p', 'web/tsconfig.json']],
        ['type-check bench', 'npx', ['tsc', '--noEmit', '-p', 'bench/tsconfig.json']],
        ['lint', 'npx', ['biome', 'check', '.']],
      ] as const) {
        if (runCheck(name, command, args)) passed += 1;
        else failed += 1;
      }
    }

    const mocha = new Mocha({ timeout: 30_000, slow: 2_000, reporter: 'spec' });
    for (const file of files) mocha.addFile(file);
    await mocha.loadFilesAsync();
    const stats = await new Promise<Mocha.Stats>((resolve) => {
      const runner = mocha.run(() => resolve(runner.stats ?? ({ passes: 0, failures: 1 } as Mocha.Stats)));
    });
    passed += stats.passes;
    failed += stats.failures;
  } finally {
    await management
      .deleteVhost(vhost)
      .catch((error: unknown) => console.error(`could not delete vhost ${vhost}:`, error));
    for (const role of amqpUsers) {
      const name = testUserName(runId, role);
      await management
        .deleteUser(name)
        .catch((error: unknown) => console.error(`could not delete user ${name}:`, error));
    }
    await admin
      .query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`)
      .catch((error: unknown) => console.error(`could not drop database ${database}:`, error));
    await admin.end();
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof PreflightError ? `\n${error.message}` : error);
    console.log('\n0 passed, 1 failed');
    process.exit(1);
  },
);
