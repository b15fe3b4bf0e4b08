import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, ServiceProcess, serviceEnv } from '@warren/shared/testing';
import { expect } from 'chai';
import type { ChatApiService } from '../../src/index.ts';
import { call, startTestChatApi, type TestResponse, uniqueUsername } from '../support/chat-api-harness.ts';

const PASSWORD = 'correct horse battery staple';

/** One login of a user, as auth hands it out. */
interface Login {
  readonly access: string;
  readonly refresh: string;
}

describe('signing out with the real auth service: logout, logout-all, a restarted chat-api', () => {
  let auth: ServiceProcess;
  let authUrl: string;
  const chats: ChatApiService[] = [];

  before(async () => {
    // auth as deployed, its own process (its package is not chat-api's to import).
    auth = ServiceProcess.spawn('auth', serviceEnv('auth', { DATA_DIR: mkdtempSync(join(tmpdir(), 'warren-auth-')) }));
    authUrl = `http://127.0.0.1:${await auth.listening}`;
    chats.push(await startTestChatApi(authUrl), await startTestChatApi(authUrl));
  });
  after(async () => {
    for (const chat of chats) await chat.stop();
    await auth?.stop();
  });

  const register = async (): Promise<string> => {
    const username = uniqueUsername('signout');
    const answer = await call(`${authUrl}/auth/register`, 'POST', undefined, { username, password: PASSWORD });
    expect(answer.status).to.equal(201);
    return username;
  };
  const login = async (username: string): Promise<Login> => {
    const answer = await call(`${authUrl}/auth/login`, 'POST', undefined, { username, password: PASSWORD });
    expect(answer.status).to.equal(200);
    return { access: answer.body.access_token, refresh: answer.body.refresh_token };
  };
  const via = (chat: ChatApiService, login: Login): Promise<TestResponse> =>
    call(`http://127.0.0.1:${chat.port}/api/sessions`, 'GET', login.access);
  const refusedBy = (chat: ChatApiService, login: Login) =>
    eventually(async () => {
      const answer = await via(chat, login);
      return answer.status === 401 && answer;
    });

  it('a logout is refused by every chat-api instance; the user’s other login still works', async () => {
    const username = await register();
    const [ending, staying] = [await login(username), await login(username)];
    for (const chat of chats) expect((await via(chat, ending)).status).to.equal(200);

    expect(
      (await call(`${authUrl}/auth/logout`, 'POST', undefined, { refresh_token: ending.refresh })).status,
    ).to.equal(204);
    for (const chat of chats) {
      const refused = await refusedBy(chat, ending);
      expect(refused.headers.get('www-authenticate')).to.equal('Bearer error="invalid_token"');
      expect((await via(chat, staying)).status).to.equal(200);
    }
  });

  it('logout-all ends every login; a chat-api started afterwards refuses them all from its first request', async () => {
    const username = await register();
    const logins = [await login(username), await login(username)];
    const [first] = logins as [Login, Login];
    expect((await call(`${authUrl}/auth/logout-all`, 'POST', first.access)).status).to.equal(204);
    for (const chat of chats) for (const each of logins) await refusedBy(chat, each);

    const restarted = await startTestChatApi(authUrl);
    chats.push(restarted);
    for (const each of logins) expect((await via(restarted, each)).status).to.equal(401);
    expect((await via(restarted, await login(username))).status, 'a new login').to.equal(200);
  });
});
