// Two commands on one project at once (issue 20, root 3), through the real
// CLI, real Terraform, the stand-in provider and the emulator. A Terraform
// "gate" holds the first command inside Terraform until the test opens it, so
// that the second one starts while the first surely runs: no timing involved.
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { SyncHarness } from "../../harness/sync-harness.ts";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { harnessPerTest } from "../support/sync-harnesses.ts";

const skip = shouldSkipTerraformTests();

/** A workspace whose accounts `extended` are extended to Okta, each seen by its owner and two collaborators. */
function workspaceYaml(id: string, accounts: number, extended: (index: number) => boolean = () => true, label = (index: number) => `${id} brand ${index}`): string {
  const lines = [
    "version: 1",
    `workspace: { id: ${id}, name: ${id}, extendedAccountAccess: true, okta: { orgName: acme, baseUrl: okta.com } }`,
    "users:",
    `  - { id: u-owner, email: owner@${id}.example, oktaUserId: 00u${id}o, workspaceRole: owner }`,
    `  - { id: u-1, email: one@${id}.example, oktaUserId: 00u${id}1, workspaceRole: user }`,
    `  - { id: u-2, email: two@${id}.example, oktaUserId: 00u${id}2, workspaceRole: user }`,
    "accounts:",
  ];
  for (let index = 0; index < accounts; index++) {
    lines.push(
      `  - id: a-${index}`,
      `    name: "${label(index)}"`,
      "    app: Instagram",
      "    grants: [{ user: u-owner, role: owner }, { user: u-1, role: collaborator }, { user: u-2, role: collaborator }]",
      ...(extended(index) ? ["    okta: { extendedBy: u-owner, extendedAt: 2026-02-01T09:00:00Z }"] : []),
    );
  }
  return `${lines.join("\n")}\n`;
}

const startHarness = harnessPerTest();

const start = (files: Record<string, string>) => startHarness(files);

/**
 * A `terraform` that, for the subcommand `holdAt`, waits until the gate file
 * exists (after leaving `<gate>.reached`), then runs the real one.
 */
async function gatedTerraform(harness: SyncHarness, holdAt: string) {
  const gate = path.join(harness.cwd, "gate");
  const binary = path.join(harness.cwd, "gated-terraform");
  await writeFile(
    binary,
    `#!/bin/sh\nif [ "$1" = ${holdAt} ] && [ ! -e ${gate} ]; then\n  : > ${gate}.reached\n  while [ ! -e ${gate} ]; do sleep 0.1; done\nfi\nexec terraform "$@"\n`,
  );
  await chmod(binary, 0o755);
  return {
    args: ["--terraform-binary", binary],
    /** Resolves once the gated command is inside Terraform, holding the project lock. */
    reached: async () => {
      while (!existsSync(`${gate}.reached`)) await new Promise((resolve) => setTimeout(resolve, 50));
    },
    open: () => writeFile(gate, ""),
  };
}

const labels = (harness: SyncHarness) => [...harness.emulator.state.apps.values()].map((app) => app.label).sort();

