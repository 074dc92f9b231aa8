/**
 * Wire form of a publication between nodes (pub/sub payload and history entry):
 * `"<sequence> <epoch> <timestampMicros> <json data>"`. The header is split with three indexOf
 * calls; only the data is JSON-parsed.
 */
import type { BrokerMessage } from '../broker.js';

/**
 * Decodes one wire message.
 * @throws Error when the header is malformed or the data is not JSON
 */
export function decodeWire(stream: string, raw: string): BrokerMessage {
  const a = raw.indexOf(' ');
  const b = raw.indexOf(' ', a + 1);
  const c = raw.indexOf(' ', b + 1);
  if (a <= 0 || b <= a || c <= b) throw new Error(`malformed broker message on ${stream}: ${raw.slice(0, 60)}`);
  const sequence = Number(raw.slice(0, a));
  const timestampMicros = Number(raw.slice(b + 1, c));
  if (!Number.isFinite(sequence) || !Number.isFinite(timestampMicros)) throw new Error(`malformed broker header on ${stream}: ${raw.slice(0, c)}`);
  return { stream, sequence, epoch: raw.slice(a + 1, b), timestampMicros, data: JSON.parse(raw.slice(c + 1)) as Record<string, unknown> };
}

/** Parses the `"<sequence> <epoch>"` reply of the publish script. */
export function parsePublishReply(reply: unknown): { sequence: number; epoch: string } {
  const s = String(reply);
  const i = s.indexOf(' ');
  return { sequence: Number(s.slice(0, i)), epoch: s.slice(i + 1) };
}
