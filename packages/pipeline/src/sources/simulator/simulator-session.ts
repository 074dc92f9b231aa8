/**
 * The simulator's game: a deterministic 8-ball session on the table, in virtual time (seconds),
 * driven by the physics package. It racks, breaks, then plays shot after shot chosen by
 * {@link pickShot} among the balls the player to shoot may play (the core's eight-ball rules, fed
 * with the physics' truth: the own group once groups are taken, then the 8); before each shot a cue stick approaches the cue ball, aims (small wobble),
 * pauses, strokes and strikes; the balls then move as `simulateShot` computed. Pocketed balls leave
 * the table; a pocketed cue ball (scratch) is respotted behind the head string. The table is
 * re-racked when the 8 ball drops, the object balls are gone, or after `maxShotsPerRack` shots.
 *
 * Phase durations (seconds): idle 0.6, approach 1.0, aim 1.2, pause 0.5, stroke 0.3, rolling
 * (physics), settle 0.8, re-rack 1.0.
 */
import { rackEightBall, simulateShot, powerToSpeed, type BallInput, type createTable } from '@tablecast/physics';
import type { Rng } from './rng.js';
import { pickShot } from './shot-picker.js';
import { EightBallRules, legalFirstContact } from '../../core/eight-ball-rules.js';
import type { GameEvent } from '../../core/game-events.js';

type PhysicsTable = ReturnType<typeof createTable>;
type Simulation = ReturnType<typeof simulateShot>;

/** A ball's true state at a frame (metres, m/s). */
export interface SimBall {
  id: string;
  number: number;
  x: number;
  y: number;
  moving: boolean;
}

/** The cue stick's true pose (metres, degrees; power 0..1). */
export interface SimCue {
  tipX: number;
  tipY: number;
  angleDeg: number;
  length: number;
  power: number;
}

/** The truth at one instant. */
export interface SimFrame {
  /** Virtual time, seconds since the session started. */
  time: number;
  phase: Phase;
  balls: SimBall[];
  cue: SimCue | null;
  /** Shots played since the session started. */
  shots: number;
  racks: number;
}

/** Session phases. */
export type Phase = 'idle' | 'approach' | 'aim' | 'pause' | 'stroke' | 'rolling' | 'settle' | 'rerack';

/** Session settings. */
export interface SessionOptions {
  /** Re-rack after this many shots (default 30: most simulated games end with the 8-ball first; a cap for a stuck table). */
  maxShotsPerRack?: number;
  /** Aim error standard deviation, degrees (default 0.6). */
  aimErrorDeg?: number;
  /** Speed-up of the idle/approach/aim/pause/settle phases (1 = human pace). */
  paceFactor?: number;
}

const CUE_LENGTH = 1.45;
const DUR: Record<Exclude<Phase, 'rolling'>, number> = { idle: 0.6, approach: 1.0, aim: 1.2, pause: 0.5, stroke: 0.3, settle: 0.8, rerack: 1.0 };
const numberOf = (id: string): number => (id === 'cue' ? 0 : Number(id));
/** A game event of the simulated game's truth (frame fields unused by the rules). */
const truthEvent = (event: GameEvent['event'], extra: Record<string, unknown> = {}): GameEvent => ({ event, frame_number: 0, capture_timestamp: '', ...extra });

/** See the module comment. */
export class SimulatorSession {
  private balls: BallInput[] = [];
  private phase: Phase = 'idle';
  private scratched = false;
  private eightPocketed = false;
  private phaseStart = 0;
  private time = 0;
  private shots = 0;
  private racks = 0;
  private shotsThisRack = 0;
  private aimDeg = 0;
  private power = 0.3;
  private wobblePhase = 0;
  private approachOffsetDeg = 0;
  private sim: Simulation | null = null;
  /**
   * The game as the simulated players know it (the core's own rules, fed with the physics' truth):
   * each plays a ball of the group the rules gave him, so the demo's games follow eight-ball.
   */
  private readonly rules = new EightBallRules();
  private readonly onTable = { balls: () => this.balls.map((b) => ({ number: b.number ?? numberOf(b.id) })) };
  private readonly R: number;
  private readonly opts: Required<SessionOptions>;

  constructor(
    private readonly table: PhysicsTable,
    private readonly rng: Rng,
    options: SessionOptions = {},
  ) {
    this.opts = { maxShotsPerRack: 30, aimErrorDeg: 0.6, paceFactor: 1, ...options };
    this.R = (table as { ballRadius?: number }).ballRadius ?? 0.028575;
    this.rack();
  }

