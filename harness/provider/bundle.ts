// Terraform starts the stand-in provider for every command (3 times per plan,
// 2 per apply); a real provider is a Go binary that starts in milliseconds.
// Loading the compiled provider's ~200 modules (grpc-js, protobufjs, ours)
// one by one is most of a Node start-up's cost, so the mirror's wrapper runs
// one file instead: dist/harness/provider/main.js bundled by esbuild, rebuilt
// whenever a compiled file it is made from is newer. The bundle's
// OKTA_STANDIN_STARTUP_LOG lines (main.ts) say what a launch still costs.
import { readdirSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../repo-root.ts";

const COMPILED = path.join(REPO_ROOT, "dist", "harness");
const MAIN = path.join(COMPILED, "provider", "main.js");
/** Beside main.js: the repository root is found upwards from it, as from main.js. */
export const BUNDLE = path.join(COMPILED, "provider", "standin.bundle.mjs");

/** The newest modification time of the compiled provider (and the repo-root module it imports). */
function newestCompiled(): number {
  let newest = statSync(path.join(COMPILED, "repo-root.js")).mtimeMs;
  for (const entry of readdirSync(path.join(COMPILED, "provider"), { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".js")) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The file the mirror's wrapper runs: the bundle, built now if missing or
 * older than the compiled provider; main.js itself if esbuild cannot build it
 * (said on stderr: every launch is then slower, nothing else changes).
 */
export async function providerEntry(): Promise<string> {
  const built = statSync(BUNDLE, { throwIfNoEntry: false });
  if (built && built.mtimeMs >= newestCompiled()) return BUNDLE;
  try {
    const { build } = await import("esbuild");
    // Test files build it at once: each writes its own file, then renames it into place.
    const own = `${BUNDLE}.${process.pid}.tmp`;
    await build({
      entryPoints: [MAIN],
      outfile: own,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "error",
      // grpc-js and protobufjs are CommonJS: their `require` of Node's modules needs one in an ES module.
      banner: { js: 'import { createRequire as __standinRequire } from "node:module"; const require = __standinRequire(import.meta.url);' },
    });
    renameSync(own, BUNDLE);
    return BUNDLE;
  } catch (error) {
    process.stderr.write(`the stand-in provider runs unbundled (slower start-up): esbuild could not bundle ${MAIN}: ${(error as Error).message}\n`);
    return MAIN;
  }
}
