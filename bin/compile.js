// Compiles the CLI's TypeScript into a cached ESM bundle (our code only;
// packages stay external), rebuilt when any source file changes. Loading one
// bundle is several times faster than transforming module by module through
// loader hooks, and `npx cerby-okta` still needs no build step.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cacheRoot = path.join(root, "node_modules", ".cache", "cerby-okta-cli");

/** A key over every source file's path, size and modification time. */
function sourceKey(entry) {
  const hash = createHash("sha256").update(entry);
  const files = readdirSync(path.join(root, "src"), { recursive: true })
    .filter((file) => file.endsWith(".ts"))
    .sort();
  for (const file of files) {
    const stat = statSync(path.join(root, "src", file));
    hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\0`);
  }
  return hash.digest("hex").slice(0, 24);
}

/** The file URL of the compiled entry point, building it first when needed. */
export async function compiledEntry(entry) {
  const outdir = path.join(cacheRoot, sourceKey(entry));
  const outfile = path.join(outdir, `${path.basename(entry, ".ts")}.js`);
  if (!existsSync(outfile)) {
    const { build } = await import("esbuild");
    const staging = `${outdir}.${process.pid}.tmp`;
    await build({
      entryPoints: [path.join(root, entry)],
      outdir: staging,
      bundle: true,
      splitting: true, // keeps `await import(...)` lazy: cdktf loads only for commands that synthesize
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      sourcemap: "inline",
      logLevel: "silent",
    });
    try {
      renameSync(staging, outdir);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process built it first
    }
    // Old builds are of no use once the sources changed.
    for (const old of readdirSync(cacheRoot)) {
      if (path.join(cacheRoot, old) !== outdir) rmSync(path.join(cacheRoot, old), { recursive: true, force: true });
    }
  }
  return pathToFileURL(outfile).href;
}

export function ensureCacheRoot() {
  mkdirSync(cacheRoot, { recursive: true });
}
