/** The streams whose payloads carry balls in table metres (`state`) or lines and collisions (`trajectory`). */
export const BALL_STREAMS: ReadonlySet<string> = new Set(['state', 'trajectory']);
