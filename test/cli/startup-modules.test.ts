// `apply` never synthesizes: loading cdktf (its ~370 modules: lodash,
// archiver, ...) would only slow every one-change sync's apply. The CLI runs
// bundled (bin/bundle-cli.js): each command and cdktf are chunks loaded when
// first imported, so what a command loads at start is its chunk and every
// chunk it imports statically. Checked on the bundle's own record of what
// each chunk holds (dist/cli/meta.json, esbuild's metafile), built by the
// tests' global set-up as by `npm run build`.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../harness/repo-root.ts";

type Metafile = {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown>; imports: { path: string; kind: string; external?: boolean }[] }>;
};

const meta = JSON.parse(readFileSync(path.join(REPO_ROOT, "dist", "cli", "meta.json"), "utf8")) as Metafile;

/** The source files (under dist/ or node_modules/) in the chunks loaded with the compiled module `file` (under dist/src). */
function inputsLoadedWith(file: string): string[] {
  const entryPoint = `dist/src/${file}`;
  const start = Object.keys(meta.outputs).find((output) => meta.outputs[output]!.entryPoint === entryPoint);
  if (!start) throw new Error(`${entryPoint} is not a chunk of the bundle (dist/cli/meta.json)`);
  const seen = new Set<string>();
  const pending = [start];
  while (pending.length > 0) {
    const output = pending.pop()!;
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of meta.outputs[output]!.imports) if (imported.kind === "import-statement" && !imported.external) pending.push(imported.path);
  }
  return [...seen].flatMap((output) => Object.keys(meta.outputs[output]!.inputs));
}

const cdktf = (inputs: string[]) => inputs.filter((input) => input.startsWith("node_modules/cdktf/"));

describe("modules a command loads", () => {
  it("apply loads no cdktf", () => {
    const inputs = inputsLoadedWith("cli/commands/apply.js");
    expect(inputs).toContain("dist/src/cli/commands/apply.js");
    expect(cdktf(inputs)).toEqual([]);
  });

  it("the stack's construct does (so that the check above is of something that loads)", () => {
    expect(cdktf(inputsLoadedWith("stack/workspace-stack.js")).length).toBeGreaterThan(100);
  });

  it("the CLI's entry loads no command: each loads when run", () => {
    const inputs = inputsLoadedWith("cli/main.js");
    expect(inputs).toContain("dist/src/cli/main.js");
    expect(inputs.filter((input) => input.startsWith("dist/src/cli/commands/"))).toEqual([]);
  });
});

describe("the bundle's source maps", () => {
  const chunks = Object.keys(meta.outputs).filter((output) => output.endsWith(".js"));
  const ownCode = (output: string) => Object.keys(meta.outputs[output]!.inputs).some((input) => !input.includes("node_modules/"));
  // The metafile names the folder the bundle was built in before it was moved to dist/cli/.
  const built = (output: string) => path.join(REPO_ROOT, "dist", "cli", path.basename(output));
  const linkedMap = (output: string) => /\n\/\/# sourceMappingURL=\S+\.map\n?$/.test(readFileSync(built(output), "utf8"));

  it("map every chunk that holds our code, so that a trace points at src/*.ts", () => {
    const own = chunks.filter(ownCode);
    expect(own.map((output) => path.basename(output))).toContain("main.js");
    for (const output of own) expect([output, linkedMap(output), existsSync(`${built(output)}.map`)]).toEqual([output, true, true]);
  });

  it("leave out chunks made only of dependencies (Node would read and index each map at every start)", () => {
    const vendor = chunks.filter((output) => !ownCode(output));
    // zod, yaml, execa and commander at least: not a check of nothing.
    expect(vendor.length).toBeGreaterThanOrEqual(3);
    for (const output of vendor) expect([output, linkedMap(output), existsSync(`${built(output)}.map`)]).toEqual([output, false, false]);
  });
});
