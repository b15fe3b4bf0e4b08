import { createLogger } from '@warren/shared/logging';
import { serviceEnv, testConfig } from '@warren/shared/testing';
import { loadConfig, type PersisterService, startPersisterService } from '../../src/index.ts';

/** Starts a persister in this process on a free port. */
export async function startTestPersister(env: Record<string, string> = {}): Promise<PersisterService> {
  return startPersisterService(
    loadConfig(serviceEnv('persister', env)),
    createLogger({ service: 'persister', level: testConfig().logLevel }),
  );
}

/** GETs a path of a persister's HTTP server; resolves with the status and the body's text. */
export async function getText(port: number, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

/** The value of one sample of a Prometheus text exposition, or undefined when it is absent. */
export function metricValue(exposition: string, sample: string): number | undefined {
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return undefined;
}
