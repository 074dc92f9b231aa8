/**
 * @tablecast/vision: frames from a camera, a video file or a still image turned into detections in
 * table metres. Classical computer vision over typed arrays (no learned model).
 *
 * Units: pixels in image space, metres and m/s in the table frame (origin top-left corner of the
 * playing surface, x along the long rail, y across, pointing down on screen), angles in degrees.
 */
export { type RgbImage, type Frame, decodeImage, decodeImageBuffer, encodeJpeg, downsample } from './image.js';
export { type Point, type Mat3, homographyFrom4, applyHomography, invert3, localScale } from './homography.js';
export {
  type TableCalibration, type CalibrationOptions, type Pocket,
  calibrateTable, pixelToTable, tableToPixel, tableToPixels4k, pixels4kToTable,
  BALL_RADIUS_M, TABLE_9FT, POCKET_RADIUS_M,
} from './calibration.js';
export { type Ball, type BallDetectionOptions, detectBalls } from './balls.js';
export { type BallIdentity, type BallColourStats, classifyBall, ballColourStats } from './ball-identity.js';
export { type Cue, type CueDetectionOptions, detectCue } from './cue.js';
export { type TrackedBall, type BallTrackerOptions, BallTracker } from './tracker.js';
export { KalmanCV, type KalmanOptions } from './kalman.js';
export { hungarian } from './hungarian.js';
export { type VisionPipelineOptions, type VisionResult, VisionPipeline } from './pipeline.js';
export { type FrameSource, type OverflowPolicy, FrameQueue } from './sources/frame-source.js';
export { type VideoSourceOptions, type CameraSourceOptions, openVideoSource, openCameraSource } from './sources/ffmpeg-source.js';
export { type ImageSourceOptions, openImageSource } from './sources/image-source.js';
export { type ClothModel, type Hsv, rgbToHsv, hueDistance, clothDistance } from './color.js';
