import { expect } from 'chai';
import { startTestAuth, type TestAuth, uniqueUsername } from './support/start-auth.ts';

const PASSWORD = 'correct horse battery';

describe('auth metrics (docs/operations.md)', () => {
  let auth: TestAuth;

  before(async () => {
    // Limits this file reaches: this instance counts its own attempts (they are per instance).
    auth = await startTestAuth({ LOGIN_MAX_FAILURES_PER_USERNAME: '2', REGISTER_MAX_PER_ADDRESS: '2' });
  });
  after(async () => {
    await auth?.service.stop();
  });

  /** The value of one sample of auth's `/metrics`, matched by name and labels (undefined when absent). */
  const sample = async (name: string, labels: Record<string, string>): Promise<number | undefined> => {
    const text = await (await fetch(`${auth.baseUrl}/metrics`)).text();
    const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((pair) => l.includes(pair)));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  /** What `act` added to the sample: it must exist before, at 0 at least. */
  const added = async (name: string, labels: Record<string, string>, act: () => Promise<unknown>) => {
    const before = await sample(name, labels);
    expect(before, `${name} ${JSON.stringify(labels)} exported before`).to.be.a('number');
    await act();
    return ((await sample(name, labels)) ?? Number.NaN) - (before ?? 0);
  };

  it('exports the default process and Node metrics, labelled with the service', async () => {
    const text = await (await fetch(`${auth.baseUrl}/metrics`)).text();
    expect(text).to.match(/^process_cpu_seconds_total\{service="auth"\} /m);
    expect(text).to.match(/^nodejs_eventloop_lag_seconds\{service="auth"\} /m);
  });

  it('counts logins that succeed and logins refused with 401', async () => {
    const username = uniqueUsername('Met');
    expect((await auth.post('/auth/register', { username, password: PASSWORD })).status).to.equal(201);
    const ok = await added('warren_auth_logins_total', { result: 'ok' }, async () => {
      expect((await auth.post('/auth/login', { username, password: PASSWORD })).status).to.equal(200);
    });
    expect(ok).to.equal(1);
    const refused = await added('warren_auth_logins_total', { result: 'refused' }, async () => {
      expect((await auth.post('/auth/login', { username, password: 'wrong password!' })).status).to.equal(401);
    });
    expect(refused).to.equal(1);
  });

  it('counts logins and registrations answered 429 by their limits', async () => {
    const username = uniqueUsername('Lim');
    const login = await added('warren_auth_rate_limited_total', { limit: 'login' }, async () => {
      for (const _ of [1, 2]) {
        expect((await auth.post('/auth/login', { username, password: 'wrong password!' })).status).to.equal(401);
      }
      expect((await auth.post('/auth/login', { username, password: 'wrong password!' })).status).to.equal(429);
    });
    expect(login).to.equal(1);
    const register = await added('warren_auth_rate_limited_total', { limit: 'register' }, async () => {
      // At most two registrations in the window (REGISTER_MAX_PER_ADDRESS), then 429.
      const statuses: number[] = [];
      while (statuses.at(-1) !== 429 && statuses.length <= 2) {
        statuses.push(
          (await auth.post('/auth/register', { username: uniqueUsername('Reg'), password: PASSWORD })).status,
        );
      }
      expect(statuses.at(-1)).to.equal(429);
    });
    expect(register).to.equal(1);
  });

  it('counts refresh and access tokens refused with 401', async () => {
    const refresh = await added('warren_auth_token_refusals_total', { token: 'refresh' }, async () => {
      expect((await auth.post('/auth/refresh', { refresh_token: 'not-a-refresh-token' })).status).to.equal(401);
    });
    expect(refresh).to.equal(1);
    const access = await added('warren_auth_token_refusals_total', { token: 'access' }, async () => {
      expect((await auth.get('/auth/me', { authorization: 'Bearer not.a.token' })).status).to.equal(401);
    });
    expect(access).to.equal(1);
  });
});
