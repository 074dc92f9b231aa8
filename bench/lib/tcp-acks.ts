/**
 * How the clients of a listening port acknowledge: runs Linux's `ss -tin` for the established
 * connections on a local port and reports, per connection, segments received per data segment sent
 * (`segs_in / data_segs_out`). About 1 means each message got its own ACK (the client acknowledges
 * on read, charged to the client on loopback); about 0.5 means the client is in delayed-ACK
 * "pingpong" mode and acknowledges every second message as the next one arrives (charged to the
 * server's write on loopback). See bench/lib/loadgen.ts. Null when `ss` is not available.
 */
import { spawnSync } from 'node:child_process';
import { median } from './stats.js';

/** ACK pattern of the connections on one local port. */
export interface AckPattern {
  connections: number;
  /** Median over connections of segments received / data segments sent. */
  segs_in_per_data_seg_out: number;
  /** Median smoothed RTT as the kernel sees it, ms (includes the client's ACK delay). */
  rtt_ms: number;
}

/**
 * Reads the ACK pattern of the established connections whose local port is `port`.
 * @returns null when `ss` is missing or no connection matched
 */
export function ackPattern(port: number): AckPattern | null {
  const r = spawnSync('ss', ['-tin', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 || !r.stdout) return null;
  const ratios: number[] = [];
  const rtts: number[] = [];
  for (const line of r.stdout.split('\n')) {
    const segsIn = /\bsegs_in:(\d+)/.exec(line);
    const dataOut = /\bdata_segs_out:(\d+)/.exec(line);
    const rtt = /\brtt:([\d.]+)\//.exec(line);
    if (!segsIn || !dataOut || Number(dataOut[1]) === 0) continue;
    ratios.push(Number(segsIn[1]) / Number(dataOut[1]));
    if (rtt) rtts.push(Number(rtt[1]));
  }
  if (ratios.length === 0) return null;
  return { connections: ratios.length, segs_in_per_data_seg_out: median(ratios), rtt_ms: median(rtts) };
}
