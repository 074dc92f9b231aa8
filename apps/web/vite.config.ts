// Vite config of the dashboard: relative base so the server can mount dist/ anywhere, and the SDK and
// protocol packages resolved to their TypeScript sources (their exports maps name the built dist/).
import { defineConfig } from 'vite';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** Each `@tablecast/*` name (exact match) to its source, from tsconfig.base.json `paths` (one table for tsc, tsx and Vite). */
const paths = (JSON.parse(readFileSync(here('../../tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
const alias = Object.entries(paths).map(([name, [target]]) => ({ find: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`), replacement: here(`../../${target!}`) }));

export default defineConfig({
  base: './',
  root: here('.'),
  resolve: {
    alias,
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm exec vite -w apps/web` against a local server: proxy the API and WebSocket paths
    proxy: {
      '/api': { target: process.env.TABLECAST_URL ?? 'http://127.0.0.1:8000', ws: true, changeOrigin: true },
    },
  },
});
