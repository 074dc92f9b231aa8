/**
 * @tablecast/pipeline: the billiards pipeline, from a detection source to the streams it publishes.
 *
 *   source (worker thread: simulator, replay, image/video/camera through @tablecast/vision)
 *     -> bounded hand-off -> integration loop (validation, ball tracks, game state, game events,
 *        state gate) -> trajectory (physics prediction, in a worker thread or inline)
 *     -> StreamPort.publish (retry with backoff, circuit breaker) and FrameSink.push (JPEG frames)
 *
 * It declares the ports it needs ({@link StreamPort}, {@link FrameSink}) and its configuration
 * sections ({@link IntegrationSection}, {@link SourceSection}, {@link TableSection}); it imports
 * @tablecast/protocol, @tablecast/physics, @tablecast/vision and @tablecast/common, never the gateway
 * or the server. Units: metres and seconds on the table, pixels in images.
 */
export { createPipeline, type Pipeline, type PipelineDeps, type PipelineHealth } from './pipeline.js';
export type { FrameSink, PublishOptions, PublishReceipt, StreamPort } from './ports.js';
export { FrameHub, type JpegFrame } from './frames/frame-hub.js';
export { IntegrationSection, SourceSection, TableSection, type PipelineConfig } from './config.js';
export { recordToFile, type Recorder, type RecordOptions } from './sources/recorder.js';
export { preflightSource, findExecutable, SourceUnavailableError } from './sources/source-preflight.js';
export { parseSourceSpec, type Source, type SourceHealth, type SourceOptions, type SourceSpec } from './sources/source.js';
export { createVisionSource, detectionOf, tableOf } from './sources/vision-source.js';
export { detectionFromState, type RecordedLine } from './sources/replay-source.js';
export type { Detection, DetectedBall, DetectedCue, DetectedTable, FrameImage } from './core/detection.js';
// Building blocks for benchmarks and tools that drive the stages directly.
export { PipelineCore, type PipelineCoreOptions, type IngestResult } from './loop/pipeline-core.js';
export { StateGate, type StateGateOptions, type StatePublishReason } from './core/state-gate.js';
export { SimulatorSession, type SimFrame, type SessionOptions } from './sources/simulator/simulator-session.js';
export { TableRenderer, type RenderOptions } from './sources/simulator/simulator-render.js';
export { observe as observeSimFrame } from './sources/simulator/simulator-source.js';
export { createRng, type Rng } from './sources/simulator/rng.js';
export { SourceHost, type SourceHostOptions, type SourceHostHealth, type SourceFailure, type SourceStatus } from './sources/source-host.js';
export { createPipelineMetrics, type PipelineMetrics } from './metrics/pipeline-metrics.js';
