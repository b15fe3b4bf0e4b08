// Scenario 6: CPU profiles (`node --cpu-prof`) of the gateway and chat-api on the hot path (a
// 1 × 100 fan-out posted over HTTP) and of the persister draining a backlog, taken last and apart
// from every measured figure, summarized by area and as the functions with the most self time.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Context } from '../lib/context.ts';
import { round } from '../lib/histogram.ts';
import { root, startChatApi, startGateway } from '../lib/system.ts';
import { makeRooms, runWarren } from './fanout.ts';
import { drainNewBacklog } from './persister.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idlePct: number;
  gcPct: number;
  top: { function: string; where: string; selfMs: number; pct: number }[];
  byArea: { area: string; pct: number }[];
}

function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8/native (program)';
  if (url.includes('/node_modules/ws/')) return 'ws library';
  if (url.includes('/node_modules/amqplib/') || url.includes('/node_modules/buffer-more-ints/')) return 'amqplib';
  if (url.includes('/node_modules/prom-client/')) return 'prom-client';
  if (url.includes('/node_modules/pino')) return 'pino';
  if (url.includes('/services/ws-gateway/')) return 'ws-gateway source';
  if (url.includes('/services/chat-api/')) return 'chat-api source';
  if (url.includes('/services/persister/')) return 'persister source';
  if (url.includes('/node_modules/jsonwebtoken/') || url.includes('/node_modules/jws/')) return 'jsonwebtoken';
  if (url.includes('/node_modules/knex/') || url.includes('/node_modules/pg')) return 'knex / pg';
  if (url.includes('/node_modules/express/') || url.includes('/node_modules/router/')) return 'express';
  if (url.includes('/node_modules/zod/')) return 'zod';
  if (url.includes('/shared/')) return 'shared source';
  if (url.startsWith('node:') || url === '') return 'Node core / native';
  return 'other';
}

export function summarizeProfile(dir: string, topN = 15): ProfileSummary | undefined {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, { function: string; where: string; us: number; area: string }>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (!us) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${relative(root, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const entry = byFunction.get(key) ?? {
      function: functionName || '(anonymous)',
      where,
      us: 0,
      area: areaOf(url, functionName),
    };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const entries = [...byFunction.values()];
  const idle = entries.filter((e) => e.area === 'idle').reduce((a, e) => a + e.us, 0);
  const gc = entries.filter((e) => e.area === 'GC').reduce((a, e) => a + e.us, 0);
  const busy = total - idle;
  const areas = new Map<string, number>();
  for (const e of entries) if (e.area !== 'idle') areas.set(e.area, (areas.get(e.area) ?? 0) + e.us);
  return {
    file,
    totalMs: round(total / 1000),
    idlePct: round((100 * idle) / total, 1),
    gcPct: round((100 * gc) / busy, 1),
    top: entries
      .filter((e) => e.area !== 'idle')
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({
        function: e.function,
        where: e.where,
        selfMs: round(e.us / 1000),
        pct: round((100 * e.us) / busy, 1),
      })),
    byArea: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, pct: round((100 * us) / busy, 1) })),
  };
}

/** The profiles of scenario 6. */
export interface Profiles {
  gateway?: ProfileSummary;
  chatApi?: ProfileSummary;
  persister?: ProfileSummary;
}

/**
 * Restarts chat-api and the gateway under `--cpu-prof` and runs a 1 × 100 fan-out at 50 msgs/s (the
 * path every chat message takes: HTTP post, publish, fan-out, one frame per socket); then drains a
 * backlog with the persister under `--cpu-prof`. Each profile is summarized once its process exited.
 */
export async function runProfiles(ctx: Context): Promise<Profiles> {
  const seconds = ctx.quick ? 2 : 15;
  const backlog = ctx.quick ? 2_000 : 50_000;
  const dirs = {
    gateway: mkdtempSync(join(tmpdir(), 'warren-bench-prof-gateway-')),
    chatApi: mkdtempSync(join(tmpdir(), 'warren-bench-prof-chat-api-')),
    persister: mkdtempSync(join(tmpdir(), 'warren-bench-prof-persister-')),
  };
  try {
    await ctx.gateway?.stop();
    await ctx.chat.stop();
    ctx.chat = await startChatApi(ctx.env, ctx.authUrl, { cpuProfDir: dirs.chatApi });
    ctx.chatUrl = ctx.chat.url;
    ctx.gateway = await startGateway(ctx.env, ctx.authUrl, { cpuProfDir: dirs.gateway });
    ctx.log(`profile: chat-api and the gateway under --cpu-prof, 1 × 100 at 50 msgs/s for ${seconds} s`);
    await runWarren(ctx, await makeRooms(ctx, 1, 100), { rate: 50, seconds }, 'prof');
    // The profiles are written when the processes exit.
    await ctx.gateway.stop();
    ctx.gateway = undefined;
    ctx.log(`profile: the persister under --cpu-prof, draining ${backlog} messages`);
    await drainNewBacklog(ctx, backlog, { cpuProfDir: dirs.persister });
    await ctx.persister?.stop();
    ctx.persister = undefined;
    await ctx.chat.stop();
    return {
      gateway: summarizeProfile(dirs.gateway),
      chatApi: summarizeProfile(dirs.chatApi),
      persister: summarizeProfile(dirs.persister),
    };
  } finally {
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  }
}
