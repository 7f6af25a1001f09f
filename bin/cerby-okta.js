#!/usr/bin/env node
// `cerby-okta`: runs the TypeScript sources without a build step, from a
// bundle compiled on first use (see compile.js). Where the cache cannot be
// written, the sources are loaded through loader hooks instead.
import { compiledEntry, ensureCacheRoot } from "./compile.js";

let entry;
try {
  ensureCacheRoot();
  entry = await compiledEntry("src/cli/main.ts");
} catch {
  await import("./register-ts.js");
  entry = new URL("../src/cli/main.ts", import.meta.url).href;
}
await import(entry);
