// Vite config of the dashboard: relative base so the server can mount dist/ anywhere, and the SDK and
// protocol packages resolved to their TypeScript sources (their exports maps name the built dist/).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  base: './',
  root: here('.'),
  resolve: {
    alias: {
      '@tablecast/client': here('../../packages/client/src/index.ts'),
      '@tablecast/protocol': here('../../packages/protocol/src/index.ts'),
      '@tablecast/vision/homography': here('../../packages/vision/src/homography.ts'),
    },
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
