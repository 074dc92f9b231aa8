/**
 * Loads the configuration: defaults <- JSON file <- environment <- programmatic overrides, then
 * validates against {@link ConfigSchema}. A bad value fails with a message naming the key.
 *
 * Environment overrides: `TABLECAST__SECTION__KEY=value` (double underscores separate levels; values
 * are parsed as JSON when they parse, else taken as strings), plus the shortcuts `PORT`, `HOST`,
 * `RATE_LIMIT` (websocket.rate_limit_per_min), `TABLECAST_SOURCE`, `TABLECAST_BROKER`,
 * `TABLECAST_PUBLISH_API_KEY`, `TABLECAST_CONFIG` (path of the JSON file).
 */
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema, type Config } from './schema.js';
import { redactCredentials } from '../logging/redact.js';

/** A deep partial of {@link Config} for overrides. */
export type ConfigInput = { [K in keyof Config]?: Config[K] extends unknown[] ? Config[K] : Partial<Config[K]> | { [k: string]: unknown } };

/** Thrown when the configuration is invalid; `key` is the dotted path of the first bad key. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = { [k: string]: unknown };

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge, everything else (arrays included) replaces. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Json, v) : v;
  }
  return out;
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function setPath(target: Json, path: string[], value: unknown): void {
  let cur = target;
  for (const p of path.slice(0, -1)) {
    if (!isObject(cur[p])) cur[p] = {};
    cur = cur[p] as Json;
  }
  cur[path[path.length - 1]!] = value;
}

/** Builds the override object from environment variables. */
export function envOverrides(env: NodeJS.ProcessEnv): Json {
  const out: Json = {};
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || !name.startsWith('TABLECAST__')) continue;
    setPath(out, name.slice('TABLECAST__'.length).toLowerCase().split('__'), parseEnvValue(raw));
  }
  const short: [string, string[], (v: string) => unknown][] = [
    ['PORT', ['server', 'port'], (v) => parseEnvValue(v)],
    ['HOST', ['server', 'host'], (v) => v],
    ['RATE_LIMIT', ['websocket', 'rate_limit_per_min'], (v) => parseEnvValue(v)],
    ['TABLECAST_SOURCE', ['source', 'spec'], (v) => v],
    ['TABLECAST_BROKER', ['broker', 'url'], (v) => v],
    ['TABLECAST_PUBLISH_API_KEY', ['publish', 'api_keys'], (v) => v.split(',').filter(Boolean)],
  ];
  for (const [name, path, conv] of short) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(out, path, conv(v));
  }
  return out;
}

/**
 * Validates and completes a raw configuration object.
 * @throws ConfigError naming the first invalid key, e.g. `config: websocket.ping_interval_s must be >= 0.05 (got -1)`.
 */
export function resolveConfig(raw: Json): Config {
  const withDefaults = Value.Default(ConfigSchema, Value.Clone(raw)) as Json;
  const first = Value.Errors(ConfigSchema, withDefaults).First();
  if (first) {
    const key = first.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    // A secret's value is never echoed (it would end up in a terminal or a log).
    const got = /secret|password|token|api_keys|private/i.test(key) ? '"***"' : JSON.stringify(first.value);
    throw new ConfigError(`config: ${key} ${first.message.toLowerCase()} (got ${got === undefined ? 'undefined' : got})`, key);
  }
  return withDefaults as Config;
}

/**
 * Loads the effective configuration.
 * @param options.file JSON file path (else `TABLECAST_CONFIG`)
 * @param options.env environment (default `process.env`); pass `{}` in tests for isolation
 * @param options.overrides programmatic overrides, applied last
 * @throws ConfigError on an unreadable file or invalid value
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: ConfigInput } = {}): Config {
  const env = options.env ?? process.env;
  let fromFile: Json = {};
  const file = options.file ?? env.TABLECAST_CONFIG;
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Json;
    } catch (err) {
      throw new ConfigError(`config: cannot read ${file}: ${(err as Error).message}`, '(file)');
    }
    if (!isObject(fromFile)) throw new ConfigError(`config: ${file} must hold a JSON object`, '(file)');
  }
  // Environment values are JSON-parsed; convert them to the schema's types where that is lossless
  // (TABLECAST__SERVER__NODE_ID=123 is the string "123"), mistyped ones still fail validation below.
  const fromEnv = Value.Convert(ConfigSchema, envOverrides(env)) as Json;
  const merged = deepMerge(deepMerge(fromFile, fromEnv), (options.overrides ?? {}) as Json);
  return resolveConfig(merged);
}

/** The configuration with secrets removed, for `GET /api/v1/config`. */
export function redactConfig(config: Config): Json {
  const copy = JSON.parse(JSON.stringify(config)) as Json;
  const walk = (o: unknown): void => {
    if (!isObject(o) && !Array.isArray(o)) return;
    for (const [k, v] of Object.entries(o as Json)) {
      if (/key|secret|token|password/i.test(k) && !/_s$|_ms$/.test(k)) (o as Json)[k] = Array.isArray(v) ? v.map(() => '***') : '***';
      else walk(v);
    }
  };
  walk(copy);
  if (typeof (copy.broker as Json | undefined)?.url === 'string') {
    (copy.broker as Json).url = redactCredentials(String((copy.broker as Json).url));
  }
  return copy;
}
