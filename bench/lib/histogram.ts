import * as hdr from 'hdr-histogram-js';

/** A latency histogram as it crosses processes: HdrHistogram's compressed encoding and the exact sum. */
export interface HistogramData {
  encoded: string;
  sum: number;
}

/** Values are recorded in microseconds, from 1 µs to an hour, to 3 significant digits. */
const build = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

/**
 * A latency histogram in milliseconds (HdrHistogram, hdr-histogram-js), mergeable across the
 * bench's processes.
 */
export class Histogram {
  readonly #hdr = build();
  sum = 0;

  get count(): number {
    return this.#hdr.totalCount;
  }

  /** The largest value recorded, in ms. */
  get max(): number {
    return this.count === 0 ? 0 : this.#hdr.maxValue / 1000;
  }

  record(ms: number): void {
    this.#hdr.recordValue(Math.max(1, Math.round(ms * 1000)));
    this.sum += ms;
  }

  merge(data: HistogramData): void {
    this.#hdr.add(hdr.decodeFromCompressedBase64(data.encoded));
    this.sum += data.sum;
  }

  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    return this.#hdr.getValueAtPercentile(p) / 1000;
  }

  toJSON(): HistogramData {
    return { encoded: hdr.encodeIntoCompressedBase64(this.#hdr), sum: this.sum };
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
