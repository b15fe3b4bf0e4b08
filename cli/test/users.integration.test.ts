import { ManagementClient, names, permissions, userLimits } from '@warren/shared';
import { testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { publishRaw } from '../../test/amqp/support/publish.ts';
import { type TestUser, TestWarren, uniqueName } from '../../test/support/warren.ts';
import { runCli } from './support/cli.ts';

describe('warren users add-bot', () => {
  let warren: TestWarren;
  let owner: TestUser;
  const management = () => new ManagementClient(testConfig().managementUrl);
  const created: string[] = [];

  before(async () => {
    warren = await TestWarren.start();
    owner = await warren.register('owner');
  });
  after(async () => {
    for (const name of created) await management().deleteUser(name);
    await warren?.stop();
  });

  it('creates a producer user with the bot permissions and limits, whose password works once printed', async () => {
    const name = uniqueName('buildbot');
    created.push(name);
    const result = await runCli(['users', 'add-bot', name]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(`created AMQP user ${name} in vhost ${warren.vhost}`);
    const password = /^password \(shown only now\): (\S+)$/m.exec(result.stdout)?.[1];
    const url = /^RABBITMQ_URL=(\S+)$/m.exec(result.stdout)?.[1];
    expect(password).to.be.a('string').with.length.above(20);
    expect(url).to.include(`${name}:${password}@`);

    const granted = await management().request<Record<string, string>>(
      'GET',
      `/permissions/${encodeURIComponent(warren.vhost)}/${encodeURIComponent(name)}`,
    );
    expect(granted).to.deep.include(permissions.bot);
    const limited = await management().request<{ value: Record<string, number> }[]>(
      'GET',
      `/user-limits/${encodeURIComponent(name)}`,
    );
    expect(limited[0]?.value).to.deep.equal(userLimits.bot);

    // The new user publishes into a session as itself, and may not write elsewhere.
    const sessionId = await warren.createSession(owner);
    const id = (
      await runCli(['send', '--session', sessionId, '--as', name, 'hello from a new bot'], { RABBITMQ_URL: url ?? '' })
    ).stdout.split(' ')[1];
    expect(await warren.stored({ id: id ?? '' })).to.deep.include({ author_kind: 'bot', author_name: name });
    const elsewhere = await publishRaw(url ?? '', names.userExchange(owner.id), 'sneaking in', { messageId: id });
    expect(elsewhere.refusal?.code).to.equal(403);
  });

  it('prints JSON with --json', async () => {
    const name = uniqueName('jsonbot');
    created.push(name);
    const result = await runCli(['users', 'add-bot', name, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const printed = JSON.parse(result.stdout);
    expect(printed).to.include({ name, vhost: warren.vhost });
    expect(printed.url).to.equal(
      `amqp://${name}:${printed.password}@${new URL(testConfig().rabbitmqUrl).host}/${encodeURIComponent(warren.vhost)}`,
    );
  });

  it('never touches a user that exists, nor takes the name of a service or trusted publisher', async () => {
    const name = uniqueName('twicebot');
    created.push(name);
    expect((await runCli(['users', 'add-bot', name])).code).to.equal(0);
    const again = await runCli(['users', 'add-bot', name]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include(`AMQP user '${name}' exists already; it is left as it is.`);

    const trusted = testConfig().users['chat-api'].name;
    const impostor = await runCli(['users', 'add-bot', trusted]);
    expect(impostor.code).to.equal(1);
    expect(impostor.stderr).to.include(`'${trusted}' is the name of a Warren service or trusted publisher`);
    for (const reserved of ['chat-api', 'admin']) {
      expect((await runCli(['users', 'add-bot', reserved])).stderr).to.include('choose another');
    }
  });

  it('says so when the management user may not create users, or the vhost does not exist', async () => {
    const bot = testConfig().users.bot;
    const management = new URL(testConfig().managementUrl);
    management.username = bot.name;
    management.password = decodeURIComponent(new URL(bot.url).password);
    const refused = await runCli(['users', 'add-bot', uniqueName('nobot')], {
      RABBITMQ_MANAGEMENT_URL: management.toString(),
    });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/management API refused to look up vhost .*needs the administrator tag/);

    const nowhere = new URL(testConfig().rabbitmqUrl);
    nowhere.pathname = '/no-such-vhost';
    const missing = await runCli(['users', 'add-bot', uniqueName('nobot'), '--url', nowhere.toString()]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include("vhost 'no-such-vhost' does not exist");
  });
});
