import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { names, permissions, sessionsWritePattern, userLimits } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { publishRaw } from '../../test/amqp/support/publish.ts';
import { type TestUser, uniqueName, useWarren } from '../../test/support/warren.ts';
import { runCli } from './support/cli.ts';

describe('warren users', function () {
  // Each test runs the CLI several times (a tsx process each): 5-20 s alone, more under load.
  this.timeout(120_000);
  const warren = useWarren();
  let owner: TestUser;
  const management = () => new ManagementClient(testConfig().managementUrl);
  const created: string[] = [];

  before(async () => {
    owner = await warren.register('owner');
  });
  after(async () => {
    for (const name of created) await management().deleteUser(name);
  });

  const grantedTo = (name: string) =>
    management().request<Record<string, string>>(
      'GET',
      `/permissions/${encodeURIComponent(warren.vhost)}/${encodeURIComponent(name)}`,
    );

  /** Makes a bot with `add-bot <flags>`; resolves with its name and broker URL. */
  async function addBot(prefix: string, flags: string[]): Promise<{ name: string; url: string; stdout: string }> {
    const name = uniqueName(prefix);
    created.push(name);
    const result = await runCli(['users', 'add-bot', name, ...flags]);
    expect(result.code, result.stderr).to.equal(0);
    const url = /^RABBITMQ_URL=(\S+)$/m.exec(result.stdout)?.[1];
    expect(url).to.be.a('string');
    return { name, url: url ?? '', stdout: result.stdout };
  }

  /** Publishes a text message as the bot to a session; resolves with the broker's answer. */
  const publishTo = (url: string, name: string, sessionId: string, content: string) =>
    publishRaw(url, names.sessionExchange(sessionId), content, { messageId: randomUUID(), userId: name });

  describe('add-bot', () => {
    it('creates a producer limited to the sessions given, with the bot limits, whose password works once printed', async () => {
      const mine = await warren.createSession(owner);
      const other = await warren.createSession(owner);
      const { name, url, stdout } = await addBot('buildbot', ['--sessions', mine.toUpperCase()]);
      expect(stdout).to.include(`created AMQP user ${name} in vhost ${warren.vhost}`);
      expect(stdout).to.include(`may publish to: session ${mine} `);
      const password = /^password \(shown only now\): (\S+)$/m.exec(stdout)?.[1];
      expect(password).to.be.a('string').with.length.above(20);
      expect(url).to.include(`${name}:${password}@`);

      expect(await grantedTo(name)).to.deep.include({ ...permissions.bot, write: sessionsWritePattern([mine]) });
      const limited = await management().request<{ value: Record<string, number> }[]>(
        'GET',
        `/user-limits/${encodeURIComponent(name)}`,
      );
      expect(limited[0]?.value).to.deep.equal(userLimits.bot);

      // It publishes into its session as itself; the broker refuses every other session and exchange.
      const id = (
        await runCli(['send', '--session', mine, '--as', name, 'hello from a new bot'], { RABBITMQ_URL: url })
      ).stdout.split(' ')[1];
      expect(await warren.stored({ id: id ?? '' })).to.deep.include({ author_kind: 'bot', author_name: name });
      const refused = await publishTo(url, name, other, 'not my session');
      expect(refused.confirmed).to.equal(false);
      expect(refused.refusal?.code).to.equal(403);
      expect(refused.refusal?.message).to.include('ACCESS_REFUSED');
      const elsewhere = await publishRaw(url, names.userExchange(owner.id), 'sneaking in', { messageId: id });
      expect(elsewhere.refusal?.code).to.equal(403);
    });

    it('lets a bot publish to every session only when told so with --all-sessions', async () => {
      const { name, url, stdout } = await addBot('allbot', ['--all-sessions']);
      expect(stdout).to.include('may publish to: every session');
      expect(await grantedTo(name)).to.deep.include(permissions.bot);
      for (const sessionId of [await warren.createSession(owner), await warren.createSession(owner)]) {
        expect(await publishTo(url, name, sessionId, 'everywhere')).to.deep.equal({ confirmed: true });
      }
    });

    it('makes a bot that may publish nowhere with an empty --sessions', async () => {
      const { name, url } = await addBot('nobot', ['--sessions', '']);
      expect(await grantedTo(name)).to.deep.include({ ...permissions.bot, write: '^$' });
      const refused = await publishTo(url, name, await warren.createSession(owner), 'anywhere?');
      expect(refused.refusal?.code).to.equal(403);
    });

    it('refuses to guess: neither --sessions nor --all-sessions is a usage error that creates no one', async () => {
      const name = uniqueName('guessbot');
      const result = await runCli(['users', 'add-bot', name]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include('say where the bot may publish: --sessions <id>,');
      expect(result.stderr).to.include('(run with --help for usage)');
      const both = await runCli(['users', 'add-bot', name, '--sessions', randomUUID(), '--all-sessions']);
      expect(both.code).to.equal(1);
      expect(both.stderr).to.match(/'--all-sessions' cannot be used with option '--sessions <ids>'/);
      const bad = await runCli(['users', 'add-bot', name, '--sessions', `${randomUUID()},.+`]);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.include('--sessions takes session ids (UUIDs) separated by commas; not one: .+');
      const users = await management().request<{ name: string }[]>('GET', '/users');
      expect(users.map((user) => user.name)).not.to.include(name);
    });

    it('prints JSON with --json', async () => {
      const name = uniqueName('jsonbot');
      created.push(name);
      const sessionId = randomUUID();
      const result = await runCli(['users', 'add-bot', name, '--sessions', sessionId, '--json']);
      expect(result.code, result.stderr).to.equal(0);
      const printed = JSON.parse(result.stdout);
      expect(printed).to.deep.include({ name, vhost: warren.vhost, sessions: [sessionId] });
      expect(printed.url).to.equal(
        `amqp://${name}:${printed.password}@${new URL(testConfig().rabbitmqUrl).host}/${encodeURIComponent(warren.vhost)}`,
      );
    });

    it('never touches a user that exists, nor takes the name of a service or trusted publisher', async () => {
      const { name } = await addBot('twicebot', ['--all-sessions']);
      const again = await runCli(['users', 'add-bot', name, '--all-sessions']);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.include(`AMQP user '${name}' exists already; it is left as it is.`);

      const trusted = testConfig().users['chat-api'].name;
      const impostor = await runCli(['users', 'add-bot', trusted, '--all-sessions']);
      expect(impostor.code).to.equal(1);
      expect(impostor.stderr).to.include(`'${trusted}' is the name of a Warren service or trusted publisher`);
      for (const reserved of ['chat-api', 'admin']) {
        expect((await runCli(['users', 'add-bot', reserved, '--all-sessions'])).stderr).to.include('choose another');
      }
    });

    it('says so when the management user may not create users, or the vhost does not exist', async () => {
      const bot = testConfig().users.bot;
      const management = new URL(testConfig().managementUrl);
      management.username = bot.name;
      management.password = decodeURIComponent(new URL(bot.url).password);
      const refused = await runCli(['users', 'add-bot', uniqueName('nobot'), '--all-sessions'], {
        RABBITMQ_MANAGEMENT_URL: management.toString(),
      });
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(/management API refused to look up vhost .*needs the administrator tag/);

      const nowhere = new URL(testConfig().rabbitmqUrl);
      nowhere.pathname = '/no-such-vhost';
      const missing = await runCli([
        'users',
        'add-bot',
        uniqueName('nobot'),
        '--all-sessions',
        '--url',
        nowhere.toString(),
      ]);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.include("vhost 'no-such-vhost' does not exist");
    });
  });

  describe('set-sessions', () => {
    it('moves a bot to other sessions, closing its open connections so the change applies at once', async () => {
      const first = await warren.createSession(owner);
      const second = await warren.createSession(owner);
      const { name, url } = await addBot('movebot', ['--sessions', first]);
      expect(await publishTo(url, name, first, 'in the first')).to.deep.equal({ confirmed: true });
      expect((await publishTo(url, name, second, 'in the second')).refusal?.code).to.equal(403);

      // A connection the bot holds open across the change is closed by it.
      const open = await amqp.connect(url);
      open.on('error', () => undefined);
      const closed = once(open, 'close');
      // The management API lists a new connection a few seconds late, and the command closes what it lists.
      await eventually(async () =>
        (await management().connections(warren.vhost)).some((connection) => connection.user === name),
      );
      const result = await runCli(['users', 'set-sessions', name, '--sessions', second]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include(`AMQP user ${name} in vhost ${warren.vhost} may publish to: session ${second}`);
      // Connections closed a moment ago may still be listed (and counted): the one held open is what matters.
      expect(result.stdout).to.match(
        new RegExp(`closed [1-9]\\d* open connections? of ${name}, so the change applies now`),
      );
      await closed;

      expect(await grantedTo(name)).to.deep.include({ ...permissions.bot, write: sessionsWritePattern([second]) });
      expect((await publishTo(url, name, first, 'in the first again')).refusal?.code).to.equal(403);
      expect(await publishTo(url, name, second, 'in the second now')).to.deep.equal({ confirmed: true });

      const everywhere = await runCli(['users', 'set-sessions', name, '--all-sessions', '--json']);
      expect(JSON.parse(everywhere.stdout)).to.deep.include({ name, vhost: warren.vhost, sessions: 'all' });
      expect(await publishTo(url, name, first, 'anywhere now')).to.deep.equal({ confirmed: true });

      expect((await runCli(['users', 'set-sessions', name, '--sessions', ''])).code).to.equal(0);
      expect((await publishTo(url, name, second, 'nowhere now')).refusal?.code).to.equal(403);
    });

    it('refuses a user that does not exist, a service, and a missing scope', async () => {
      const missing = await runCli(['users', 'set-sessions', uniqueName('ghost'), '--all-sessions']);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.include('create it with warren users add-bot');
      const service = await runCli(['users', 'set-sessions', 'persister', '--all-sessions']);
      expect(service.stderr).to.include('choose another');
      const unsaid = await runCli(['users', 'set-sessions', 'somebot']);
      expect(unsaid.code).to.equal(1);
      expect(unsaid.stderr).to.include('say where the bot may publish');
    });
  });
});
