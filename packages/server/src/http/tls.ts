/**
 * TLS for the HTTP API and the WebSocket endpoints (`server.tls.cert_file` + `key_file`): with both
 * set, one https server carries `https://` and `wss://` on `server.port`; with neither, plain http
 * (TLS at a proxy). Files are read at start, so a wrong path fails the start, not the first client.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { FastifyServerFactory } from 'fastify';
import { ConfigError } from '../config/index.js';

/** The `server.tls` section. */
export interface TlsSettings {
  cert_file?: string;
  key_file?: string;
}

/**
 * A Fastify server factory serving https with the configured certificate, or null without TLS.
 * @throws ConfigError when only one of the two files is set, or a file cannot be read
 */
export function httpsFactory(tls: TlsSettings): FastifyServerFactory<Server> | null {
  if (tls.cert_file === undefined && tls.key_file === undefined) return null;
  if (tls.cert_file === undefined || tls.key_file === undefined) {
    const missing = tls.cert_file === undefined ? 'cert_file' : 'key_file';
    throw new ConfigError(`config: server.tls.${missing} is needed too (TLS takes a certificate and its key)`, `server.tls.${missing}`);
  }
  const cert = readPem(tls.cert_file, 'server.tls.cert_file');
  const key = readPem(tls.key_file, 'server.tls.key_file');
  return (handler) => createHttpsServer({ cert, key }, handler);
}

function readPem(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`config: ${key}: cannot read ${path} (${code})`, key);
  }
}
