/**
 * What a source hands to the core for every captured frame. Plain data only: it crosses a worker
 * boundary (structured clone), so no class instances or functions.
 */

/** One ball as detected in a frame, in table metres (origin top-left of the playing surface). */
export interface DetectedBall {
  /** Stable id when the source knows it (simulator, tracker); otherwise the core assigns one. */
  id?: string;
  /** 0 = cue ball, 8 = eight ball, 1-7 solids, 9-15 stripes; null/undefined when unknown. */
  number?: number | null;
  type?: 'cue' | 'solid' | 'stripe' | 'eight' | 'unknown';
  /** Centre, metres. */
  x: number;
  y: number;
  /** Radius, metres. */
  radius: number;
  /** 0..1 */
  confidence: number;
  /** Velocity, m/s, when the source measured it (tracker); otherwise the core derives it. */
  vx?: number;
  vy?: number;
  /** Tracker id, when a tracker produced the ball. */
  trackId?: number;
  /** Centre in source image pixels, when the source is a camera/image. */
  pixel?: { x: number; y: number; radius: number };
}

/** The cue stick as detected. */
export interface DetectedCue {
  /** Tip position, metres. */
  tipX: number;
  tipY: number;
  /** Shot direction in degrees: direction = (cos a, sin a) in table coordinates (x right, y down). */
  angleDeg: number;
  /** Visible length, metres. */
  length: number;
  /** 0..1 */
  confidence: number;
  /** Power of the stroke about to be played, 0..1, when the source knows it (simulator). */
  power?: number;
}

/**
 * A JPEG rendering or capture of a frame, for the MJPEG video endpoint. It normally shows the
 * detection it rides on; a source whose encoder finishes later (the simulator renders while the
 * next detections go out) names the frame the picture shows, so the stream labels the picture with
 * the instant it shows and clients draw the balls of that instant over it.
 */
export interface FrameImage {
  jpeg: Uint8Array;
  /** Pixels. */
  width: number;
  height: number;
  /** Frame number the picture shows, when not the carrying detection's. */
  frameNumber?: number;
  /** Capture time the picture shows (microseconds since the Unix epoch), when not the carrying detection's. */
  captureTimestampMicros?: number;
}

/** Table geometry as the source sees it (metres), sent when known and whenever it changes. */
export interface DetectedTable {
  width: number;
  height: number;
  pockets: { x: number; y: number; radius: number }[];
  /** Pixel corners of the playing surface (TL, TR, BR, BL) when a camera is calibrated. */
  cornersPx?: { x: number; y: number }[];
  /** 3x3 row-major homography pixel -> table metres, when calibrated. */
  homography?: number[];
  imageWidth?: number;
  imageHeight?: number;
}

/** Everything a source produced for one frame. */
export interface Detection {
  /** Monotonic frame counter of the source. */
  frameNumber: number;
  /** When the frame was captured, microseconds since the Unix epoch. */
  captureTimestampMicros: number;
  balls: DetectedBall[];
  cue: DetectedCue | null;
  table?: DetectedTable;
  frame?: FrameImage;
}

/** Where the loop gets detections from (the source host's bounded hand-off). */
export interface DetectionFeed {
  /** Removes and returns the buffered detections, oldest first. */
  take(): Detection[];
  /** Drops counted by the hand-off so far (for `bottlenecks`). */
  dropped(): number;
}
