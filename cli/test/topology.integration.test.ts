import { exchanges, names } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { useWarren } from '../../test/support/warren.ts';
import { runCli } from './support/cli.ts';

describe('warren topology sync', () => {
  const warren = useWarren();

  it("rebuilds a session's exchange and member bindings that the broker lost", async () => {
    const owner = await warren.register('owner');
    const member = await warren.register('member');
    const sessionId = await warren.createSession(owner, [member]);
    const exchange = names.sessionExchange(sessionId);
    const connection = await amqp.connect(warren.urls.admin);
    try {
      await (await connection.createChannel()).deleteExchange(exchange);
    } finally {
      await connection.close();
    }

    const result = await runCli(['topology', 'sync'], { RABBITMQ_URL: testConfig().users['chat-api'].url });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^declared \d+ session exchanges? and \d+ member bindings?$/m);

    const bindings = await new ManagementClient(testConfig().managementUrl).request<{ destination: string }[]>(
      'GET',
      `/exchanges/${encodeURIComponent(warren.vhost)}/${encodeURIComponent(exchange)}/bindings/source`,
    );
    expect(bindings.map((binding) => binding.destination).sort()).to.deep.equal(
      [exchanges.messages.name, names.userExchange(owner.id), names.userExchange(member.id)].sort(),
    );
  });

  it('exits 1 naming the permission a producer user lacks', async () => {
    const bot = testConfig().users.bot;
    const result = await runCli(['topology', 'sync'], { RABBITMQ_URL: bot.url });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(`RabbitMQ refused to let user '${bot.name}' declare the session topology`);
  });
});
