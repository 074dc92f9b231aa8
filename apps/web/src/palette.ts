/**
 * The colours the table is painted with, shared by the renderer and the legend (so the legend can
 * never show a colour the canvas does not use).
 */
export const COLOURS = {
  rail: '#4a2b14',
  railEdge: '#2b180a',
  cushion: '#15557a',
  cloth: '#1b6a8f',
  pocket: '#050505',
  diamond: '#e9dcc0',
  /** Cue-ball path (trajectory line type `primary`). */
  primary: 'rgba(255, 255, 255, 0.9)',
  /** Object-ball path (`secondary`). */
  secondary: 'rgba(120, 220, 255, 0.9)',
  /** Path after a cushion (`reflection`, dashed). */
  reflection: 'rgba(255, 210, 90, 0.9)',
  collision: '#ff5f56',
  ghost: 'rgba(255, 255, 255, 0.75)',
  target: '#ffd400',
} as const;

/** The legend entries: what each line or mark on the table means, with its colour and dash. */
export const LEGEND: readonly { label: string; colour: string; dashed?: boolean; mark?: 'ring' | 'dot' }[] = [
  { label: 'cue-ball path', colour: COLOURS.primary },
  { label: 'object-ball path', colour: COLOURS.secondary },
  { label: 'after a cushion', colour: COLOURS.reflection, dashed: true },
  { label: 'ghost ball (contact point)', colour: COLOURS.ghost, dashed: true, mark: 'ring' },
  { label: 'target pocket', colour: COLOURS.target, mark: 'ring' },
  { label: 'collision', colour: COLOURS.collision, mark: 'dot' },
];
