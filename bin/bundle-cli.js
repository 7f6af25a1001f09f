// Bundles the CLI that `tsc` compiled (dist/src/cli/main.js) with its
// dependencies into dist/cli/ (`npm run build` runs it after `tsc`). Loading
// ~650 files one by one (our modules, zod, yaml, commander, and cdktf's ~370
// CommonJS modules when a template is synthesized) was most of every start:
// each file is resolved, read and compiled, and each CommonJS module imported
// from an ES module is scanned for its exports. The bundle keeps the CLI's
// lazy loading: every command, and cdktf, is a chunk loaded when first needed.
// Its source map points at src/*.ts (esbuild follows tsc's maps). A chunk
// made only of dependencies (zod, yaml, execa, commander) gets none: Node
// reads and indexes the map of every chunk it loads, which cost each start
// about 15 ms, and our own frames are what a trace needs mapped.
// dist/cli/meta.json lists what each chunk holds (test/cli/startup-modules.test.ts).
import { build } from "esbuild";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const entry = path.join(root, "dist", "src", "cli", "main.js");
const target = path.join(root, "dist", "cli");
// Built aside, then moved into place: a failed build leaves the last good one.
const staging = path.join(root, "dist", `.cli-${process.pid}`);

if (!existsSync(entry)) {
  process.stderr.write(`bundle-cli: ${path.relative(root, entry)} is missing: run \`tsc -b tsconfig.build.json\` first (\`npm run build\` does both).\n`);
  process.exit(1);
}

try {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: entry },
    outdir: staging,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // jsonc-parser's `main` is a UMD build whose dynamic requires esbuild cannot follow; its `module` is plain ESM.
    mainFields: ["module", "main"],
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    logLevel: "error",
    // cdktf and others are CommonJS: their `require` of Node's own modules needs one in an ES module.
    banner: { js: 'import { createRequire as __cerbyOktaRequire } from "node:module"; const require = __cerbyOktaRequire(import.meta.url);' },
  });
  for (const [output, { inputs }] of Object.entries(result.metafile.outputs)) {
    if (!output.endsWith(".js") || !Object.keys(inputs).every((input) => input.includes("node_modules/"))) continue;
    const file = path.join(root, output);
    const linked = readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, "\n");
    writeFileSync(file, linked);
    rmSync(`${file}.map`, { force: true });
    delete result.metafile.outputs[`${output}.map`];
  }
  writeFileSync(path.join(staging, "meta.json"), JSON.stringify(result.metafile));
  const previous = `${target}.old-${process.pid}`;
  const moved = (move) => {
    try {
      move();
      return true;
    } catch (error) {
      // Another build (a second test run) swapped its bundle in meanwhile: built from the same dist/, it stands.
      if (["ENOENT", "ENOTEMPTY", "EEXIST"].includes(error.code)) return false;
      throw error;
    }
  };
  moved(() => renameSync(target, previous));
  if (!moved(() => renameSync(staging, target))) rmSync(staging, { recursive: true, force: true });
  rmSync(previous, { recursive: true, force: true });
} catch (error) {
  rmSync(staging, { recursive: true, force: true });
  process.stderr.write(`bundle-cli: esbuild could not bundle ${path.relative(root, entry)}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
