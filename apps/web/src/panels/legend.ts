/**
 * The legend under the table: what each line and mark means, in the colours the renderer uses
 * (palette.ts LEGEND).
 */
import { LEGEND } from '../palette.js';
import { byId } from './dom.js';

/** Fills `#legend`. */
export function mountLegend(): void {
  const list = byId('legend');
  list.replaceChildren(...LEGEND.map((entry) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = `swatch${entry.dashed ? ' dashed' : ''}${entry.mark ? ` ${entry.mark}` : ''}`;
    // CSSOM, not an inline style attribute: the page's Content-Security-Policy allows it.
    if (entry.mark === 'dot') swatch.style.background = entry.colour;
    else swatch.style.borderColor = entry.colour;
    swatch.setAttribute('aria-hidden', 'true');
    li.append(swatch, entry.label);
    return li;
  }));
}
