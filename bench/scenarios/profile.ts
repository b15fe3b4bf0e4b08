// Scenario 6: CPU profiles (`node --cpu-prof`) of the gateway during the fan-out scenario and of
// chat-api over the whole run, summarized by area and as the functions with the most self time.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { round } from '../lib/histogram.ts';
import { root } from '../lib/system.ts';

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
