#!/usr/bin/env node
// `cerby-okta`: runs the CLI that `npm run build` (also run by `npm install`)
// compiled with `tsc` and bundled into dist/cli/ (bin/bundle-cli.js). Source
// maps are on, so that the stack trace of an internal error points at the
// TypeScript sources under src/.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import nodeModule from "node:module";
import { homedir } from "node:os";
import path from "node:path";

// Refuse a Node outside package.json's `engines` at once: on an old Node the
// CLI would fail later, somewhere less clear (or run with missing APIs).
// `engines` lists the supported lines, e.g. "^20.19.0 || ^22.12.0 || >=24.0.0".
const engines = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).engines?.node ?? "";
const ranges = engines
  .split("||")
  .map((range) => /^\s*(\^|>=)\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(range))
  .filter(Boolean)
  .map(([, operator, major, minor, patch]) => ({ operator, version: [Number(major), Number(minor ?? 0), Number(patch ?? 0)] }));
const running = process.versions.node.split(".").map(Number);
const atLeast = (version) => running[0] !== version[0] ? running[0] > version[0] : running[1] !== version[1] ? running[1] > version[1] : running[2] >= version[2];
const meets = ({ operator, version }) => atLeast(version) && (operator === ">=" || running[0] === version[0]);
if (ranges.length > 0 && !ranges.some(meets)) {
  const named = ranges.map(({ operator, version }) => (operator === ">=" ? `${version[0]}.${version[1]} or later` : `${version[0]}.${version[1]} or a later ${version[0]}.x`)).join(", or ");
  process.stderr.write(
    `cerby-okta needs Node ${named} (package.json "engines": "${engines}"); this is Node ${process.versions.node} (${process.execPath}). Install Node 22 or 24 (LTS) and run again.\n`,
  );
  process.exit(1);
}

// Lines still accepted past their end of life, for machines (a CI image) not yet moved: one warning a run.
const END_OF_LIFE = { 20: "2026-04-30" };
const endOfLife = END_OF_LIFE[running[0]];
if (endOfLife && process.env.CERBY_OKTA_NODE_EOL_WARNING !== "0") {
  process.stderr.write(
    `warning: Node ${running[0]} reached its end of life on ${endOfLife} (this is Node ${process.versions.node}, ${process.execPath}): cerby-okta still runs on it, but move to Node 22 or 24 (CERBY_OKTA_NODE_EOL_WARNING=0 silences this).\n`,
  );
}

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("cerby-okta is not built (dist/cli/ is missing): run `npm install` or `npm run build` in the project first.\n");
  process.exit(1);
}
process.setSourceMapsEnabled(true);
// Node 22.1 and later can keep the bundle's compiled code on disk between runs: about 15 to 25 ms less of every
// start. Kept in the user's own cache folder, never a folder other users can write to (such as Node's default
// under /tmp). NODE_DISABLE_COMPILE_CACHE=1 turns it off; where the folder cannot be made, it is not used.
// A property, not a named import: Node 20 has no such export, and a missing one fails the import itself.
const { enableCompileCache } = nodeModule;

/**
 * This build's folder of compiled code, made if need be, or undefined where it would not be private. Compiled
 * code read back is run: every folder of the cache must be this user's (or root's) and writable by no one else,
 * and the ones we make real folders, not links to elsewhere (old builds' folders in them are removed).
 */
function compileCacheFolder() {
  const onlyMine = (dir, followLink = false) => {
    const stats = followLink ? statSync(dir) : lstatSync(dir);
    return stats.isDirectory() && (process.getuid === undefined || ((stats.uid === process.getuid() || stats.uid === 0) && (stats.mode & 0o022) === 0));
  };
  const xdg = process.env.XDG_CACHE_HOME;
  const cacheHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), ".cache");
  // No home folder known: never a folder relative to where the CLI runs.
  if (!path.isAbsolute(cacheHome)) return undefined;
  mkdirSync(cacheHome, { recursive: true, mode: 0o700 });
  if (!onlyMine(cacheHome, true)) return undefined;
  const caches = path.join(cacheHome, "cerby-okta", "node-compile-cache");
  mkdirSync(caches, { recursive: true, mode: 0o700 });
  if (!onlyMine(path.dirname(caches)) || !onlyMine(caches)) return undefined;
  // One folder per build of the bundle (its entry file, rewritten by every build): the first run of a new build
  // removes the others, so that rebuilds do not pile up compiled code of chunks that no longer exist.
  const { ino, mtimeMs } = statSync(entry);
  const build = `build-${ino}-${Math.round(mtimeMs)}`;
  const folder = path.join(caches, build);
  if (!existsSync(folder)) {
    // Only the build folders this CLI made: anything else someone put there stays.
    for (const old of readdirSync(caches)) if (old !== build && /^build-\d+-\d+$/.test(old)) rmSync(path.join(caches, old), { recursive: true, force: true });
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return folder;
}

if (enableCompileCache) {
  try {
    const folder = compileCacheFolder();
    if (folder) enableCompileCache(folder);
  } catch {
    // no cache: the CLI runs as before
  }
}
await import(entry.href);
