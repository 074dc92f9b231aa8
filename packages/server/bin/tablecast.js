#!/usr/bin/env node
// The `tablecast` command (npx tablecast serve | record | --help): runs the built CLI, plain
// JavaScript with no dev tools. `npm install` builds it (scripts/build.mjs, as `prepare`).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('tablecast: not built (packages/server/dist/cli.js is missing); run `npm run build` in the repository');
  process.exit(1);
}
await import(cli.href);
