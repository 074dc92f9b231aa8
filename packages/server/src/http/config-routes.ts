/**
 * Configuration and calibration routes, in the shapes the original system's browser client reads
 * (docs/COMPATIBILITY.md):
 *
 * - `GET /api/v1/config[?section=&include_metadata=]`: `{config, values, timestamp, schema_version,
 *   last_modified, is_valid, validation_errors}` (secrets removed; `config` is tablecast's own name).
 * - `PUT /api/v1/config[?section=]` (admin): merge values; `{success, updated_fields,
 *   validation_errors, warnings, rollback_available, restart_required}`; 400 INVALID_MESSAGE naming
 *   the key for a bad value.
 * - `POST /api/v1/config/reset?confirm=true` (admin), `GET /api/v1/config/export`,
 *   `POST /api/v1/config/import` (admin; a JSON body or a multipart `file`), `GET /api/v1/config/schema`.
 * - `GET`/`POST /api/v1/config/table/playing-area` (POST admin): the four playing-area corners the
 *   calibration page saved, in its own pixel space (`calibration_resolution_width/height`).
 * - `GET /api/v1/vision/calibration`: table corners, pockets, pixel <-> metre homography.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCode } from '@tablecast/protocol';
import { createTable } from '@tablecast/physics';
import { ConfigError, ConfigSchema } from '../config/index.js';
import type { PlayingArea, RuntimeConfig } from '../config/runtime.js';
import type { RouteContext } from './context.js';
import { Type, type TSchema } from '@sinclair/typebox';
import { AnyObject, ErrorRef, Nullable, Open, Timestamp } from './schemas.js';

const SCHEMA_VERSION = '1.0.0';
const Point = Type.Object({ x: Type.Number(), y: Type.Number() }, { description: 'pixels' });
const Values = AnyObject('configuration sections and their values (secrets removed); schema: GET /api/v1/config/schema');
const ConfigBody = Open({
  config: Values, values: Values, timestamp: Timestamp, schema_version: Type.String(), last_modified: Timestamp,
  is_valid: Type.Boolean(), validation_errors: Type.Array(Type.Unknown()), metadata: Type.Optional(AnyObject('version, node_id, schema')),
});
const Applied = Open({
  success: Type.Literal(true), updated_fields: Type.Array(Type.String({ description: 'section.key' })), restart_required: Type.Boolean(),
  validation_errors: Type.Array(Type.Unknown()), warnings: Type.Array(Type.String()), rollback_available: Type.Boolean(),
});
const Done = (data: TSchema) => Open({ success: Type.Literal(true), message: Type.String(), timestamp: Timestamp, data });
const PlayingAreaBody = Open({
  success: Type.Literal(true), corners: Type.Array(Point), count: Type.Integer(), calibrated: Type.Boolean(),
  marker_dots: Type.Array(Point), marker_dots_count: Type.Integer(),
  calibration_resolution_width: Nullable(Type.Number()), calibration_resolution_height: Nullable(Type.Number()),
  source: Type.Union([Type.Literal('saved'), Type.Literal('detected'), Type.Literal('none')]),
});
const PlayingAreaSaved = Open({
  success: Type.Literal(true), message: Type.String(), corners: Type.Array(Point), count: Type.Integer(), marker_dots: Type.Array(Point), marker_dots_count: Type.Integer(),
  calibration_resolution_width: Nullable(Type.Number()), calibration_resolution_height: Nullable(Type.Number()), restart_required: Type.Boolean(),
});
const CalibrationBody = Open({
  success: Type.Literal(true), corners: Nullable(Type.Array(Point)), transformation_matrix: Nullable(Type.Array(Type.Number(), { description: 'pixel -> table homography, row-major 3x3' })),
  accuracy: Type.Null(), calibrated_at: Type.Null(), is_valid: Type.Boolean(), table_type: Type.String(),
  dimensions: Open({ width: Type.Number({ description: 'metres' }), height: Type.Number({ description: 'metres' }) }),
});
const tags = ['config'];
type Json = { [k: string]: unknown };

function badRequest(reply: FastifyReply, message: string, details?: unknown) {
  reply.code(400);
  return { error: { code: ErrorCode.INVALID_MESSAGE, message, ...(details === undefined ? {} : { details }) } };
}

/** Four `{x, y}` points with finite numbers, or a message saying what is wrong. */
function pointsOf(v: unknown, what: string, count?: number): { x: number; y: number }[] | string {
  if (!Array.isArray(v)) return `${what} must be an array of {x, y}`;
  if (count !== undefined && v.length !== count) return `Expected ${count} ${what}, got ${v.length}`;
  const out: { x: number; y: number }[] = [];
  for (const [i, p] of v.entries()) {
    const q = p as { x?: unknown; y?: unknown } | null;
    if (!q || typeof q !== 'object' || typeof q.x !== 'number' || typeof q.y !== 'number' || !Number.isFinite(q.x) || !Number.isFinite(q.y)) {
      return `${what} ${i} must be an object with numeric x and y`;
    }
    out.push({ x: q.x, y: q.y });
  }
  return out;
}

