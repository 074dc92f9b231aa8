/**
 * Spawns the tablecast CLI (`node --import tsx packages/server/src/cli.ts ...`) as a child process for
 * the shutdown and configuration tests, with a clean environment (no TABLECAST_* variables of the
 * parent unless given).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** A running CLI process with its collected output. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) and the time it exited (performance.now()). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts `tablecast <args>` with `env` added to a copy of the parent environment less TABLECAST_*. */
export function runCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('TABLECAST') && k !== 'PORT' && k !== 'HOST' && k !== 'RATE_LIMIT') base[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `url` until it answers 200; rejects after `timeoutMs` or when the process exits first. */
export async function waitHttpOk(url: string, proc: CliProcess, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  let exited = false;
  void proc.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`process exited before ${url} answered; stderr: ${proc.stderr().slice(-2000)}`);
    try {
      const r = await fetch(url);
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${url}; stderr: ${proc.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
