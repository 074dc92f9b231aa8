/**
 * Dashboard entry: connects the SDK, feeds states into the interpolator, draws the table at display
 * refresh rate with requestAnimationFrame (message handling never waits for drawing and vice versa),
 * and mounts the panels. `?server=http://host:port/` points the page at another server.
 */
import { TablecastClient, type Filters, type TrajectoryPayload } from '@tablecast/client';
import { StateInterpolator, type InterpolatedState } from './interpolation.js';
import { TableRenderer } from './table-renderer.js';
import { TableView, tableGeometry, type TableGeometry } from './view.js';
import { mountConnectionPanel } from './panels/connection.js';
import { mountFeed } from './panels/feed.js';
import { mountHealth } from './panels/health.js';
import { mountFilters, readFilters } from './panels/filters.js';
import { VideoUnderlay } from './panels/video.js';
import { byId } from './panels/dom.js';
import { mountGamePanel } from './panels/game.js';
import { mountShotList, describeShot } from './panels/shots.js';
import { mountLegend } from './panels/legend.js';
import { ShotReplayer } from './replay.js';
import { installDebugHook } from './debug.js';

const params = new URLSearchParams(location.search);
const apiBase = new URL(params.get('server') ?? '/', location.href).toString();

const client = new TablecastClient({
  url: new URL('api/v1/ws', apiBase).toString(),
  encoding: params.get('encoding') === 'msgpack' ? 'msgpack' : 'json',
  pingIntervalMs: 2000,
});
const interp = new StateInterpolator();
const view = new TableView();
const canvas = byId<HTMLCanvasElement>('table');
const ctx = canvas.getContext('2d', { alpha: true });
if (!ctx) throw new Error('no 2D canvas context');
const renderer = new TableRenderer(ctx, view);
const video = new VideoUnderlay(byId<HTMLCanvasElement>('video'), byId<HTMLInputElement>('f-video'), apiBase);

let trajectory: TrajectoryPayload | null = null;
let table: TableGeometry = tableGeometry(null);
let lastFrame: InterpolatedState | null = null;
let framesDrawn = 0;
let cssW = 0;
let cssH = 0;

const showGame = mountGamePanel();
client.on('state', (state, env) => {
  interp.push(state, env.timestamp, performance.now());
  if (state.table) table = tableGeometry(state.table);
  showGame(state);
});
mountLegend();

// Replaying a shot: the recorded positions instead of the live table until it ends or is stopped.
let replay: { player: ShotReplayer; startedMs: number } | null = null;
const replayBanner = byId('replay-banner');
const stopReplay = () => {
  replay = null;
  replayBanner.hidden = true;
};
byId('replay-stop').addEventListener('click', stopReplay);
mountShotList(client, apiBase, (shot) => {
  if (!shot.replay) return;
  const label = shot.result ? `Shot ${shot.result.shot}` : 'the shot';
  replay = { player: new ShotReplayer(shot.replay, interp.latest, label), startedMs: performance.now() };
  replayBanner.title = describeShot(shot);
  byId('replay-label').textContent = `replaying ${replay.player.label}`;
  replayBanner.hidden = false;
});
client.on('trajectory', (t) => {
  trajectory = t.lines.length > 0 || t.collisions.length > 0 ? t : null;
});
mountFeed(client, (e) => {
  if (e.event === 'shot_started' || e.event === 'cue_lost') trajectory = null;
});
mountConnectionPanel(client, () => lastFrame?.balls.length ?? 0);
mountHealth(apiBase, (l) => client.onStatus(l));

const subscribeTable = async (filters: Filters) => {
  await client.subscribe(['state', 'trajectory'], filters);
};
mountFilters(subscribeTable);

function resize(): void {
  const rect = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  cssW = rect.width;
  cssH = rect.height;
  canvas.width = Math.max(1, Math.round(cssW * dpr));
  canvas.height = Math.max(1, Math.round(cssH * dpr));
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
}
new ResizeObserver(resize).observe(canvas);
resize();

function frame(now: number): void {
  if (replay && replay.player.done((now - replay.startedMs) / 1000)) stopReplay();
  // Over the video the balls of the instant the picture shows (its capture time), painted in this
  // same animation frame, so a moving ball and its picture are one. A replay is drawn on the plain
  // table (the video shows the live table).
  video.suspend(replay !== null);
  const picture = video.present();
  const underlay = video.visible && !replay;
  lastFrame = replay
    ? replay.player.frameAt((now - replay.startedMs) / 1000)
    : underlay && picture?.captureMs != null
      ? interp.sampleAtCapture(picture.captureMs)
      : interp.sample(now, underlay ? 0 : undefined);
  view.fit(cssW, cssH, table);
  if (underlay) video.align(view);
  renderer.draw({ frame: lastFrame, trajectory: replay ? null : trajectory, videoUnderlay: underlay }, cssW, cssH);
  framesDrawn++;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

installDebugHook({
  client,
  canvas,
  view,
  lastState: () => interp.latest,
  lastFrame: () => lastFrame,
  trajectory: () => trajectory,
  framesDrawn: () => framesDrawn,
  videoVisible: () => video.visible,
  video: () => video.stats,
  replaying: () => replay?.player.label ?? null,
});

void video.start();
// After a reconnect (a server restart) the old MJPEG request is dead: open a new one.
client.onStatus((s) => {
  if (s.type === 'connected' && s.reconnected) void video.restart();
});
void client.connect().catch((err: unknown) => console.warn('tablecast: connect failed', err));
void Promise.all([subscribeTable(readFilters()), client.subscribe(['event', 'alert'])]).catch((err: unknown) =>
  console.warn('tablecast: subscribe failed', err),
);
