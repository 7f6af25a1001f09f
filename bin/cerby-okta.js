#!/usr/bin/env node
// `cerby-okta`: runs the CLI compiled by `tsc` into dist/ (`npm run build`,
// also run by `npm install`). Source maps are on, so that the stack trace of
// an internal error points at the TypeScript sources under src/.
import { existsSync, readFileSync } from "node:fs";

// Refuse a Node older than package.json's `engines` at once: on an old Node
// the CLI would fail later, somewhere less clear (or run with missing APIs).
const engines = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).engines?.node ?? "";
const needed = /^>=\s*(\d+)(?:\.(\d+))?/.exec(engines);
if (needed) {
  const [major, minor] = process.versions.node.split(".").map(Number);
  const [neededMajor, neededMinor] = [Number(needed[1]), Number(needed[2] ?? 0)];
  if (major < neededMajor || (major === neededMajor && minor < neededMinor)) {
    process.stderr.write(`cerby-okta needs Node ${engines.replace(/^>=\s*/, "")} or later (package.json "engines": "${engines}"); this is Node ${process.versions.node} (${process.execPath}). Install a supported Node and run again.\n`);
    process.exit(1);
  }
}

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("cerby-okta is not built (dist/ is missing): run `npm install` or `npm run build` in the project first.\n");
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(entry.href);
