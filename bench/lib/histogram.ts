/** A log-bucketed latency histogram (1 % relative precision), in milliseconds, mergeable across processes. */
export interface HistogramData {
  buckets: [number, number][];
  count: number;
  max: number;
  sum: number;
}

const BASE = Math.log(1.01);
/** Values are kept in microseconds; bucket i holds values up to 1.01^i µs. */
const indexOf = (ms: number): number => Math.max(0, Math.ceil(Math.log(Math.max(1, ms * 1000)) / BASE));
const upperOf = (index: number): number => Math.exp(index * BASE) / 1000;

export class Histogram {
  readonly #buckets = new Map<number, number>();
  count = 0;
  max = 0;
  sum = 0;

  record(ms: number): void {
    const i = indexOf(ms);
    this.#buckets.set(i, (this.#buckets.get(i) ?? 0) + 1);
    this.count += 1;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(data: HistogramData): void {
    for (const [i, n] of data.buckets) this.#buckets.set(i, (this.#buckets.get(i) ?? 0) + n);
    this.count += data.count;
    this.sum += data.sum;
    if (data.max > this.max) this.max = data.max;
  }

  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const target = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (const i of [...this.#buckets.keys()].sort((a, b) => a - b)) {
      seen += this.#buckets.get(i) ?? 0;
      if (seen >= target) return Math.min(upperOf(i), this.max);
    }
    return this.max;
  }

  toJSON(): HistogramData {
    return { buckets: [...this.#buckets.entries()], count: this.count, max: this.max, sum: this.sum };
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: round(this.percentile(50)),
      p95: round(this.percentile(95)),
      p99: round(this.percentile(99)),
      max: round(this.max),
      mean: round(this.count ? this.sum / this.count : Number.NaN),
    };
  }

  static from(data: HistogramData): Histogram {
    const h = new Histogram();
    h.merge(data);
    return h;
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export const round = (n: number, digits = 2): number => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

/** High-resolution wall clock in ms, comparable between processes on one machine. */
export const wallMs = (): number => performance.timeOrigin + performance.now();
