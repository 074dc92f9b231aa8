// Writes .br and .gz copies of the dashboard's text assets (dist/**/*.{js,css,html,svg}) after
// `vite build`, so the server sends them compressed (@fastify/static `preCompressed`) without
// compressing on every request. Usage: node compress-dist.mjs [dist]
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? new URL('./dist/', import.meta.url).pathname;
let files = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (/\.(js|css|html|svg)$/.test(name)) {
      const data = readFileSync(full);
      writeFileSync(`${full}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      writeFileSync(`${full}.gz`, gzipSync(data, { level: 9 }));
      files++;
    }
  }
}
walk(dist);
console.log(`compressed ${files} dashboard files (.br, .gz)`);
