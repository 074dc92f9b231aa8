/**
 * GatewayProcess: one `tablecast serve` child process (the CLI next to this module: `cli.ts` through
 * tsx in the repository, the built `cli.js` in a release),
 * for the cluster tests and benchmarks: spawn with a port, node id, broker URL and source, wait until
 * it serves, read its health, kill it (SIGKILL to simulate a crash), read its CPU time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, processCpuSeconds } from '@tablecast/gateway/testing';

/** Repository root (four levels above this file). */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The CLI beside this module, and how node runs it (tsx for the TypeScript source). */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const CLI_ARGS = FROM_SOURCE ? ['--import', 'tsx', fileURLToPath(new URL('../cli.ts', import.meta.url))] : [fileURLToPath(new URL('../cli.js', import.meta.url))];

/** Options of {@link GatewayProcess.spawn}. */
export interface GatewayProcessOptions {
  nodeId: string;
  /** `memory://` or `redis://...`. */
  broker: string;
  /** Default: a free port. */
  port?: number;
  /** Source spec (default `none`). */
  source?: string;
  /** Extra environment (e.g. `TABLECAST__CLUSTER__LEADER_TTL_MS`). */
  env?: Record<string, string>;
  /** Milliseconds to wait for /api/v1/health/live (default 20000). */
  readyTimeoutMs?: number;
}

/** A running gateway child process. */
export class GatewayProcess {
  /** Last lines of its stdout+stderr (for failure messages). */
  readonly output: string[] = [];
  /** Resolves when the process exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private alive = true;

  private constructor(
    readonly child: ChildProcess,
    readonly nodeId: string,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.alive = false;
        resolve({ code, signal });
      }),
    );
    const keep = (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim()) this.output.push(line);
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /**
   * Spawns `tablecast serve` on 127.0.0.1 and waits until it answers /api/v1/health/live.
   * @throws Error (with its last output lines) when it exits or does not answer in time (it is killed then)
   */
  static async spawn(options: GatewayProcessOptions): Promise<GatewayProcess> {
    const port = options.port ?? (await freeTcpPort());
    const args = [...CLI_ARGS, 'serve', '--port', String(port), '--host', '127.0.0.1', '--node-id', options.nodeId,
      '--broker', options.broker, '--source', options.source ?? 'none'];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        TABLECAST__SERVER__LOG_LEVEL: 'warn',
        TABLECAST__SERVER__SERVE_WEB: 'false',
        TABLECAST__WEBSOCKET__CONNECTIONS_PER_IP_PER_MIN: '1000000',
        TABLECAST__WEBSOCKET__RATE_LIMIT_PER_MIN: '1000000',
        TABLECAST__SERVER__HTTP_REQUESTS_PER_IP_PER_MIN: '1000000',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new GatewayProcess(child, options.nodeId, port);
    try {
      await p.waitReady(options.readyTimeoutMs ?? 20_000);
    } catch (err) {
      await p.kill('SIGKILL');
      throw err;
    }
    return p;
  }

  /** http://127.0.0.1:port */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** ws://127.0.0.1:port/api/v1/ws */
  get ws(): string {
    return `ws://127.0.0.1:${this.port}/api/v1/ws`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.alive;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`gateway ${this.nodeId} exited during start:\n${this.output.slice(-20).join('\n')}`);
      try {
        const r = await fetch(`${this.url}/api/v1/health/live`, { signal: AbortSignal.timeout(500) });
        if (r.ok) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`gateway ${this.nodeId} did not answer within ${timeoutMs} ms:\n${this.output.slice(-20).join('\n')}`);
  }

  /** GET a JSON endpoint of the process. */
  async get<T = Record<string, unknown>>(path: string): Promise<T> {
    const r = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(2000) });
    return (await r.json()) as T;
  }

  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** CPU time used so far (user + system), seconds. */
  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }
}
