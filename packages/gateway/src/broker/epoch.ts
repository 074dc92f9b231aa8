import { randomBytes } from 'node:crypto';

/** A fresh history epoch: 8 random bytes, hex. A new epoch means earlier offsets are meaningless. */
export function randomEpoch(): string {
  return randomBytes(8).toString('hex');
}
