/**
 * Shorthands for configuration sections written with TypeBox: a bounded integer or number with a
 * default, and a closed object whose own default is `{}` (so a section may be left out entirely and
 * every key gets its default). Each package declares its own sections with these; the server
 * assembles them into one schema.
 */
import { Type, type TProperties, type TObject, type TInteger, type TNumber } from '@sinclair/typebox';

/** An integer setting with a default and inclusive bounds. */
export function IntSetting(def: number, min: number, max: number, description?: string): TInteger {
  return Type.Integer({ default: def, minimum: min, maximum: max, ...(description ? { description } : {}) });
}

/** A number setting with a default and inclusive bounds (units in the key's suffix: `_s`, `_m`, ...). */
export function NumSetting(def: number, min: number, max: number, description?: string): TNumber {
  return Type.Number({ default: def, minimum: min, maximum: max, ...(description ? { description } : {}) });
}

/** A configuration section: no unknown keys, and `{}` when absent. */
export function Section<T extends TProperties>(props: T): TObject<T> {
  return Type.Object(props, { additionalProperties: false, default: {} });
}
