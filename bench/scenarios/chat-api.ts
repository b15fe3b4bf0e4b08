// Scenario 4: chat-api posts/s and latency at concurrency 1, 16 and 64 (closed loop), against a bare
// express route in a process of its own (bench/lib/bare-route.ts) that validates nothing and
// publishes the same bytes with a publisher confirm.
import { type Context, contentOf } from '../lib/context.ts';
import type { CpuPhase } from '../lib/cpu.ts';
import { Histogram, type LatencySummary, round } from '../lib/histogram.ts';
import { postJson } from '../lib/http-post.ts';
import { BaselineProcess, createSession, PUBLISHER, type User } from '../lib/system.ts';

export interface LoadResult {
  postsPerSec: number;
  latency: LatencySummary;
  errors: number;
  cpu?: CpuPhase;
}

export interface ChatApiCase {
  concurrency: number;
  warren: LoadResult;
  bare: LoadResult;
  ratio: number;
}

async function load(url: string, token: string, concurrency: number, seconds: number) {
  const latency = new Histogram();
  let errors = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const status = await postJson(url, JSON.stringify({ content: contentOf(`c-${n++}`) }), token);
      latency.record(performance.now() - t);
      if (status !== 202) errors += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return {
    count: latency.count,
    postsPerSec: Math.round(latency.count / ((performance.now() - t0) / 1000)),
    latency: latency.summary(),
    errors,
  };
}

export async function runChatApi(ctx: Context): Promise<ChatApiCase[]> {
  const seconds = ctx.quick ? 2 : 6;
  const owner = ctx.users[0] as User;
  const sessionId = await createSession(ctx.chatUrl, ctx.users.slice(0, 2));
  const bareRoute = await BaselineProcess.start('bare-route', {
    AMQP_URL: ctx.env.amqpUrl(PUBLISHER),
    PUBLISHER,
    AUTHOR_ID: owner.id,
    AUTHOR_NAME: owner.username,
  });
  const measured = async (url: string, concurrency: number, processes: Record<string, (number | undefined)[]>) => {
    const cpu = await ctx.cpu.start(processes);
    const { count, ...result } = await load(url, owner.token, concurrency, seconds);
    return { ...result, cpu: await cpu.stop(count) };
  };
  const cases: ChatApiCase[] = [];
  try {
    for (const concurrency of ctx.quick ? [16, 64] : [1, 16, 64]) {
      ctx.log(`chat-api: concurrency ${concurrency} for ${seconds} s`);
      const path = `/api/sessions/${sessionId}/messages`;
      const warren = await measured(`${ctx.chatUrl}${path}`, concurrency, {});
      const bare = await measured(`http://127.0.0.1:${bareRoute.port}${path}`, concurrency, {
        'bare-route': [bareRoute.pid],
      });
      ctx.log(
        `  warren ${warren.postsPerSec}/s p99 ${warren.latency.p99} ms (${warren.errors} errors, busiest ${warren.cpu.saturating}); ` +
          `bare ${bare.postsPerSec}/s p99 ${bare.latency.p99} ms (busiest ${bare.cpu.saturating})`,
      );
      cases.push({ concurrency, warren, bare, ratio: round(warren.postsPerSec / bare.postsPerSec, 3) });
    }
  } finally {
    await bareRoute.stop();
  }
  return cases;
}
