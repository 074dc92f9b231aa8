/**
 * The Node.js versions tablecast runs on, checked before anything else loads (cli.ts imports this
 * module first): a start on an older Node fails at once with one line instead of a module error.
 *
 * Why 20.19: two dependencies of Fastify are ES modules loaded with `require()` (content-disposition
 * 3 by @fastify/static, cookie 2 by light-my-request), which Node supports unflagged from 20.19 and
 * 22.12 (they declare `engines: >=22`, the line Node 20.19 backported); ioredis 6 and sharp need 20.
 * CI runs on Node 20.20. Keep in step with `engines` in package.json and the README.
 */

/** The supported range, as the README and `engines` state it. */
export const SUPPORTED_NODE = '^20.19.0 || >=22.12.0';

/**
 * Whether `version` (`process.versions.node`, e.g. `20.20.2`) is in {@link SUPPORTED_NODE}.
 * A version that cannot be parsed is not supported.
 */
export function nodeSupported(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major === 20) return minor >= 19;
  if (major === 21) return false;
  if (major === 22) return minor >= 12;
  return major > 22;
}

if (!nodeSupported(process.versions.node)) {
  console.error(`tablecast: Node.js ${process.versions.node} is not supported; install Node.js ${SUPPORTED_NODE} (https://nodejs.org)`);
  process.exit(1);
}
