// Scenario 4: chat-api posts/s and latency at concurrency 1, 16 and 64 (closed loop), against a bare
// express route that validates nothing and publishes the same bytes with a publisher confirm.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { encodeChatMessage } from '@warren/shared/envelope';
import express from 'express';
import { type Context, contentOf } from '../lib/context.ts';
import { Histogram, type LatencySummary, round } from '../lib/histogram.ts';
import { createSession, PUBLISHER, type User } from '../lib/system.ts';

export interface LoadResult {
  postsPerSec: number;
  latency: LatencySummary;
  errors: number;
}

export interface ChatApiCase {
  concurrency: number;
  warren: LoadResult;
  bare: LoadResult;
  ratio: number;
}

async function load(url: string, token: string, concurrency: number, seconds: number): Promise<LoadResult> {
  const latency = new Histogram();
  let errors = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const r = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: contentOf(`c-${n++}`) }),
      });
      await r.arrayBuffer();
      latency.record(performance.now() - t);
      if (r.status !== 202) errors += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return {
    postsPerSec: Math.round(latency.count / ((performance.now() - t0) / 1000)),
    latency: latency.summary(),
    errors,
  };
}

export async function runChatApi(ctx: Context): Promise<ChatApiCase[]> {
  const seconds = ctx.quick ? 2 : 10;
  const owner = ctx.users[0] as User;
  const sessionId = await createSession(ctx.chatUrl, ctx.users.slice(0, 2));
  const channel = await ctx.amqp.createConfirmChannel();
  const app = express();
  app.use(express.json({ limit: '64kb' }));
  app.post('/api/sessions/:id/messages', (req, res) => {
    const message = {
      id: randomUUID(),
      session_id: req.params.id,
      author: { kind: 'user' as const, id: owner.id, username: owner.username },
      type: 'text',
      content: String(req.body.content),
      extra: null,
      created_at: new Date().toISOString(),
    };
    const out = encodeChatMessage({ publisher: PUBLISHER, message });
    channel.publish(out.exchange, '', out.content, { ...out.options }, (err) => {
      if (err) res.status(503).end();
      else res.status(202).json({ message });
    });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const barePort = (server.address() as AddressInfo).port;
  const cases: ChatApiCase[] = [];
  try {
    for (const concurrency of [1, 16, 64]) {
      ctx.log(`chat-api: concurrency ${concurrency} for ${seconds} s`);
      const path = `/api/sessions/${sessionId}/messages`;
      const warren = await load(`${ctx.chatUrl}${path}`, owner.token, concurrency, seconds);
      const bare = await load(`http://127.0.0.1:${barePort}${path}`, owner.token, concurrency, seconds);
      ctx.log(
        `  warren ${warren.postsPerSec}/s p99 ${warren.latency.p99} ms (${warren.errors} errors); bare ${bare.postsPerSec}/s p99 ${bare.latency.p99} ms`,
      );
      cases.push({ concurrency, warren, bare, ratio: round(warren.postsPerSec / bare.postsPerSec, 3) });
    }
  } finally {
    server.close();
    await channel.close();
  }
  return cases;
}
