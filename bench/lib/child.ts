/**
 * Child processes of the benchmarks with a request/response IPC channel.
 *
 * The parent spawns `node --import tsx <script> <args>` through `/bin/sh` so the soft open-files
 * limit is raised to the hard limit first (`ulimit -n $(ulimit -Hn)`): thousands of sockets need
 * thousands of descriptors. Requests are `{id, cmd, ...}`; the child answers `{id, ok, result}` or
 * `{id, ok: false, error}`. Unsolicited child messages carry `event` (e.g. `ready`).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';

type Json = Record<string, unknown>;

/** A spawned benchmark role. */
export class ChildRole {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly events = new Map<string, Json>();
  private readonly waiters = new Map<string, ((m: Json) => void)[]>();
  private exited = false;
  readonly exit: Promise<number | null>;

  private constructor(readonly name: string, readonly proc: ChildProcess) {
    proc.on('message', (raw) => {
      const m = raw as Json;
      if (typeof m.id === 'number') {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(`${name}: ${String(m.error)}`));
      } else if (typeof m.event === 'string') {
        this.events.set(m.event, m);
        for (const w of this.waiters.get(m.event) ?? []) w(m);
        this.waiters.delete(m.event);
      }
    });
    this.exit = new Promise((resolve) => {
      proc.on('exit', (code) => {
        this.exited = true;
        for (const p of this.pending.values()) p.reject(new Error(`${name} exited (code ${code})`));
        this.pending.clear();
        resolve(code);
      });
    });
  }

  /**
   * Spawns `script` with `args` under node with `nodeArgs` (tsx is always loaded).
   * @param name label for errors
   */
  static spawn(name: string, script: string, args: string[], nodeArgs: string[] = []): ChildRole {
    const proc = spawn(
      '/bin/sh',
      ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', process.execPath, '--import', 'tsx', ...nodeArgs, script, ...args],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: process.env },
    );
    return new ChildRole(name, proc);
  }

  /** Resolves with the first message of type `event` (immediately when it already came). */
  waitEvent(event: string, timeoutMs = 60_000): Promise<Json> {
    const have = this.events.get(event);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name}: no '${event}' within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(event) ?? [];
      list.push((m) => {
        clearTimeout(t);
        resolve(m);
      });
      this.waiters.set(event, list);
      void this.exit.then((code) => {
        clearTimeout(t);
        reject(new Error(`${this.name} exited (code ${code}) before '${event}'`));
      });
    });
  }

  /** Sends a command and resolves with its result. */
  request<T = Json>(cmd: string, body: Json = {}, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: '${cmd}' timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.proc.send({ id, cmd, ...body });
    });
  }

  /** Asks the child to exit, then kills it (by its own pid) when it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    try {
      this.proc.send({ id: 0, cmd: 'exit' });
    } catch {
      /* channel closed */
    }
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(t);
  }
}

/**
 * Serves IPC requests in a child: `handlers[cmd](msg)` answers each request; `exit` calls
 * `onExit` and exits. Sends `{event: 'ready', ...ready}` when `ready` is given.
 */
export function serveIpc(handlers: Record<string, (msg: Json) => Promise<unknown> | unknown>, onExit: () => Promise<void> | void): void {
  if (!process.send) throw new Error('this role must be started by bench/gateway.ts (no IPC channel)');
  process.on('message', (raw) => {
    const m = raw as Json;
    if (m.cmd === 'exit') {
      void Promise.resolve()
        .then(onExit)
        .catch(() => undefined)
        .finally(() => process.exit(0));
      return;
    }
    const h = handlers[String(m.cmd)];
    void Promise.resolve()
      .then(() => {
        if (!h) throw new Error(`unknown command ${String(m.cmd)}`);
        return h(m);
      })
      .then(
        (result) => process.send!({ id: m.id, ok: true, result }),
        (err: unknown) => process.send!({ id: m.id, ok: false, error: (err as Error)?.stack ?? String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Sends an unsolicited event to the parent. */
export function emitEvent(event: string, body: Json = {}): void {
  process.send?.({ event, ...body });
}

/** The open-files limit children get (the hard limit, see {@link ChildRole.spawn}). */
export function childFileLimit(): number {
  try {
    return Number(execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || NaN;
  } catch {
    return NaN;
  }
}
