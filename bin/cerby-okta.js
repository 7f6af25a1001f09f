#!/usr/bin/env node
// `cerby-okta`: runs the CLI compiled by `tsc` into dist/ (`npm run build`,
// also run by `npm install`). Source maps are on, so that the stack trace of
// an internal error points at the TypeScript sources under src/.
import { existsSync } from "node:fs";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("cerby-okta is not built (dist/ is missing): run `npm install` or `npm run build` in the project first.\n");
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(entry.href);
