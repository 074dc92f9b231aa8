/**
 * Subscription filter controls (max fps, ball ids, min confidence): on apply, `state` and
 * `trajectory` are resubscribed live with the new filters.
 */
import type { Filters } from '@tablecast/client';
import { byId } from './dom.js';

/** Reads the form into filters; empty fields are left out. */
export function readFilters(): Filters {
  const fps = Number(byId<HTMLInputElement>('f-fps').value);
  const ids = byId<HTMLInputElement>('f-balls')
    .value.split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const conf = Number(byId<HTMLInputElement>('f-conf').value);
  const f: Filters = {};
  if (fps > 0) f.max_fps = fps;
  if (ids.length > 0) f.ball_ids = ids;
  if (conf > 0) f.min_confidence = conf;
  return f;
}

/** Wires the form; `apply` receives the filters and resolves once resubscribed. */
export function mountFilters(apply: (f: Filters) => Promise<void>): void {
  const form = byId<HTMLFormElement>('filters');
  const conf = byId<HTMLInputElement>('f-conf');
  const out = byId<HTMLOutputElement>('f-conf-out');
  conf.addEventListener('input', () => (out.textContent = Number(conf.value).toFixed(2)));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    apply(readFilters())
      .catch((err: unknown) => console.warn('resubscribe failed', err))
      .finally(() => {
        if (button) button.disabled = false;
      });
  });
}