describe.skipIf(skip)("two commands on one project at once", () => {
  beforeAll(() => requireTerraform());

  it("refuses a plan or apply while a plan runs, naming it; --wait runs after it; a killed holder's lock is taken over", async () => {
    const harness = await start({ "acme/workspace.yaml": workspaceYaml("ws-a", 3) });
    // A lock left by a process killed with kill -9.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    await mkdir(path.join(harness.cwd, ".cerby-okta"), { recursive: true });
    await writeFile(path.join(harness.cwd, ".cerby-okta", "lock"), JSON.stringify({ command: "apply", pid: dead, host: hostname(), since: "2026-12-05T22:00:00.000Z", token: "killed" }));

    const gate = await gatedTerraform(harness, "plan");
    const first = harness.cli(["plan", ...gate.args]);
    await gate.reached();
    const holder = new RegExp(`cerby-okta plan \\(pid ${first.pid} on host ${hostname()}\\) has held the project lock since \\d{4}-\\d\\d-\\d\\dT[^;]*; wait for it, or pass --wait`);

    const second = await harness.cli(["plan"]);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(holder);
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toMatch(holder);
    const synth = await harness.cli(["synth"]);
    expect(synth.exitCode).toBe(1);
    expect(synth.stderr).toMatch(holder);
    expect(harness.emulator.state.apps.size).toBe(0);

    const waiting = harness.cli(["plan", "--wait"]);
    let waitingSaid = "";
    await new Promise<void>((resolve) =>
      waiting.stderr!.on("data", (chunk) => {
        waitingSaid += String(chunk);
        if (waitingSaid.includes("waiting for")) resolve();
      }),
    );
    expect(waitingSaid).toMatch(new RegExp(`waiting for cerby-okta plan \\(pid ${first.pid} on host .*\\) to release the project lock`));
    await gate.open();
    const firstDone = await first;
    expect(firstDone.exitCode, firstDone.stderr).toBe(2);
    expect(firstDone.stderr).toContain(`taking over the project lock ${path.join(harness.cwd, ".cerby-okta", "lock")}: cerby-okta apply (pid ${dead} on host ${hostname()}) held it, but process ${dead} is no longer running`);
    const waited = await waiting;
    expect(waited.exitCode, waited.stderr).toBe(2);

    const applied = await harness.cli(["apply"]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(labels(harness)).toEqual(["ws-a brand 0 - Instagram", "ws-a brand 1 - Instagram", "ws-a brand 2 - Instagram"]);
    expect(existsSync(path.join(harness.cwd, ".cerby-okta", "lock"))).toBe(false);
  }, 240_000);

  it("a plan started while apply runs cannot rewrite the plan set: nothing passes that the destroy guard did not", async () => {
    const harness = await start({ "p/workspace.yaml": workspaceYaml("ws-p", 2), "q/workspace.yaml": workspaceYaml("ws-q", 5) });
    await harness.sync();
    expect(harness.emulator.state.apps.size).toBe(7);
    // ws-p relabels an app; ws-q's accounts all stop being extended: its five apps would go.
    await writeFile(path.join(harness.cwd, "workspaces", "p", "workspace.yaml"), workspaceYaml("ws-p", 2, () => true, (index) => `ws-p renamed ${index}`));
    await writeFile(path.join(harness.cwd, "workspaces", "q", "workspace.yaml"), workspaceYaml("ws-q", 5, () => false));
    expect((await harness.cli(["plan", "--stack", "ws-p"])).exitCode).toBe(2);

    const gate = await gatedTerraform(harness, "apply");
    const apply = harness.cli(["apply", ...gate.args]);
    await gate.reached();
    const plan = await harness.cli(["plan", "--stack", "ws-q"]);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toMatch(new RegExp(`cerby-okta apply \\(pid ${apply.pid} on host .*\\) has held the project lock since`));
    await gate.open();
    const applied = await apply;
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("applied: ws-p");
    expect(labels(harness).filter((label) => label.startsWith("ws-q"))).toHaveLength(5);
    expect(labels(harness).filter((label) => label.startsWith("ws-p renamed"))).toHaveLength(2);

    // Planned on its own, ws-q's removal meets the destroy guard at apply.
    expect((await harness.cli(["plan", "--stack", "ws-q"])).exitCode).toBe(2);
    const refused = await harness.cli(["apply"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("stack ws-q: the plan removes or replaces 5 of 5 Okta apps");
    expect(labels(harness).filter((label) => label.startsWith("ws-q"))).toHaveLength(5);
  }, 300_000);

  it("refuses a manual plan while watch --apply applies, naming the watch, instead of swapping its stack folders", async () => {
    const harness = await start({ "acme/workspace.yaml": workspaceYaml("ws-w", 2) });
    const gate = await gatedTerraform(harness, "apply");
    const watch = harness.cli(["watch", "--apply", ...gate.args]);
    let output = "";
    watch.stdout!.on("data", (chunk) => (output += String(chunk)));
    watch.stderr!.on("data", (chunk) => (output += String(chunk)));
    await gate.reached();
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toMatch(new RegExp(`cerby-okta watch --apply \\(pid ${watch.pid} on host .*\\) has held the project lock since`));
    await gate.open();
    while (!/applied ws-w/.test(output)) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(labels(harness)).toEqual(["ws-w brand 0 - Instagram", "ws-w brand 1 - Instagram"]);
    const after = await harness.cli(["plan"]);
    expect(after.exitCode, after.stderr).toBe(0);
    watch.kill("SIGTERM");
    expect((await watch).exitCode).toBe(0);
  }, 240_000);

  it("never applies a binary plan another plan left in place of the one reviewed", async () => {
    const harness = await start({ "q/workspace.yaml": workspaceYaml("ws-q", 5) });
    await harness.sync();
    const plans = path.join(harness.cwd, ".cerby-okta", "plans");
    // A plan removing all five apps (what a plan run around the lock, e.g. by an older version, could leave).
    await writeFile(path.join(harness.cwd, "workspaces", "q", "workspace.yaml"), workspaceYaml("ws-q", 5, () => false));
    expect((await harness.cli(["plan"])).exitCode).toBe(2);
    await copyFile(path.join(plans, "ws-q.tfplan"), path.join(harness.cwd, "removing.tfplan"));
    // The plan reviewed: one relabel.
    await writeFile(path.join(harness.cwd, "workspaces", "q", "workspace.yaml"), workspaceYaml("ws-q", 5, () => true, (index) => (index === 0 ? "ws-q relabelled" : `ws-q brand ${index}`)));
    const reviewed = await harness.cli(["plan"]);
    expect(reviewed.exitCode).toBe(2);
    expect(reviewed.stdout).toContain("ws-q relabelled");
    await copyFile(path.join(harness.cwd, "removing.tfplan"), path.join(plans, "ws-q.tfplan"));

    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toMatch(/ws-q\.tfplan is not the plan this apply was given .*Nothing was applied to this stack/);
    expect(labels(harness)).toEqual([0, 1, 2, 3, 4].map((index) => `ws-q brand ${index} - Instagram`));

    // A saved report edited to hide the removal: the guard judges the plan file itself.
    const meta = JSON.parse(await readFile(path.join(plans, "ws-q.json"), "utf8"));
    await writeFile(path.join(harness.cwd, "workspaces", "q", "workspace.yaml"), workspaceYaml("ws-q", 5, () => false));
    expect((await harness.cli(["plan"])).exitCode).toBe(2);
    const removing = JSON.parse(await readFile(path.join(plans, "ws-q.json"), "utf8"));
    const index = JSON.parse(await readFile(path.join(plans, "index.json"), "utf8"));
    const forged = `${JSON.stringify({ ...removing, report: meta.report }, null, 2)}\n`;
    await writeFile(path.join(plans, "ws-q.json"), forged);
    index.plans["ws-q"] = createHash("sha256").update(forged).digest("hex");
    await writeFile(path.join(plans, "index.json"), JSON.stringify(index));
    const guarded = await harness.cli(["apply"]);
    expect(guarded.exitCode).toBe(1);
    expect(guarded.stderr).toContain("the plan file about to be applied goes over the destroy guard; nothing was applied to this stack:\nstack ws-q: the plan removes or replaces 5 of 5 Okta apps");
    expect(harness.emulator.state.apps.size).toBe(5);
  }, 300_000);
});
