/**
 * The configuration as changed at run time through the REST API (`PUT /api/v1/config`, reset,
 * import, the playing-area corners): validated against the same schema as at start, kept in
 * memory, exported as JSON. Running components keep the configuration they started with, so every
 * change answers `restart_required: true` (the pipeline picks source settings up on
 * `system/stop` + `system/start`; the rest on a process restart with the exported file).
 * Credentials (`auth`, `publish`) cannot be changed this way.
 */
import { ConfigError, deepMerge, redactConfig, resolveConfig } from './load.js';
import type { Config } from './schema.js';

type Json = { [k: string]: unknown };

/** Sections the REST API may not change (credentials). */
const LOCKED = new Set(['auth', 'publish']);

/** The playing-area corners as the calibration page saved them (in its own pixel space). */
export interface PlayingArea {
  corners: { x: number; y: number }[];
  marker_dots: { x: number; y: number }[];
  calibration_resolution_width: number | null;
  calibration_resolution_height: number | null;
}

/** Outcome of an update. */
export interface ConfigChange {
  updated_fields: string[];
  restart_required: boolean;
}

/** See the module comment. */
export class RuntimeConfig {
  private current: Config;
  private modifiedAt = new Date();
  /** The last saved playing area, or null. */
  playingArea: PlayingArea | null = null;

  /** @param initial the configuration the server started with */
  constructor(private readonly initial: Config) {
    this.current = initial;
  }

  /** The effective configuration (with run-time changes). */
  get config(): Config {
    return this.current;
  }

  /** When it last changed. */
  get lastModified(): Date {
    return this.modifiedAt;
  }

  /** The configuration without secrets, optionally one section. */
  values(section?: string): Json {
    const all = redactConfig(this.current);
    return section === undefined ? all : { [section]: all[section] ?? {} };
  }

  /**
   * Merges `values` (one `section`, or several sections keyed by name) into the configuration.
   * @throws ConfigError naming the key for an invalid value, an unknown or a locked section
   */
  update(values: Json, section?: string): ConfigChange {
    const patch: Json = section === undefined ? values : { [section]: values };
    for (const k of Object.keys(patch)) {
      if (!(k in this.current)) throw new ConfigError(`config: ${k} is not a configuration section`, k);
      if (LOCKED.has(k)) throw new ConfigError(`config: ${k} holds credentials and cannot be changed at run time`, k);
    }
    this.current = resolveConfig(deepMerge(this.current as unknown as Json, patch));
    this.modifiedAt = new Date();
    return { updated_fields: fieldsOf(patch), restart_required: true };
  }

  /** Back to the configuration the server started with. */
  reset(): void {
    this.current = this.initial;
    this.playingArea = null;
    this.modifiedAt = new Date();
  }
}

function fieldsOf(o: Json, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? fieldsOf(v as Json, `${prefix}${k}.`) : [`${prefix}${k}`]);
}
