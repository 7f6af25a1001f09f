// `apply` never synthesizes: loading cdktf (and its ~370 modules: lodash,
// archiver, ...) would only slow every one-change sync's apply. Checked on
// the compiled command module, in a fresh Node, as the CLI loads it.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../harness/repo-root.ts";

/** How many of cdktf's modules a fresh Node loads with the compiled module `file` (under dist/src). */
function cdktfModulesLoadedBy(file: string): number {
  const command = path.join(REPO_ROOT, "dist", "src", file);
  const script = `await import(${JSON.stringify(command)}); const { createRequire } = await import("node:module"); process.stdout.write(String(Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes("/node_modules/cdktf/")).length));`;
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
}

describe("modules a command loads", () => {
  it("apply loads no cdktf", () => {
    expect(cdktfModulesLoadedBy("cli/commands/apply.js")).toBe(0);
  });

  it("the stack backend does (so that the count above is of something that loads)", () => {
    expect(cdktfModulesLoadedBy("stack/backend.js")).toBeGreaterThan(0);
  });
});
