// Scenario 5: N idle WebSocket clients on one gateway (a child process): connect time (open → ready),
// gateway memory per connection (/metrics before/after), broker memory per queue (/api/nodes
// mem_used before/after). Baseline: the same N idle sockets on a bare `ws` server (RSS from /proc).
import { readFileSync } from 'node:fs';
import type { ManagementClient } from '@warren/shared/management';
import { type Context, sleep } from '../lib/context.ts';
import type { CpuPhase } from '../lib/cpu.ts';
import { type LatencySummary, round } from '../lib/histogram.ts';
import { BaselineProcess, metric, startGateway } from '../lib/system.ts';

export interface ConnectionsResult {
  connections: number;
  warren: {
    failures: number;
    connect: LatencySummary;
    totalSeconds: number;
    rssPerConnKiB: number;
    heapPerConnKiB: number;
    brokerPerQueueKiB: number;
    /** While the sockets connect; per message = per connection. */
    cpu?: CpuPhase;
  };
  bare: { failures: number; connect: LatencySummary; totalSeconds: number; rssPerConnKiB: number; cpu?: CpuPhase };
  ratios: { connectP50: number; rssPerConn: number; totalTime: number };
}

async function brokerMem(management: ManagementClient): Promise<number> {
  const nodes = await management.request<{ mem_used: number }[]>('GET', '/nodes');
  return nodes.reduce((sum, n) => sum + n.mem_used, 0);
}

const rssOf = (pid: number | undefined): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) * 1024;

export async function runConnections(ctx: Context): Promise<ConnectionsResult> {
  const N = ctx.quick ? 500 : 10_000;
  // The settling waits, halved in a smoke run (whose memory figures are rough anyway).
  const pause = (ms: number) => sleep(ctx.quick ? ms / 2 : ms);
  // A fresh gateway, so its memory holds nothing but these connections.
  await ctx.gateway?.stop();
  const gateway = await startGateway(ctx.env, ctx.authUrl);
  ctx.gateway = gateway;
  ctx.log(`connections: ${N} idle sockets on one gateway`);
  const users = ctx.users;
  const url = `ws://127.0.0.1:${gateway.port}/ws`;
  await pause(1000);
  const rss0 = await metric(gateway, 'process_resident_memory_bytes');
  const heap0 = await metric(gateway, 'nodejs_heap_size_used_bytes');
  const broker0 = await brokerMem(ctx.env.management);
  const cpu = await ctx.cpu.start();
  const opened = await ctx.clients.open(
    Array.from({ length: N }, (_, i) => ({ kind: 'warren' as const, url, token: users[i % users.length]?.token })),
    50,
  );
  const cpuUsage = await cpu.stop(N - opened.failures);
  await pause(3000);
  const rss1 = await metric(gateway, 'process_resident_memory_bytes');
  const heap1 = await metric(gateway, 'nodejs_heap_size_used_bytes');
  // The management API refreshes node stats every few seconds; take the larger of two readings.
  const firstReading = await brokerMem(ctx.env.management);
  await pause(5000);
  const broker1 = Math.max(firstReading, await brokerMem(ctx.env.management));
  await ctx.clients.closeAll();
  const ok = N - opened.failures;
  const warren = {
    failures: opened.failures,
    connect: opened.connect.summary(),
    totalSeconds: round(opened.totalMs / 1000),
    rssPerConnKiB: round((rss1 - rss0) / ok / 1024),
    heapPerConnKiB: round((heap1 - heap0) / ok / 1024),
    brokerPerQueueKiB: round((broker1 - broker0) / ok / 1024),
    cpu: cpuUsage,
  };
  ctx.log(`  warren: ${JSON.stringify({ ...warren, cpu: cpuUsage.saturating })}`);

  const bareServer = await BaselineProcess.start('bare-server');
  await pause(500);
  const b0 = rssOf(bareServer.pid);
  const bareCpu = await ctx.cpu.start({ 'bare-ws': [bareServer.pid] });
  const bo = await ctx.clients.open(
    Array.from({ length: N }, () => ({ kind: 'bare' as const, url: `ws://127.0.0.1:${bareServer.port}/ws?room=idle` })),
    50,
  );
  const bareCpuUsage = await bareCpu.stop(N - bo.failures);
  await pause(3000);
  const b1 = rssOf(bareServer.pid);
  await ctx.clients.closeAll();
  await bareServer.stop();
  const bare = {
    failures: bo.failures,
    connect: bo.connect.summary(),
    totalSeconds: round(bo.totalMs / 1000),
    rssPerConnKiB: round((b1 - b0) / (N - bo.failures) / 1024),
    cpu: bareCpuUsage,
  };
  ctx.log(`  bare: ${JSON.stringify({ ...bare, cpu: bareCpuUsage.saturating })}`);
  await pause(2000);
  return {
    connections: N,
    warren,
    bare,
    ratios: {
      connectP50: round(warren.connect.p50 / bare.connect.p50),
      rssPerConn: round(warren.rssPerConnKiB / bare.rssPerConnKiB),
      totalTime: round(warren.totalSeconds / bare.totalSeconds),
    },
  };
}
