import sharp from 'sharp';
// usage: src out size zoom x,y x,y ...
const [src, out, sizeS, zoomS, ...pts] = process.argv.slice(2);
const size = Number(sizeS), zoom = Number(zoomS), T = size * zoom;
const tiles = [];
for (const p of pts) {
  const [cx, cy] = p.split(',').map(Number);
  const left = Math.round(cx - size / 2), top = Math.round(cy - size / 2);
  const buf = await sharp(src).extract({ left, top, width: size, height: size }).resize(T, T, { kernel: 'nearest' }).png().toBuffer();
  let svg = `<svg width="${T}" height="${T}" xmlns="http://www.w3.org/2000/svg">`;
  for (let i = 0; i <= size; i++) {
    const x = i * zoom; const v = left + i; const major = v % 5 === 0;
    if (major) svg += `<line x1="${x}" y1="0" x2="${x}" y2="${T}" stroke="${v % 10 === 0 ? 'red' : 'yellow'}" stroke-width="1" opacity="0.6"/>`;
    const vy = top + i;
    if (vy % 5 === 0) svg += `<line x1="0" y1="${x}" x2="${T}" y2="${x}" stroke="${vy % 10 === 0 ? 'red' : 'yellow'}" stroke-width="1" opacity="0.6"/>`;
  }
  svg += `<text x="2" y="14" font-size="14" fill="white" stroke="black" stroke-width="0.5">${left},${top}</text></svg>`;
  tiles.push(await sharp(buf).composite([{ input: Buffer.from(svg) }]).png().toBuffer());
}
const cols = Math.min(4, tiles.length), rows = Math.ceil(tiles.length / cols);
await sharp({ create: { width: cols * (T + 4), height: rows * (T + 4), channels: 3, background: 'black' } })
  .composite(tiles.map((t, i) => ({ input: t, left: (i % cols) * (T + 4), top: Math.floor(i / cols) * (T + 4) })))
  .png().toFile(out);
