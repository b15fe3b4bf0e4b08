import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { permissions, sessionsWritePattern, userLimits } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { WARREN_BIN } from '../../cli/test/support/cli.ts';
import { uniqueName, useOwnedSession, useWarren } from '../support/warren.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GUIDE = readFileSync(new URL('../../docs/amqp.md', import.meta.url), 'utf8');

/** A fenced block that follows an `<!-- example: <id> -->` line. */
interface Example {
  readonly id: string;
  readonly language: string;
  readonly code: string;
}

const examples: Example[] = [...GUIDE.matchAll(/<!-- example: ([\w-]+) -->\n```(\w+)\n([\s\S]*?)\n```/g)].map(
  ([, id, language, code]) => ({ id: id ?? '', language: language ?? '', code: code ?? '' }),
);

/** What an example ran with, and printed. */
interface Run {
  readonly env: Record<string, string>;
  readonly stdout: string;
}

/**
 * Runs an example as a reader would: a shell block in bash (`npx warren` being this checkout's
 * launcher, which is what npx finds), a JavaScript block as an ES module, both from the repository.
 */
async function run(example: Example, env: Record<string, string>): Promise<Run> {
  const [command, args, input] =
    example.language === 'sh'
      ? ['bash', ['-euo', 'pipefail', '-c', example.code.replaceAll('npx warren', `node ${WARREN_BIN}`)], '']
      : example.language === 'js'
        ? [process.execPath, ['--input-type=module'], example.code]
        : ['', [], ''];
  if (command === '') throw new Error(`example ${example.id}: no way to run ${example.language}`);
  const child = spawn(command, args, { cwd: ROOT, env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(input);
  const [code] = await once(child, 'close');
  expect(code, `example ${example.id} failed:\n${stdout}\n${stderr}`).to.equal(0);
  return { env, stdout };
}

describe('docs/amqp.md examples, run against the test vhost', () => {
  const warren = useWarren();
  /** Its owner owns the sessions the examples post to. */
  const owned = useOwnedSession(warren);
  const management = () => new ManagementClient(testConfig().managementUrl);
  /** AMQP users the examples made, removed after the suite. */
  const made: string[] = [];
  after(async () => {
    for (const name of made) await management().deleteUser(name);
  });

  /** The variables the guide tells readers to set, with this run's values and a session of its own. */
  async function environment(): Promise<Record<string, string>> {
    const name = uniqueName('docbot');
    made.push(name);
    return {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      RABBITMQ_URL: testConfig().users.bot.url,
      BOT: testConfig().users.bot.name,
      SESSION: await warren.createSession(owned.owner),
      VHOST: encodeURIComponent(warren.vhost),
      RABBITMQ_MANAGEMENT_URL: testConfig().managementUrl,
      NAME: name,
    };
  }

  /**
   * The new user has the producer permissions (writing where `write` says) and limits, and the
   * password the example printed.
   */
  async function isProducer(name: string, printed: string, write = permissions.bot.write): Promise<void> {
    const vhost = encodeURIComponent(warren.vhost);
    const granted = await management().request('GET', `/permissions/${vhost}/${encodeURIComponent(name)}`);
    expect(granted).to.deep.include({ ...permissions.bot, write });
    const limits = await management().request<{ value: unknown }[]>('GET', `/user-limits/${encodeURIComponent(name)}`);
    expect(limits[0]?.value).to.deep.equal(userLimits.bot);
    const password = /^RABBITMQ_URL=amqp:\/\/[^:]+:([^@]+)@/m.exec(printed)?.[1];
    const url = new URL(testConfig().users.bot.url);
    url.username = name;
    url.password = password ?? '';
    await (await amqp.connect(url.toString())).close();
  }

  const checks: Record<string, (result: Run) => Promise<void>> = {
    'add-bot-cli': ({ env, stdout }) => isProducer(env.NAME ?? '', stdout, sessionsWritePattern([env.SESSION ?? ''])),
    'add-bot-curl': ({ env, stdout }) => isProducer(env.NAME ?? '', stdout),
    'cli-send': async ({ env }) => {
      const row = await warren.stored({ sessionId: env.SESSION ?? '', content: 'Build 1234 passed' });
      expect(row).to.deep.include({ author_kind: 'bot', author_name: env.BOT, type: 'text' });
    },
    amqplib: async ({ env }) => {
      const row = await warren.stored({ sessionId: env.SESSION ?? '', content: 'Build 1234 passed' });
      expect(row).to.deep.include({ author_kind: 'bot', author_name: env.BOT, type: 'ci.build' });
    },
    'curl-publish': async ({ env, stdout }) => {
      expect(stdout.trim()).to.equal('{"routed":true}');
      const row = await warren.stored({ sessionId: env.SESSION ?? '', content: 'Maintenance at 18:00' });
      expect(row).to.deep.include({ author_kind: 'system', author_name: null });
    },
  };

  it('marks an example in each of the three forms, and every marked example has a check here', () => {
    expect(examples.map((example) => example.id).sort()).to.deep.equal(Object.keys(checks).sort());
    expect(examples.map((example) => example.language)).to.include.members(['sh', 'js']);
  });

  for (const example of examples) {
    it(`runs "${example.id}" (${example.language}) as written`, async () => {
      const check = checks[example.id];
      if (!check) throw new Error(`no check for example ${example.id}`);
      await check(await run(example, await environment()));
    });
  }
});
