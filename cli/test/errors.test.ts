import { ManagementApiError } from '@warren/shared/management';
import { expect } from 'chai';
import {
  type BrokerAction,
  CliError,
  CliErrors,
  defineCliError,
  definedCliErrors,
  explainBrokerError,
  explainConnectError,
  explainManagementError,
} from '../src/index.ts';

const SESSION = '0194f7d0-3c1e-7a4b-9d2e-5f6a7b8c9d0e';
const EXCHANGE = `warren.session.${SESSION}`;

/** An error as amqplib reports a broker's channel close. */
function closed(code: number, name: string, text: string): Error & { code: number } {
  return Object.assign(new Error(`Channel closed by server: ${code} (${name}) with message "${text}"`), { code });
}

const publish: BrokerAction = {
  user: 'bot',
  vhost: 'warren',
  doing: `publish to ${EXCHANGE}`,
  permission: 'write',
  hints: { permission: 'Producers may publish only to session exchanges.', userId: 'Leave out --as.' },
};

describe('CliErrors', () => {
  it('makes CliErrors with a stable code, the exit status and the cause', () => {
    const cause = new Error('root');
    const error = new CliErrors.notFound("there is no AMQP user 'x'", { cause });
    expect(error).to.be.instanceOf(CliError).and.instanceOf(Error);
    expect(error).to.include({
      name: 'CliError',
      code: 'NOT_FOUND',
      exitCode: 1,
      message: "there is no AMQP user 'x'",
    });
    expect(error.cause).to.equal(cause);
    expect(new CliErrors.invalidArgument('no')).to.not.have.property('cause');
    expect(CliErrors.notFound).to.include({ code: 'NOT_FOUND', exitCode: 1 });
  });

  it('registers every code once, with its exit status', () => {
    for (const error of Object.values(CliErrors)) {
      expect(definedCliErrors().get(error.code)).to.deep.equal({ exitCode: error.exitCode });
    }
    const codes = Object.values(CliErrors).map((error) => error.code);
    expect(new Set(codes).size).to.equal(codes.length);
    expect(() => defineCliError('NOT_FOUND')).to.throw('CLI error code NOT_FOUND is defined twice');
  });

  it('takes another exit status', () => {
    const Interrupted = defineCliError('CLI_TEST_INTERRUPTED', 130);
    expect(new Interrupted('stopped')).to.include({ code: 'CLI_TEST_INTERRUPTED', exitCode: 130 });
    expect(definedCliErrors().get('CLI_TEST_INTERRUPTED')).to.deep.equal({ exitCode: 130 });
  });
});

describe('explainBrokerError', () => {
  it('says which permission a refusal is about, with the hint', () => {
    const error = closed(
      403,
      'ACCESS-REFUSED',
      "ACCESS_REFUSED - access to exchange 'warren.messages' in vhost 'warren' refused for user 'bot'",
    );
    const explained = explainBrokerError(error, publish);
    expect(explained.message).to.equal(
      `RabbitMQ refused to let user 'bot' publish to ${EXCHANGE}: it has no write permission on exchange 'warren.messages' in vhost 'warren'. Producers may publish only to session exchanges.`,
    );
    expect(explained).to.include({ code: 'BROKER_REFUSED', exitCode: 1 });
    expect(explained.cause).to.equal(error);
  });

  it("takes the permission of the refused side of a binding, from an RPC's failure", () => {
    const error = new Error(
      `Operation failed: QueueBind; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to exchange '${EXCHANGE}' in vhost 'warren' refused for user 'ops'"`,
    );
    const action: BrokerAction = {
      ...publish,
      user: 'ops',
      doing: 'bind',
      permission: { queue: 'write', exchange: 'read' },
    };
    expect(explainBrokerError(error, action).message).to.include(`it has no read permission on exchange '${EXCHANGE}'`);
  });

  it('says whose user_id was refused and as whom the connection is authenticated', () => {
    const error = closed(
      406,
      'PRECONDITION-FAILED',
      "PRECONDITION_FAILED - user_id property set to 'chat-api' but authenticated user was 'bot'",
    );
    expect(explainBrokerError(error, publish).message).to.equal(
      "RabbitMQ refused user_id 'chat-api': this connection is authenticated as 'bot', and a publisher may only put its own user in user_id. Leave out --as.",
    );
  });

  it('names a session that does not exist, and any other missing exchange or queue', () => {
    const session = closed(404, 'NOT-FOUND', `NOT_FOUND - no exchange '${EXCHANGE}' in vhost 'warren'`);
    expect(explainBrokerError(session, publish).code).to.equal('NOT_FOUND');
    expect(explainBrokerError(session, publish).message).to.equal(
      `session ${SESSION} does not exist: vhost 'warren' has no exchange '${EXCHANGE}' (\`warren sessions\` lists the sessions).`,
    );
    const queue = closed(404, 'NOT-FOUND', "NOT_FOUND - no queue 'warren.dead-letter' in vhost 'warren'");
    expect(explainBrokerError(queue, publish).message).to.equal("vhost 'warren' has no queue 'warren.dead-letter'.");
  });

  it('explains publishing to an internal exchange and the channel limit', () => {
    const internal = closed(
      403,
      'ACCESS-REFUSED',
      "ACCESS_REFUSED - cannot publish to internal exchange 'warren.messages' in vhost 'warren'",
    );
    expect(explainBrokerError(internal, publish).message).to.include("exchange 'warren.messages' is internal");
    const limit = new Error(
      'Connection closed: 530 (NOT-ALLOWED) with message "NOT_ALLOWED - number of channels opened for user \'bot\' has reached the maximum allowed user limit of (20)"',
    );
    expect(explainBrokerError(limit, publish).message).to.equal(
      "RabbitMQ closed the connection: user 'bot' has reached its channel limit (max-channels 20).",
    );
  });

  it('falls back to the broker text for anything else', () => {
    const explained = explainBrokerError(new Error('socket hang up'), publish);
    expect(explained.message).to.equal(`could not publish to ${EXCHANGE}: socket hang up`);
    expect(explained.code).to.equal('BROKER_FAILED');
  });
});

describe('explainConnectError', () => {
  const wrapped = (message: string) =>
    new Error('cannot connect to RabbitMQ at amqp://bot:***@host/warren: …', { cause: new Error(message) });

  it('tells wrong credentials from a vhost the user may not open', () => {
    expect(
      explainConnectError(
        wrapped(
          'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"',
        ),
        'bot',
        'warren',
      ).message,
    ).to.equal(
      "RabbitMQ refused the login of user 'bot': wrong user name or password (they come from RABBITMQ_URL or --url).",
    );
    expect(
      explainConnectError(wrapped('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'), 'bot', 'warren')
        .message,
    ).to.include("RabbitMQ refused to open vhost 'warren' for user 'bot'");
  });

  it('keeps the shared client sentence for an unreachable broker', () => {
    const error = wrapped('connect ECONNREFUSED 127.0.0.1:5672');
    const explained = explainConnectError(error, 'bot', 'warren');
    expect(explained.message).to.equal(error.message);
    expect(explained).to.include({ code: 'BROKER_UNREACHABLE', cause: error });
  });
});

describe('explainManagementError', () => {
  it('says the management user needs the administrator tag when refused', () => {
    const error = new ManagementApiError('PUT /users/x answered 401: Not administrator user', 401);
    const explained = explainManagementError(error, "create user 'x'");
    expect(explained.message).to.include('needs the administrator tag');
    expect(explained).to.include({ code: 'MANAGEMENT_REFUSED', cause: error });
  });
});
