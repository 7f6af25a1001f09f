// watch --apply's Terraform side, with a recording fake Terraform.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { stackUnits, type StackUnit } from "../../src/stack/shards.ts";
import { DEFAULT_DESTROY_LIMITS } from "../../src/sync/destroy-guard.ts";
import type { Terraform } from "../../src/terraform/terraform.ts";
import { terraformApplier } from "../../src/watch/apply.ts";
import { StackSynthesizer } from "../../src/stack/synthesizer.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { makeTempDir, removeDir } from "../../harness/workspace-fixture.ts";
import { EXAMPLE_WORKSPACES } from "./helpers.ts";

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

function fakeTerraform(calls: string[], removedApps: number): Terraform {
  const bookmark = (index: number, actions: string[]) => ({
    address: `okta_app_bookmark.app["a-${index}"]`,
    mode: "managed",
    type: "okta_app_bookmark",
    name: "app",
    index: `a-${index}`,
    change: { actions, before: { label: `L${index}`, id: `0oa${index}` }, after: actions[0] === "delete" ? null : { label: `L${index}` } },
  });
  return {
    async init(stackDir) {
      calls.push(`init ${path.basename(stackDir)}`);
    },
    async plan(stackDir, options) {
      calls.push(`plan ${path.basename(stackDir)} refresh=${options.refresh}`);
      await writeFile(options.out, "binary plan");
      return { hasChanges: true };
    },
    async showPlan(stackDir, planFile) {
      calls.push(`show ${path.basename(stackDir)} ${path.basename(planFile)}`);
      return {
        format_version: "1.2",
        resource_changes: [
          ...Array.from({ length: 30 }, (_, index) => bookmark(index, index < removedApps ? ["delete"] : ["no-op"])),
          bookmark(99, ["create"]),
        ],
      };
    },
    async apply(stackDir, planFile) {
      calls.push(`apply ${path.basename(stackDir)} ${path.basename(planFile)}`);
    },
    async pullState() {
      return {};
    },
    async showState() {
      return {};
    },
    async forget(stackDir, addresses) {
      calls.push(`forget ${path.basename(stackDir)} ${addresses.length}`);
    },
  };
}

async function written(outDir: string): Promise<Map<string, StackUnit>> {
  const stacks = stackUnits(computeDesiredState(await loadWorkspaces(EXAMPLE_WORKSPACES)).workspaces);
  await new StackSynthesizer({ outDir }).write(stacks, { prune: false });
  return new Map(stacks.map((stack) => [stack.id, stack]));
}

describe("watch --apply", () => {
  it("inits each stack once, plans without refresh, applies them and records their status", async () => {
    const paths = { outDir: path.join(dir, "out"), stateDir: path.join(dir, "state") };
    const desired = await written(paths.outDir);
    const calls: string[] = [];
    const apply = terraformApplier({ terraform: () => fakeTerraform(calls, 0), paths, workspacesDir: EXAMPLE_WORKSPACES, limits: DEFAULT_DESTROY_LIMITS, allowDestroy: false, log: () => undefined });
    await apply(["ws-acme"], new AbortController().signal, desired);
    await apply(["ws-acme", "ws-acme-eu"], new AbortController().signal, desired);
    // This fake Terraform writes no state, so no apply record: ws-acme is planned again, but not initialized again.
    // (A stack whose state records its files as applied is skipped: test/sync/watch-apply.test.ts and status-in-state.test.ts, with real Terraform.)
    // One `show -json` per plan: the destroy guard judges the report this process read from that very file (apply checks
    // its SHA-256), so the file is not shown a second time as `apply` does with reports it re-reads from disk.
    expect(calls).toEqual([
      "init ws-acme",
      "plan ws-acme refresh=false",
      "show ws-acme ws-acme.tfplan",
      "apply ws-acme ws-acme.tfplan",
      "plan ws-acme refresh=false",
      "show ws-acme ws-acme.tfplan",
      "init ws-acme-eu",
      "plan ws-acme-eu refresh=false",
      "show ws-acme-eu ws-acme-eu.tfplan",
      "apply ws-acme ws-acme.tfplan",
      "apply ws-acme-eu ws-acme-eu.tfplan",
    ]);
    const status = JSON.parse(await readFile(path.join(paths.stateDir, "status", "ws-acme.json"), "utf8"));
    expect(Object.keys(status.accounts).sort()).toEqual(desired.get("ws-acme")!.chiclets.map((chiclet) => chiclet.accountId).sort());
    expect(existsSync(path.join(paths.stateDir, "plans", "ws-acme.tfplan"))).toBe(false);
  });

  it("applies nothing when the binary plan is rewritten after it was shown", async () => {
    const paths = { outDir: path.join(dir, "out"), stateDir: path.join(dir, "state") };
    const desired = await written(paths.outDir);
    const calls: string[] = [];
    const terraform = fakeTerraform(calls, 0);
    const shown = terraform.showPlan.bind(terraform);
    // Another writer replaces the plan right after Terraform showed it: the report no longer describes the file.
    terraform.showPlan = async (stackDir, planFile) => {
      const report = await shown(stackDir, planFile);
      await writeFile(planFile, "another binary plan");
      return report;
    };
    const apply = terraformApplier({ terraform: () => terraform, paths, workspacesDir: EXAMPLE_WORKSPACES, limits: DEFAULT_DESTROY_LIMITS, allowDestroy: false, log: () => undefined });
    await expect(apply(["ws-acme"], new AbortController().signal, desired)).rejects.toThrow(/is not the plan this apply was given/);
    expect(calls.filter((call) => call.startsWith("apply"))).toEqual([]);
  });

  it("refuses a plan that removes many apps, applying nothing", async () => {
    const paths = { outDir: path.join(dir, "out"), stateDir: path.join(dir, "state") };
    await mkdir(paths.stateDir);
    const desired = await written(paths.outDir);
    const calls: string[] = [];
    const apply = terraformApplier({ terraform: () => fakeTerraform(calls, 25), paths, workspacesDir: EXAMPLE_WORKSPACES, limits: DEFAULT_DESTROY_LIMITS, allowDestroy: false, log: () => undefined });
    await expect(apply(["ws-acme"], new AbortController().signal, desired)).rejects.toThrow(/removes or replaces 25 of 30 Okta apps/);
    expect(calls.filter((call) => call.startsWith("apply"))).toEqual([]);
  });
});
