/**
 * Builds short test videos from the real photos: balls cut out of table_w_balls.jpg (circular
 * sprites) are pasted onto empty_table.jpg at scripted positions, frame PNGs are written to a temp
 * directory and encoded with ffmpeg (H.264, CRF 14) into a small mp4. Nothing is committed; the
 * caller deletes the directory. The photos are GPL-3.0 (jchadwick/billiards-trainer).
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { EMPTY_TABLE, TABLE_W_BALLS } from './fixtures.js';

/** A sprite source: ball centre in table_w_balls.jpg, pixels. */
export interface SpriteSource {
  x: number;
  y: number;
}

/** Pixel position of each sprite in each frame; null = not drawn (occluded). */
export type Script = (frame: number) => ({ x: number; y: number } | null)[];

const R = 15; // sprite radius, pixels (ball ~13.5 px plus its anti-aliased rim)

/** Cuts circular RGBA sprites (2R+1 square) around the given centres. */
async function sprites(list: SpriteSource[]): Promise<Buffer[]> {
  const mask = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${2 * R + 1}" height="${2 * R + 1}"><circle cx="${R + 0.5}" cy="${R + 0.5}" r="${R - 0.5}" fill="#fff"/></svg>`);
  return Promise.all(list.map((s) => sharp(TABLE_W_BALLS)
    .extract({ left: Math.round(s.x) - R, top: Math.round(s.y) - R, width: 2 * R + 1, height: 2 * R + 1 })
    .ensureAlpha()
    .composite([{ input: mask, blend: 'dest-in' }])
    .png()
    .toBuffer()));
}

/**
 * Renders `frames` frames and encodes them at `fps`.
 * @returns the directory (delete it) and the mp4 path
 */
export async function makeVideo(list: SpriteSource[], script: Script, frames: number, fps: number): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tablecast-vision-'));
  const sp = await sprites(list);
  const base = await sharp(EMPTY_TABLE).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  await Promise.all(Array.from({ length: frames }, async (_, f) => {
    const pos = script(f);
    const layers = pos.flatMap((p, i) => (p ? [{ input: sp[i]!, left: Math.round(p.x) - R, top: Math.round(p.y) - R }] : []));
    await sharp(base.data, { raw: base.info }).composite(layers).png({ compressionLevel: 1 }).toFile(join(dir, `f${String(f).padStart(4, '0')}.png`));
  }));
  const path = join(dir, 'clip.mp4');
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-framerate', String(fps), '-i', join(dir, 'f%04d.png'),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '14', '-pix_fmt', 'yuv420p', path]);
  return { dir, path };
}
