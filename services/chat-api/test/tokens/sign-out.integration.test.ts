import { once } from 'node:events';
import { eventKeys, exchanges } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import type { ChatApiService } from '../../src/index.ts';
import { call, startTestChatApi, type TestResponse, type TestUser, useChatApi } from '../support/chat-api-harness.ts';
import { ignoredBy, publishAs } from '../support/publish-as.ts';

const via = (service: ChatApiService, user: { token: string }): Promise<TestResponse> =>
  call(`http://127.0.0.1:${service.port}/api/sessions`, 'GET', user.token);

/** The answer to a token of a login that ended: a 401 like an invalid token's. */
const expectRefused = (answer: TestResponse) => {
  expect(answer.status).to.equal(401);
  expect(answer.headers.get('www-authenticate')).to.equal('Bearer error="invalid_token"');
  expect(answer.body).to.include({ status: 401, code: 'UNAUTHORIZED' });
};

describe('chat-api refuses the tokens of a login that ended (login.ended, the deny list)', () => {
  const h = useChatApi();
  const [alice] = h.users('signout');
  /** A second instance on the same vhost and database. */
  let other: ChatApiService;

  before(async () => {
    other = await startTestChatApi(h.issuer.url);
  });
  after(async () => {
    await other?.stop();
  });

  /** Another login of alice's: a token with another `sid`. */
  const anotherLogin = (): TestUser => h.issuer.login(alice);

  it('every instance refuses a login auth says ended, and still admits the user’s other logins', async () => {
    const ending = anotherLogin();
    const staying = anotherLogin();
    for (const service of [h.chat, other]) expect((await via(service, ending)).status).to.equal(200);

    await publishAs('auth', exchanges.events.name, eventKeys.loginEnded, h.issuer.endLogin(ending));
    for (const service of [h.chat, other]) {
      const refused = await eventually(async () => {
        const answer = await via(service, ending);
        return answer.status === 401 && answer;
      });
      expectRefused(refused);
      expect((await via(service, staying)).status, 'another login of the same user').to.equal(200);
    }
  });

  it('ignores a login.ended from any AMQP user but auth’s, and counts it', async () => {
    const target = anotherLogin();
    const ignored = [h.chat, other].map((service) => ignoredBy(service, eventKeys.loginEnded));
    // The ws-gateway may write to warren.events (its presence reports), so it is who could forge.
    await publishAs('ws-gateway', exchanges.events.name, eventKeys.loginEnded, {
      user_id: target.id,
      sid: target.sid,
      ended_at: new Date().toISOString(),
    });
    expect(await Promise.all(ignored)).to.deep.equal(['untrusted', 'untrusted']);
    for (const service of [h.chat, other]) expect((await via(service, target)).status).to.equal(200);
    const metrics = await (await fetch(`http://127.0.0.1:${other.port}/metrics`)).text();
    expect(metrics).to.match(
      /warren_chat_api_instance_events_ignored_total\{[^}]*event="login\.ended",reason="untrusted"[^}]*\} [1-9]/,
    );
  });

  it('a chat-api started later refuses a login that ended before it: rebuilt from auth’s record', async () => {
    const ended = anotherLogin();
    // In auth's record only: no instance heard of it.
    h.issuer.endLogin(ended);
    const late = await startTestChatApi(h.issuer.url);
    try {
      expect(late.denyList.ready).to.equal(true);
      expectRefused(await via(late, ended));
      expect((await via(late, anotherLogin())).status).to.equal(200);
    } finally {
      await late.stop();
    }
  });

  it('answers 503 ENDED_LOGINS_UNKNOWN until auth’s record could be read, retrying until it can', async () => {
    h.issuer.failEndedLogins = true;
    let blind: ChatApiService | undefined;
    try {
      blind = await startTestChatApi(h.issuer.url);
      const answer = await via(blind, alice);
      expect(answer.status).to.equal(503);
      expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(answer.headers.get('retry-after')).to.equal('1');
      expect(answer.body).to.include({ status: 503, code: 'ENDED_LOGINS_UNKNOWN' });
      expectRefused(await call(`http://127.0.0.1:${blind.port}/api/sessions`, 'GET', 'not.a.token'));

      const rebuilt = once(blind.denyList, 'rebuilt');
      h.issuer.failEndedLogins = false;
      await rebuilt;
      expect((await via(blind, alice)).status).to.equal(200);
    } finally {
      h.issuer.failEndedLogins = false;
      await blind?.stop();
    }
  });

  it('reads auth’s record again after its instance queue comes back: logins ended meanwhile are refused', async () => {
    const ended = anotherLogin();
    expect((await via(other, ended)).status).to.equal(200);
    const asked = h.issuer.endedLoginsAsked;
    // Ended while the queue is gone: its login.ended is never heard, only auth's record has it.
    h.issuer.endLogin(ended);
    const rebuilt = once(other.denyList, 'rebuilt');
    const management = new ManagementClient(testConfig().managementUrl);
    const connections = await eventually(async () => {
      const found = (await management.connections(testConfig().vhost)).filter(
        (c) => c.user === testConfig().users['chat-api'].name,
      );
      return found.length > 0 && found;
    });
    for (const connection of connections) await management.closeConnection(connection.name, 'test: connection lost');
    await rebuilt;
    expect(h.issuer.endedLoginsAsked).to.be.above(asked);
    expectRefused(await via(other, ended));
    expectRefused(
      await eventually(async () => {
        const answer = await via(h.chat, ended);
        return answer.status === 401 && answer;
      }),
    );
  });
});