  private rack(): void {
    this.balls = rackEightBall(this.table, () => this.rng.next()).map((b) => ({ id: b.id, number: b.number ?? numberOf(b.id), x: b.x, y: b.y }));
    this.racks++;
    this.shotsThisRack = 0;
    this.rules.apply([truthEvent('game_started')], this.onTable);
  }

  /** May the player to shoot play object ball `n` first (eight-ball: the own group, then the 8)? */
  private legalTarget(n: number | undefined): boolean {
    const g = this.rules.current(this.onTable);
    const group = g.players[g.turn]!.group;
    if (group === null) return n !== 8; // open table: any ball but the 8 (the picker's choice, not a rule)
    const left = group === 'solids' ? g.balls_left.solids : g.balls_left.stripes;
    return legalFirstContact(n ?? null, group, left === 0);
  }

  private duration(p: Exclude<Phase, 'rolling'>): number {
    return p === 'stroke' ? DUR.stroke : DUR[p] / this.opts.paceFactor;
  }

  private enter(p: Phase): void {
    this.phase = p;
    this.phaseStart = this.time;
  }

  private cueBall(): BallInput | undefined {
    return this.balls.find((b) => b.id === 'cue');
  }

  private planShot(): void {
    const cue = this.cueBall()!;
    if (this.shotsThisRack === 0) {
      // Break: hard, at the rack apex (the object ball nearest the foot spot), tiny error.
      const apex = this.balls.filter((b) => b.id !== 'cue').reduce((a, b) =>
        Math.hypot(b.x - this.table.footSpot.x, b.y - this.table.footSpot.y) < Math.hypot(a.x - this.table.footSpot.x, a.y - this.table.footSpot.y) ? b : a);
      this.aimDeg = (Math.atan2(apex.y - cue.y, apex.x - cue.x) * 180) / Math.PI + this.rng.gaussian(0, 0.3);
      this.power = 0.85 + this.rng.uniform(0, 0.1);
    } else {
      const shot = pickShot(
        this.balls.map((b) => ({ id: b.id, number: b.number ?? numberOf(b.id), x: b.x, y: b.y })),
        'cue',
        this.table.pockets,
        this.rng,
        { radius: this.R, aimErrorDeg: this.opts.aimErrorDeg, legal: (n) => this.legalTarget(n) },
      );
      this.aimDeg = shot?.angleDeg ?? this.rng.uniform(-180, 180);
      this.power = shot?.power ?? 0.3;
    }
    this.approachOffsetDeg = this.rng.uniform(-10, 10);
    this.wobblePhase = this.rng.uniform(0, 2 * Math.PI);
  }

  private strike(): void {
    this.sim = simulateShot(this.table, this.balls, 'cue', { angleDeg: this.aimDeg, speed: powerToSpeed(this.power) });
    this.shots++;
    this.shotsThisRack++;
    this.rules.apply([truthEvent('shot_started')], this.onTable);
  }

  /**
   * The balls came to rest: the table now holds the shot's final positions (pocketed balls gone),
   * so the `settle` phase shows where the balls stopped.
   */
  private applyShotResult(): void {
    const sim = this.sim!;
    this.sim = null;
    const byId = new Map(sim.final.map((f) => [f.id, f]));
    const next: BallInput[] = [];
    this.scratched = false;
    this.eightPocketed = false;
    for (const b of this.balls) {
      const f = byId.get(b.id);
      if (!f) continue;
      if (f.pocketed) {
        if (b.id === 'cue') this.scratched = true;
        if (b.id === '8') this.eightPocketed = true;
        continue;
      }
      next.push({ id: b.id, number: b.number ?? numberOf(b.id), x: f.x, y: f.y });
    }
    this.balls = next;
    // The shot's truth for the players' rules: what went down, the ball the cue ball hit first,
    // whether a ball reached a cushion after that contact and how many object balls did.
    const hit = sim.events.find((e) => e.type === 'ball_ball' && e.ballIds.includes('cue'));
    const firstContact = hit ? numberOf(hit.ballIds.find((id) => id !== 'cue') ?? 'cue') : null;
    const rail = hit ? { rail_after_contact: sim.events.some((e) => e.type === 'ball_cushion' && e.time > hit.time) } : {};
    const driven = new Set(sim.events.filter((e) => e.type === 'ball_cushion' && e.ballIds[0] !== 'cue').map((e) => e.ballIds[0])).size;
    const events = sim.pocketed.flatMap((id) => [truthEvent('ball_pocketed', { number: numberOf(id) }), ...(id === 'cue' ? [truthEvent('scratch')] : [])]);
    this.rules.apply([...events, truthEvent('balls_stopped', { first_contact: firstContact, balls_to_cushion: driven, ...rail })], this.onTable);
  }

