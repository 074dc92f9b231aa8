/**
 * Video HTTP endpoints (PROTOCOL section 8, prefix `/api/v1`):
 * - `GET /stream/video?quality=low|medium|high|1-100&fps=1-60&overlay=0|1`: MJPEG
 *   (`multipart/x-mixed-replace; boundary=frame`), see {@link MjpegViewer}.
 * - `GET /stream/video/frame`: the latest frame as one JPEG (same parameters except fps);
 *   503 JSON when there is no frame yet or serving is stopped. When the source produces frames only
 *   on demand and the latest is older than 1 s, the request asks for frames and waits up to 1.5 s
 *   for the next one.
 * - `GET /stream/video/status`: `{active, frames, fps, width, height, viewers, last_frame_at}` plus
 *   `demand` (whether the source is asked for frames), `available` (frames exist or a source makes
 *   them on demand) and `encodes`, `sent`, `skipped` counters.
 * An open MJPEG response holds frame demand (see FrameHub) until it closes. Its first part is the
 * latest frame, unless the source follows demand and that frame is older than 1 s: then the
 * first part is the next frame, or the old one when none comes within 1.5 s.
 * - `POST /stream/video/start`, `POST /stream/video/stop`: toggle whether frames are served.
 * Bad parameters answer 400 `{error: {code: 'INVALID_PARAMETER', message}}`.
 * State lives in the registration (no module state): two servers in one process are independent.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FrameHub, JpegFrame } from '@tablecast/pipeline';
import { JpegVariants, type VariantSpec, parseQuality } from './jpeg-variants.js';
import { MjpegViewer } from './mjpeg-viewer.js';
import type { OverlayData } from './overlay.js';
import { ErrorCode } from '@tablecast/protocol';
import { Type } from '@sinclair/typebox';
import { ErrorRef, Nullable, Open, Timestamp } from '../http/schemas.js';
import { ensureErrorSchema } from '../http/openapi-conventions.js';

/** Dependencies of {@link registerVideoRoutes}. */
export interface VideoRouteDeps {
  /** Where frames arrive (the active source's JPEGs). */
  frames: FrameHub;
  /** Current detections to draw with `overlay=1`, in frame pixels; null when none. */
  overlay?: () => OverlayData | null;
}

type Query = Record<string, string | undefined>;

/** A frame older than this (ms) is stale for `/frame` when the source follows demand. */
const FRESH_MS = 1000;
/** How long `/frame` waits for an on-demand source's next frame, ms. */
const FRAME_WAIT_MS = 1500;

class ParamError extends Error {}

// Documentation of the routes (OpenAPI). The query parameters are strings here and checked by
// parseParams, whose messages name the allowed values (400 INVALID_PARAMETER).
const tags = ['video'];
const quality = { type: 'string', description: 'low, medium, high, or JPEG quality 1-100 (default: the source\'s)' } as const;
const overlay = { type: 'string', description: '0 or 1 (true, false): 1 draws the detected balls and cue' } as const;
const FrameQuery = { type: 'object', properties: { quality, overlay } } as const;
const StreamQuery = { type: 'object', properties: { quality, overlay, fps: { type: 'string', description: 'frames per second 1-60 (default: every frame)' } } } as const;
const NoFrame = { ...ErrorRef, description: 'no frame yet, or video serving stopped (NO_FRAME)' };
const VideoStatus = Open({
  active: Type.Boolean(), frames: Type.Integer(), fps: Type.Number(), width: Nullable(Type.Integer({ description: 'pixels' })), height: Nullable(Type.Integer({ description: 'pixels' })),
  viewers: Type.Integer(), demand: Type.Boolean(), available: Type.Boolean(), last_frame_at: Nullable(Timestamp), encodes: Type.Integer(), sent: Type.Integer(), skipped: Type.Integer(),
});
const Switched = Open({ status: Type.Union([Type.Literal('started'), Type.Literal('stopped')]), active: Type.Boolean() });

/** Validates quality / fps / overlay query parameters. */
function parseParams(q: Query, withFps: boolean): { spec: VariantSpec; fps: number } {
  const quality = parseQuality(q.quality);
  if (quality === 'invalid') throw new ParamError(`quality must be low, medium, high or an integer 1-100 (got "${q.quality}")`);
  let fps = 0;
  if (withFps && q.fps !== undefined && q.fps !== '') {
    fps = Number(q.fps);
    if (!/^\d+(\.\d+)?$/.test(q.fps) || !(fps >= 1 && fps <= 60)) throw new ParamError(`fps must be a number 1-60 (got "${q.fps}")`);
  }
  const ov = q.overlay;
  if (ov !== undefined && !['0', '1', 'true', 'false', ''].includes(ov)) throw new ParamError(`overlay must be 0 or 1 (got "${ov}")`);
  const overlay = ov === '1' || ov === 'true';
  return { spec: { jpegQuality: quality?.jpegQuality, maxWidth: quality?.maxWidth, overlay }, fps };
}

function badRequest(reply: FastifyReply, err: Error): FastifyReply {
  return reply.code(400).send({ error: { code: ErrorCode.INVALID_PARAMETER, message: err.message } });
}

/**
 * Registers the video routes on `app` (absolute paths under `/api/v1`).
 * Open MJPEG responses end when the app closes (a `preClose` hook: otherwise `app.close()` would
 * wait for the streaming sockets).
 */
