/**
 * A private `redis-server` child process for tests and benchmarks: no persistence
 * (`--save '' --appendonly no`), bound to 127.0.0.1 on a given port, stoppable and restartable on
 * the same port (to simulate outages and data loss). Needs `redis-server` on PATH or at
 * /usr/bin/redis-server (scripts/setup-test.sh installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** Path of the redis-server binary, or null when it is not installed. */
export function redisServerPath(): string | null {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(`${dir}/redis-server`)) return `${dir}/redis-server`;
  return null;
}

/** A free TCP port on 127.0.0.1. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Asks the server on `port` for its process id (INFO server); null when nothing answers in `timeoutMs`. */
function serverPid(port: number, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    const done = (pid: number | null) => {
      clearTimeout(t);
      s.destroy();
      resolve(pid);
    };
    const t = setTimeout(() => done(null), timeoutMs);
    s.on('error', () => done(null));
    s.on('connect', () => s.write('INFO server\r\n'));
    s.on('data', (d) => {
      buf += d.toString();
      const m = /process_id:(\d+)/.exec(buf);
      if (m) done(Number(m[1]));
    });
  });
}

/** A running redis-server. */
export class RedisProcess {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly bin: string,
  ) {}

  /**
   * Starts redis-server on `port` (default: a free one, retried when another process takes it first)
   * and waits until it answers.
   * @throws Error when redis-server is not installed or does not answer within 5 s
   */
  static async start(port?: number): Promise<RedisProcess> {
    const bin = redisServerPath();
    if (!bin) throw new Error('redis-server not found (apt-get install redis-server, or run scripts/setup-test.sh)');
    for (let attempt = 0; ; attempt++) {
      const p = new RedisProcess(port ?? (await freeTcpPort()), bin);
      try {
        await p.startChild();
        return p;
      } catch (err) {
        if (port !== undefined || attempt >= 4) throw err; // a free port raced with another process: pick another
      }
    }
  }

  /** redis://127.0.0.1:port */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Process id of the running server (null when stopped). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Whether the server process runs. */
  get running(): boolean {
    return this.child !== null;
  }

  private async startChild(): Promise<void> {
    const child = spawn(this.bin, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'], {
      stdio: 'ignore',
    });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    // Wait until *this* child answers (another process may have taken the port meanwhile: then the
    // child exits and the caller gets an error instead of silently sharing someone else's Redis).
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if ((await serverPid(this.port, 200)) === child.pid) return;
      if (this.child !== child) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${this.port} did not start (port taken?)`);
  }

  /** Stops the server (data is lost: no persistence). `SIGKILL` simulates a crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  /** Starts the server again on the same port (empty: the previous data is gone). */
  async restart(): Promise<void> {
    if (this.child) await this.stop();
    await this.startChild();
  }

  /** CPU time the server used so far (user + system), seconds, from /proc/<pid>/stat (Linux). */
  cpuSeconds(): number {
    return this.pid === null ? 0 : processCpuSeconds(this.pid);
  }
}

/** CPU time (user + system) of a process, seconds, from /proc/<pid>/stat; 0 when unreadable. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15 (proc(5)), in clock ticks (USER_HZ = 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