  /** End of `settle`: re-rack, or respot a scratched cue ball and go on. */
  private finishShot(): void {
    const objects = this.balls.filter((b) => b.id !== 'cue').length;
    if (this.eightPocketed || objects === 0 || this.shotsThisRack >= this.opts.maxShotsPerRack) {
      this.enter('rerack');
      return;
    }
    if (this.scratched) this.respotCue();
    this.enter('idle');
  }

  /** Puts the cue ball behind the head string, on the first free spot along the long axis. */
  private respotCue(): void {
    const y0 = this.table.height / 2;
    const x = this.table.headStringX * 0.8;
    for (let k = 0; k < 40; k++) {
      const y = y0 + (k % 2 === 0 ? 1 : -1) * Math.ceil(k / 2) * 2.2 * this.R;
      if (this.balls.every((b) => Math.hypot(b.x - x, b.y - y) > 2.05 * this.R)) {
        this.balls.push({ id: 'cue', number: 0, x, y });
        return;
      }
    }
    this.balls.push({ id: 'cue', number: 0, x, y: y0 });
  }

  /** Advances virtual time by `dt` seconds and returns the truth at the new time. */
  step(dt: number): SimFrame {
    this.time += dt;
    for (let guard = 0; guard < 8; guard++) {
      const el = this.time - this.phaseStart;
      if (this.phase === 'rolling') {
        if (el < this.sim!.duration) break;
        this.applyShotResult();
        this.enter('settle');
        continue;
      }
      if (el < this.duration(this.phase)) break;
      const from = this.phase;
      if (from === 'idle') {
        if (!this.cueBall()) this.respotCue();
        this.planShot();
        this.enter('approach');
      } else if (from === 'approach') this.enter('aim');
      else if (from === 'aim') this.enter('pause');
      else if (from === 'pause') this.enter('stroke');
      else if (from === 'stroke') {
        this.strike();
        this.enter('rolling');
      } else if (from === 'settle') this.finishShot();
      else if (from === 'rerack') {
        this.rack();
        this.enter('idle');
      }
    }
    return this.frame();
  }

  private frame(): SimFrame {
    const el = this.time - this.phaseStart;
    let balls: SimBall[];
    if (this.phase === 'rolling' && this.sim) {
      balls = [];
      for (const p of this.sim.positionsAt(el)) {
        if (p.pocketed) continue;
        balls.push({ id: p.id, number: numberOf(p.id), x: p.x, y: p.y, moving: p.moving });
      }
    } else {
      balls = this.balls.map((b) => ({ id: b.id, number: b.number ?? numberOf(b.id), x: b.x, y: b.y, moving: false }));
    }
    return { time: this.time, phase: this.phase, balls, cue: this.cuePose(el), shots: this.shots, racks: this.racks };
  }

  /** Distance from the cue-ball surface to the tip, and angle offset, for the current phase. */
  private cuePose(el: number): SimCue | null {
    const cue = this.cueBall();
    if (!cue) return null;
    let gap: number;
    let off = 0;
    switch (this.phase) {
      case 'approach': {
        const f = Math.min(1, el / this.duration('approach'));
        const ease = 1 - (1 - f) * (1 - f);
        gap = 0.4 - 0.34 * ease;
        off = this.approachOffsetDeg * (1 - ease);
        break;
      }
      case 'aim':
        gap = 0.06 + 0.0015 * Math.sin(2 * Math.PI * 0.8 * el);
        off = 0.25 * Math.sin(2 * Math.PI * 1.3 * el + this.wobblePhase);
        break;
      case 'pause':
        gap = 0.06;
        off = 0.25 * Math.sin(this.wobblePhase + 2 * Math.PI * 1.3 * this.duration('aim'));
        break;
      case 'stroke': {
        const f = el / DUR.stroke;
        gap = f < 0.5 ? 0.06 + 0.18 * f : 0.15 * (1 - (f - 0.5) * 2);
        break;
      }
      case 'rolling':
        if (el > 0.25) return null;
        gap = -0.02 + 0.4 * el;
        break;
      default:
        return null;
    }
    const a = ((this.aimDeg + off) * Math.PI) / 180;
    const d = this.R + gap;
    return { tipX: cue.x - Math.cos(a) * d, tipY: cue.y - Math.sin(a) * d, angleDeg: this.aimDeg + off, length: CUE_LENGTH, power: this.power };
  }
}