export async function registerVideoRoutes(app: FastifyInstance, deps: VideoRouteDeps): Promise<void> {
  ensureErrorSchema(app);
  const hub = deps.frames;
  const variants = new JpegVariants();
  const viewers = new Set<{ viewer: MjpegViewer; end: () => void }>();
  let active = true;
  const arrivals: number[] = []; // arrival times (ms) of the last frames, for the fps estimate
  let lastFrameAt: number | null = null;
  const unsubscribe = hub.onFrame(() => {
    const now = Date.now();
    lastFrameAt = now;
    arrivals.push(performance.now());
    if (arrivals.length > 30) arrivals.shift();
  });
  app.addHook('preClose', async () => {
    unsubscribe();
    for (const v of viewers) v.end();
  });

  const latest = (): JpegFrame | null => (active ? hub.latest() : null);
  /** Whether the source renders on demand and `f` (the newest frame) is missing or older than FRESH_MS: nobody was watching. */
  const staleOnDemand = (f: JpegFrame | null): boolean => hub.hasProducer && (!f || Date.now() - f.timestampMicros / 1000 > FRESH_MS);

  app.get('/api/v1/stream/video', { config: { policy: 'public' }, schema: { tags, summary: 'MJPEG stream (multipart/x-mixed-replace) of the camera or simulator frames', querystring: StreamQuery, response: { 200: { description: 'one JPEG part per frame', content: { 'multipart/x-mixed-replace': { schema: { type: 'string', format: 'binary' } } } } } } }, async (req, reply) => {
    let params: ReturnType<typeof parseParams>;
    try {
      params = parseParams(req.query as Query, true);
    } catch (e) {
      if (e instanceof ParamError) return badRequest(reply, e);
      throw e;
    }
    reply.hijack();
    const res = reply.raw;
    const headers: Record<string, string | number | string[]> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v as string | number | string[];
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'multipart/x-mixed-replace; boundary=frame',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const viewer = new MjpegViewer(res, (f) => variants.get(f, params.spec, deps.overlay), params.fps);
    let fresh = false;
    const off = hub.onFrame((f) => {
      if (!active) return;
      fresh = true;
      viewer.offer(f);
    });
    const release = hub.acquire(); // the source renders/encodes frames while someone watches
    const entry = {
      viewer,
      end: () => {
        off();
        release();
        viewer.close();
        viewers.delete(entry);
        if (!res.writableEnded) res.end();
      },
    };
    viewers.add(entry);
    res.on('close', entry.end);
    const first = latest();
    if (first && staleOnDemand(first)) {
      // Nobody was watching, so an on-demand source rendered nothing and the newest frame is old
      // (a picture of minutes ago, under live balls): show it only when no fresh one comes within
      // FRAME_WAIT_MS (a stopped pipeline still shows its last picture).
      const fallback = setTimeout(() => { if (!fresh && active) viewer.offer(first); }, FRAME_WAIT_MS);
      res.on('close', () => clearTimeout(fallback));
    } else if (first) {
      viewer.offer(first);
    }
  });

  app.get('/api/v1/stream/video/frame', { config: { policy: 'public' }, schema: { tags, summary: 'The newest frame as one JPEG (X-Frame-Number header)', querystring: FrameQuery, response: { 200: { description: 'a JPEG', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } }, 503: NoFrame } } }, async (req, reply) => {
    let params: ReturnType<typeof parseParams>;
    try {
      params = parseParams(req.query as Query, false);
    } catch (e) {
      if (e instanceof ParamError) return badRequest(reply, e);
      throw e;
    }
    let f = latest();
    if (active && staleOnDemand(f)) {
      // Nobody was watching, so the source stopped producing frames: ask for some and wait for one.
      hub.touch();
      f = (await hub.nextFrame(FRAME_WAIT_MS)) ?? f;
    }
    if (!f) {
      return reply.code(503).send({ error: { code: ErrorCode.NO_FRAME, message: active ? 'no video frame available yet' : 'video serving is stopped' } });
    }
    const jpeg = await variants.get(f, params.spec, deps.overlay);
    return reply
      .header('Content-Type', 'image/jpeg')
      .header('Cache-Control', 'no-cache')
      .header('X-Frame-Number', String(f.frameNumber))
      .send(jpeg);
  });

  app.get('/api/v1/stream/video/status', { config: { policy: 'public' }, schema: { tags, summary: 'Video serving: frames, fps, size, viewers, demand', response: { 200: VideoStatus } } }, async () => {
    const f = hub.latest();
    const span = arrivals.length > 1 ? arrivals[arrivals.length - 1]! - arrivals[0]! : 0;
    const recent = lastFrameAt !== null && Date.now() - lastFrameAt < 5000;
    return {
      active,
      frames: hub.count(),
      fps: recent && span > 0 ? Math.round(((arrivals.length - 1) / span) * 1000 * 100) / 100 : 0,
      width: f?.width ?? null,
      height: f?.height ?? null,
      viewers: viewers.size,
      demand: hub.wanted,
      /** Frames exist or a source produces them on demand (a client may open the stream). */
      available: hub.hasProducer || hub.count() > 0,
      last_frame_at: lastFrameAt === null ? null : new Date(lastFrameAt).toISOString(),
      encodes: variants.encodes,
      /** Parts written to / frames skipped for the open viewers (slow viewers skip). */
      sent: [...viewers].reduce((n, v) => n + v.viewer.stats.sent, 0),
      skipped: [...viewers].reduce((n, v) => n + v.viewer.stats.skipped, 0),
    };
  });

  app.post('/api/v1/stream/video/start', { config: { policy: 'admin' }, schema: { tags, summary: 'Resume serving video frames', response: { 200: Switched } } }, async () => {
    active = true;
    const f = hub.latest();
    if (f) for (const v of viewers) v.viewer.offer(f);
    return { status: 'started', active };
  });

  app.post('/api/v1/stream/video/stop', { config: { policy: 'admin' }, schema: { tags, summary: 'Stop serving video frames (viewers keep their connection)', response: { 200: Switched } } }, async () => {
    active = false;
    return { status: 'stopped', active };
  });

}
