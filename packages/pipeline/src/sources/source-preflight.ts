/**
 * Checks at start-up that the configured source can start at all, so a server that could only
 * retry forever fails at once with one clear line (the CLI exits 1) instead of binding its port
 * and reporting healthy: the spec parses, the file of `replay:`/`image:`/`video:` (and
 * `source.background`) is a readable file, the device of `camera:` exists, and for `video:` and
 * `camera:` the ffmpeg binary (`source.ffmpeg_path`) is there and executable.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { parseSourceSpec } from './source.js';

/** The source cannot start: the message is the one line to show. */
export class SourceUnavailableError extends Error {}

/** Whether `path` is an executable file. */
function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds `bin` (a path, or a name looked up on `PATH`).
 * @returns the executable's path, or null when there is none
 */
export function findExecutable(bin: string, envPath = process.env.PATH ?? ''): string | null {
  if (bin.includes('/')) return executable(bin) ? bin : null;
  for (const dir of envPath.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, bin);
    if (executable(p)) return p;
  }
  return null;
}

function readableFile(path: string, what: string): void {
  let isFile: boolean;
  try {
    accessSync(path, constants.R_OK);
    isFile = statSync(path).isFile();
  } catch {
    throw new SourceUnavailableError(`source: ${what} ${path} does not exist or cannot be read`);
  }
  if (!isFile) throw new SourceUnavailableError(`source: ${what} ${path} is not a file`);
}

/**
 * Checks the source of `spec` (see the module comment).
 * @param options.ffmpegPath `source.ffmpeg_path`
 * @param options.background `source.background`, when set
 * @throws SourceUnavailableError with a one-line reason
 */
export function preflightSource(spec: string, options: { ffmpegPath: string; background?: string | undefined }): void {
  let parsed;
  try {
    parsed = parseSourceSpec(spec);
  } catch (err) {
    throw new SourceUnavailableError((err as Error).message);
  }
  const { kind, arg } = parsed;
  if (kind === 'replay') readableFile(arg!, 'replay file');
  if (kind === 'image') readableFile(arg!, 'image');
  if (kind === 'video') readableFile(arg!, 'video file');
  if (kind === 'camera' && isAbsolute(arg!)) {
    try {
      accessSync(arg!, constants.R_OK);
    } catch {
      throw new SourceUnavailableError(`source: camera device ${arg} does not exist or cannot be read`);
    }
  }
  if ((kind === 'video' || kind === 'camera') && !findExecutable(options.ffmpegPath)) {
    throw new SourceUnavailableError(`source: ${kind} needs ffmpeg, and "${options.ffmpegPath}" was not found (install it, e.g. apt-get install ffmpeg, or set source.ffmpeg_path)`);
  }
  if (options.background && (kind === 'image' || kind === 'video' || kind === 'camera')) readableFile(options.background, 'background image');
}
