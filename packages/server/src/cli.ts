#!/usr/bin/env node
/**
 * tablecast CLI.
 *
 *   tablecast serve [--port N] [--host H] [--source SPEC] [--broker URL] [--config FILE] [--node-id ID]
 *   tablecast record FILE [--url ws://127.0.0.1:8000/api/v1/ws] [--streams state,event,...]
 *
 * SIGTERM/SIGINT: stop accepting, close clients with 1001, exit within server.shutdown_timeout_s.
 */
import { parseArgs } from 'node:util';
import { createServer } from './server.js';
import { ConfigError, type ConfigInput } from './config/index.js';

const USAGE = `usage:
  tablecast serve [--port N] [--host H] [--source simulator|replay:FILE|image:PATH|video:PATH|camera:DEVICE|none]
                  [--broker memory://|redis://HOST:PORT] [--config FILE] [--node-id ID]
  tablecast record FILE [--url ws://127.0.0.1:8000/api/v1/ws] [--streams state,trajectory,event,alert]`;

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' }, host: { type: 'string' }, source: { type: 'string' }, broker: { type: 'string' },
      config: { type: 'string' }, 'node-id': { type: 'string' },
    },
    strict: true,
  });
  const overrides: ConfigInput = {};
  const server: Record<string, unknown> = {};
  if (values.port !== undefined) server.port = Number(values.port);
  if (values.host !== undefined) server.host = values.host;
  if (values['node-id'] !== undefined) server.node_id = values['node-id'];
  if (Object.keys(server).length) overrides.server = server;
  if (values.source !== undefined) overrides.source = { spec: values.source };
  if (values.broker !== undefined) overrides.broker = { url: values.broker };
  const app = await createServer({ overrides, configFile: values.config });
  const { url } = await app.listen();
  app.log.info(`tablecast listening on ${url} (dashboard ${url}/, WebSocket ${url.replace('http', 'ws')}/api/v1/ws, docs ${url}/docs)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal}: shutting down`);
    const hard = setTimeout(() => process.exit(1), app.config.server.shutdown_timeout_s * 1000);
    hard.unref();
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function record(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { url: { type: 'string', default: 'ws://127.0.0.1:8000/api/v1/ws' }, streams: { type: 'string', default: 'state,trajectory,event,alert' } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file) throw new Error(`record needs a FILE\n${USAGE}`);
  const mod = (await import(new URL('./pipeline/recorder.js', import.meta.url).href)) as {
    recordToFile(url: string, file: string, streams: string[]): Promise<{ close(): Promise<void> }>;
  };
  const rec = await mod.recordToFile(values.url!, file, values.streams!.split(',').filter(Boolean));
  console.error(`recording ${values.streams} from ${values.url} to ${file}; Ctrl-C to stop`);
  const stop = () => void rec.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'serve' || cmd === undefined) return serve(rest);
  if (cmd === 'record') return record(rest);
  console.error(USAGE);
  process.exit(2);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
