/**
 * @tablecast/physics: event-based billiards simulation (pooltool / Leckie & Greenspan 2006 model)
 * and shot prediction, pure TypeScript, SI units, table frame per docs/DEVELOPING.md.
 */
export { DEFAULT_PHYSICS, BALL_RADIUS, NUMERIC, resolvePhysics, type PhysicsParams } from './constants.js';
export { TABLE_PRESETS, createTable, isOnTable, type Table, type TableOptions, type TablePreset, type Pocket, type CushionSegment, type JawPoint } from './table.js';
export { solveQuadratic, solveQuartic, realRootsInRange, firstEntry, evalPoly, ROOT_TOLERANCE } from './quartic.js';
export { type MotionState, type Kinematics, type Segment } from './ball-motion.js';
export { resolveBallBall, cutAngleDeg, type CollisionModel } from './collisions.js';
export { resolveCushion, type CushionModel } from './cushion.js';
export { powerToSpeed, strikeKinematics, MAX_CUE_SPEED, MAX_TIP_OFFSET, type CueStrike } from './strike.js';
export { type PhysicsEvent, type PhysicsEventType, type BallHistory } from './engine.js';
export { simulate, simulateShot, type BallInput, type SimOptions, type SimulationResult, type BallSnapshot } from './simulate.js';
export { rackEightBall, RACK_GAP } from './rack.js';
export { predictShot, TANGENT_LINE_LENGTH, type Prediction, type PathPoint, type LineSegment } from './predict.js';
export { predictionToTrajectory, CONFIDENCE_DECAY } from './trajectory-message.js';