/** Registers the config and calibration routes. */
export async function configRoutes(app: FastifyInstance, ctx: RouteContext, runtime: RuntimeConfig): Promise<void> {
  const store = runtime;
  const snapshot = (section?: string) => {
    const values = store.values(section);
    return {
      config: values,
      values,
      timestamp: new Date().toISOString(),
      schema_version: SCHEMA_VERSION,
      last_modified: store.lastModified.toISOString(),
      is_valid: true,
      validation_errors: [],
    };
  };
  const apply = (reply: FastifyReply, fn: () => { updated_fields: string[]; restart_required: boolean }) => {
    try {
      const r = fn();
      return { success: true, ...r, validation_errors: [], warnings: r.restart_required ? ['running components keep their settings until restarted'] : [], rollback_available: true };
    } catch (err) {
      if (err instanceof ConfigError) return badRequest(reply, err.message, { key: err.key });
      throw err;
    }
  };

  app.get<{ Querystring: { include_metadata?: boolean; section?: string } }>(
    '/api/v1/config',
    {
      config: { policy: 'public' },
      schema: { tags, summary: 'Effective configuration (secrets removed)', response: { 200: ConfigBody }, querystring: { type: 'object', properties: { include_metadata: { type: 'boolean' }, section: { type: 'string', maxLength: 64 } } } },
    },
    async (req, reply) => {
      if (req.query.section !== undefined && !(req.query.section in store.config)) return badRequest(reply, `unknown configuration section "${req.query.section}"`);
      const body: Json = snapshot(req.query.section);
      if (req.query.include_metadata) body.metadata = { version: ctx.version, node_id: ctx.nodeId, schema: JSON.parse(JSON.stringify(ConfigSchema)) as unknown };
      return body;
    },
  );

  app.put<{ Querystring: { section?: string }; Body: Json }>(
    '/api/v1/config',
    { config: { policy: 'admin' }, schema: { tags, summary: 'Change configuration values (run time; restart_required)', response: { 200: Applied }, body: { type: 'object' }, querystring: { type: 'object', properties: { section: { type: 'string', maxLength: 64 } } } } },
    async (req, reply) => apply(reply, () => store.update(req.body, req.query.section)),
  );

  app.post<{ Querystring: { confirm?: boolean } }>(
    '/api/v1/config/reset',
    { config: { policy: 'admin' }, schema: { tags, summary: 'Back to the configuration the server started with', response: { 200: Done(Open({ restart_required: Type.Boolean() })) }, querystring: { type: 'object', properties: { confirm: { type: 'boolean' }, backup: { type: 'boolean' }, reset_type: { type: 'string' } } } } },
    async (req, reply) => {
      if (req.query.confirm !== true) return badRequest(reply, 'reset needs ?confirm=true');
      store.reset();
      return { success: true, message: 'configuration reset to the start-up values', timestamp: new Date().toISOString(), data: { restart_required: true } };
    },
  );

  app.get<{ Querystring: { format?: string } }>(
    '/api/v1/config/export',
    { config: { policy: 'public' }, schema: { tags, summary: 'The configuration as a JSON document (secrets removed)', response: { 200: Open({ format: Type.Literal('json'), size: Type.Integer({ description: 'bytes of data as JSON' }), checksum: Type.String({ description: 'SHA-256 of data as JSON, hex' }), timestamp: Timestamp, data: Values }) }, querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json'] } } } } },
    async () => {
      const data = store.values();
      const text = JSON.stringify(data);
      return { format: 'json', size: Buffer.byteLength(text), checksum: createHash('sha256').update(text).digest('hex'), timestamp: new Date().toISOString(), data };
    },
  );

  app.post(
    '/api/v1/config/import',
    { config: { policy: 'admin' }, schema: { tags, summary: 'Merge a configuration document (JSON body, or multipart field "file")', response: { 200: Done(Applied) } } },
    async (req, reply) => {
      let doc: unknown = req.body;
      if (req.isMultipart()) {
        const file = await req.file();
        if (!file) return badRequest(reply, 'multipart import needs a "file" field');
        try {
          doc = JSON.parse((await file.toBuffer()).toString('utf8'));
        } catch {
          return badRequest(reply, 'the imported file is not JSON');
        }
      }
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return badRequest(reply, 'a configuration document is a JSON object of sections');
      const r = apply(reply, () => store.update(doc as Json));
      return 'error' in r ? r : { success: true, message: `imported ${r.updated_fields.length} value(s)`, timestamp: new Date().toISOString(), data: r };
    },
  );

  app.get('/api/v1/config/schema', { config: { policy: 'public' }, schema: { tags, summary: 'JSON Schema of the configuration', response: { 200: AnyObject('a JSON Schema (draft 7) of the whole configuration') } } }, async () =>
    JSON.parse(JSON.stringify(ConfigSchema)) as unknown);

  app.get('/api/v1/config/table/playing-area', { config: { policy: 'public' }, schema: { tags, summary: 'Playing-area corners (as the calibration page saved them, or as detected)', response: { 200: PlayingAreaBody } } }, async () => {
    const saved: PlayingArea | null = store.playingArea;
    const cal = ctx.calibration() as { corners?: { x: number; y: number }[] | null; imageWidth?: number; imageHeight?: number } | null;
    const corners = saved?.corners ?? cal?.corners ?? [];
    return {
      success: true,
      corners,
      count: corners.length,
      calibrated: corners.length === 4,
      marker_dots: saved?.marker_dots ?? [],
      marker_dots_count: saved?.marker_dots.length ?? 0,
      calibration_resolution_width: saved ? saved.calibration_resolution_width : (cal?.imageWidth ?? null),
      calibration_resolution_height: saved ? saved.calibration_resolution_height : (cal?.imageHeight ?? null),
      source: saved ? 'saved' : cal?.corners ? 'detected' : 'none',
    };
  });

  app.post<{ Body: Json }>(
    '/api/v1/config/table/playing-area',
    { config: { policy: 'admin' }, schema: { tags, summary: 'Save the playing-area corners (the calibration page)', body: { type: 'object' }, response: { 200: PlayingAreaSaved } } },
    async (req, reply) => {
      const b = req.body;
      if (!b.corners || (Array.isArray(b.corners) && b.corners.length === 0)) return badRequest(reply, 'No corners provided in request body');
      const corners = pointsOf(b.corners, 'corners', 4);
      if (typeof corners === 'string') return badRequest(reply, corners);
      const dots = pointsOf(b.marker_dots ?? [], 'marker dot');
      if (typeof dots === 'string') return badRequest(reply, dots);
      const res = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
      const area: PlayingArea = {
        corners, marker_dots: dots,
        calibration_resolution_width: res(b.calibration_resolution_width),
        calibration_resolution_height: res(b.calibration_resolution_height),
      };
      // The vision source's corners are in its frames' pixels: scale from the page's space when known.
      const cal = ctx.calibration() as { imageWidth?: number; imageHeight?: number } | null;
      const sx = area.calibration_resolution_width && cal?.imageWidth ? cal.imageWidth / area.calibration_resolution_width : 1;
      const sy = area.calibration_resolution_height && cal?.imageHeight ? cal.imageHeight / area.calibration_resolution_height : 1;
      const r = apply(reply, () => store.update({ calibration_corners: corners.map((p) => ({ x: p.x * sx, y: p.y * sy })) }, 'source'));
      if ('error' in r) return r;
      store.playingArea = area;
      return {
        success: true,
        message: 'Playing area configuration saved successfully',
        corners, count: corners.length, marker_dots: dots, marker_dots_count: dots.length,
        calibration_resolution_width: area.calibration_resolution_width,
        calibration_resolution_height: area.calibration_resolution_height,
        restart_required: true,
      };
    },
  );

  const preset = createTable(ctx.config.table.preset);
  app.get('/api/v1/calibration', { config: { policy: 'public' }, schema: { tags, summary: 'The current calibration (the original shape)', response: { 200: CalibrationBody } } }, async () => {
    const c = ctx.calibration() as { width?: number; height?: number; corners?: { x: number; y: number }[] | null; homography?: number[] } | null;
    const corners = store.playingArea?.corners ?? c?.corners ?? null;
    return {
      success: true,
      corners,
      transformation_matrix: c?.homography ?? null,
      accuracy: null,
      calibrated_at: null,
      is_valid: Boolean(c?.homography),
      table_type: 'standard',
      dimensions: { width: c?.width ?? preset.width, height: c?.height ?? preset.height },
    };
  });

  app.get('/api/v1/vision/calibration', { config: { policy: 'public' }, schema: { tags, summary: 'Table geometry and pixel<->metre calibration', response: { 200: AnyObject('table corners and pockets (metres), image corners (pixels), pixel_to_table_homography'), 503: { ...ErrorRef, description: 'no calibration yet (UNAVAILABLE)' } } } }, async (_req, reply) => {
    const c = ctx.calibration();
    if (!c) {
      reply.code(503);
      return { error: { code: ErrorCode.UNAVAILABLE, message: 'no calibration yet (no source running)' } };
    }
    return c;
  });
}
