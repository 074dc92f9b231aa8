/**
 * Publish-to-send latency recorder: an HDR histogram (hdr-histogram-js, microsecond resolution) for
 * percentiles in /api/v1/websocket/metrics, plus running mean and peak.
 */
import * as hdr from 'hdr-histogram-js';

/** Latency statistics in milliseconds. */
export interface LatencySummary {
  count: number;
  average_ms: number;
  peak_ms: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
}

/** Records latencies (microseconds in, milliseconds out). */
export class LatencyRecorder {
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  private sum = 0;
  private n = 0;
  private peak = 0;

  /** Records one latency, microseconds (negative clock skew is clamped to 0). */
  record(micros: number): void {
    const v = Math.min(60_000_000, Math.max(1, Math.round(micros)));
    this.histogram.recordValue(v);
    this.sum += v;
    this.n++;
    if (v > this.peak) this.peak = v;
  }

  /** Summary in milliseconds. */
  summary(): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: this.n,
      average_ms: this.n ? ms(this.sum / this.n) : 0,
      peak_ms: ms(this.peak),
      p50_ms: this.n ? ms(this.histogram.getValueAtPercentile(50)) : 0,
      p90_ms: this.n ? ms(this.histogram.getValueAtPercentile(90)) : 0,
      p99_ms: this.n ? ms(this.histogram.getValueAtPercentile(99)) : 0,
    };
  }

  /** Clears all samples. */
  reset(): void {
    this.histogram.reset();
    this.sum = this.n = this.peak = 0;
  }
}
