// A light, steady load on a running Warren, for the dashboard's picture (docs/operations.md, "The
// dashboard's picture"); it is not the benchmark (`npm run bench`). It registers USERS users, puts
// them in one session, connects a WebSocket for each, and posts RATE messages a second, spread over
// the users, for SECONDS seconds. Usage:
//   npx tsx monitoring/render/light-load.ts [auth URL] [chat-api URL] [ws-gateway URL]
// (defaults: http://127.0.0.1:3001, http://127.0.0.1:3002, ws://127.0.0.1:3003/ws); USERS, RATE and
// SECONDS come from the environment (defaults 20, 50, 180).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

const [authUrl = 'http://127.0.0.1:3001', apiUrl = 'http://127.0.0.1:3002', wsUrl = 'ws://127.0.0.1:3003/ws'] =
  process.argv.slice(2);
const USERS = Number(process.env.USERS ?? 20);
const RATE = Number(process.env.RATE ?? 50);
const SECONDS = Number(process.env.SECONDS ?? 180);
const PASSWORD = 'light-load-password';

async function json(url: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

interface LoadUser {
  username: string;
  token: string;
}

async function user(i: number): Promise<LoadUser> {
  const username = `load_${randomUUID().slice(0, 8)}_${i}`;
  const registered = await json(`${authUrl}/auth/register`, { username, password: PASSWORD });
  if (registered.status !== 201) throw new Error(`register ${username}: ${registered.status}`);
  const login = await json(`${authUrl}/auth/login`, { username, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
  return { username, token: (login.body as { access_token: string }).access_token };
}

/** A socket of `u`, resolved once the gateway said `ready`; counts the messages it receives. */
function connect(u: LoadUser, received: { count: number }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: u.token })));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string };
      if (frame.type === 'ready') resolve(socket);
      if (frame.type === 'message') received.count += 1;
    });
    socket.on('error', reject);
  });
}

const users: LoadUser[] = [];
for (let i = 0; i < USERS; i++) users.push(await user(i));
const [owner, ...others] = users as [LoadUser, ...LoadUser[]];
const session = await json(`${apiUrl}/api/sessions`, { members: others.map((u) => u.username) }, owner.token);
if (session.status !== 201) throw new Error(`create session: ${session.status} ${JSON.stringify(session.body)}`);
const sessionId = (session.body as { id: string }).id;
const received = { count: 0 };
const sockets = await Promise.all(users.map((u) => connect(u, received)));
console.log(`${USERS} users in session ${sessionId}, ${sockets.length} sockets; posting ${RATE}/s for ${SECONDS} s`);

const statuses = new Map<number, number>();
const started = Date.now();
let sent = 0;
while (Date.now() - started < SECONDS * 1000) {
  // Catch up to RATE a second since the start, then wait a tick.
  const due = Math.floor(((Date.now() - started) / 1000) * RATE);
  const posts: Promise<void>[] = [];
  for (; sent < due; sent++) {
    const author = users[sent % users.length] as LoadUser;
    posts.push(
      json(`${apiUrl}/api/sessions/${sessionId}/messages`, { content: `load ${sent}` }, author.token).then(
        ({ status }) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(posts);
  await sleep(20);
}
for (const socket of sockets) socket.close(1000);
console.log(
  `posted ${sent}: ${JSON.stringify(Object.fromEntries(statuses))}; ${received.count} message frames received`,
);
