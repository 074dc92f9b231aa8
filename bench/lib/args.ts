/**
 * Command-line options of the benchmarks: `--name value` pairs read from `process.argv`.
 */

/** The value after `--name`, or `def` when the option is absent or has no value. */
export function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : def;
}

/** {@link arg} as a number (`Number(value)`; NaN for a value that is not one). */
export function numArg(name: string, def: number): number {
  return Number(arg(name, String(def)));
}
