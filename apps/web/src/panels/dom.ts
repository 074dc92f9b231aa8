/**
 * Tiny DOM helpers shared by the panels.
 */

/**
 * The element with `id`, typed.
 * @throws Error when the page lacks it (index.html and the code disagree)
 */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id} in index.html`);
  return el as T;
}

/** Local wall-clock time `HH:MM:SS` of a wire timestamp (or now). */
export function clock(timestamp?: string): string {
  const d = timestamp ? new Date(timestamp) : new Date();
  return Number.isNaN(d.getTime()) ? '--:--:--' : d.toTimeString().slice(0, 8);
}

/** Prepends an `<li>` to `list`, keeping at most `max` items. */
export function prepend(list: HTMLElement, item: HTMLElement, max = 50): void {
  list.prepend(item);
  while (list.children.length > max) list.lastElementChild?.remove();
}
