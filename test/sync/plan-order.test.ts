// plan starts Terraform on the stacks its synth just wrote before it has read
// every other stack's state. Seen through a Terraform stand-in that records
// its calls: the stacks keep their state in an S3 backend, so deciding a
// stack costs `init` and `state pull`, and the order of calls shows when the
// written stack's plan began. With `--parallel 1` there is one Terraform slot.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stackUnits, type StackUnit } from "../../src/stack/shards.ts";
import { StackSynthesizer } from "../../src/stack/synthesizer.ts";
import { planStacks, type PlanOptions } from "../../src/sync/plan.ts";
import { readPlanSet, type SyncPaths } from "../../src/sync/saved-plans.ts";
import type { Terraform } from "../../src/terraform/terraform.ts";
import type { DesiredState } from "../../src/domain/desired-state.ts";
import { desiredFromText } from "../support/desired.ts";

let root: string;
let paths: SyncPaths;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "cerby-okta-plan-order-"));
  paths = { outDir: path.join(root, "cdktf.out"), stateDir: path.join(root, ".cerby-okta") };
});
afterEach(async () => rm(root, { recursive: true, force: true }));

function workspace(accounts: number): string {
  return JSON.stringify({
    version: 1,
    workspace: { id: "ws-test", name: "Test", extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
    users: [{ id: "u-alice", email: "alice@acme.example", oktaUserId: "00u1alice", workspaceRole: "owner" }],
    teams: [],
    accounts: Array.from({ length: accounts }, (_, index) => ({
      id: `a-${index + 1}`,
      name: `Brand ${index + 1}`,
      app: "Instagram",
      grants: [{ user: "u-alice", role: "owner" }],
      okta: { extendedBy: "u-alice", extendedAt: "2026-02-01T09:00:00Z" },
    })),
  });
}

/** Every call, as `<command> <stack>`; a plan writes its file, and shows as no change. */
function recordingTerraform(): Terraform & { calls: string[] } {
  const calls: string[] = [];
  const stackOf = (dir: string) => path.basename(dir);
  const unused = () => Promise.reject(new Error("not used here"));
  return {
    calls,
    init: async (dir) => void calls.push(`init ${stackOf(dir)}`),
    pullState: async (dir) => {
      calls.push(`pull ${stackOf(dir)}`);
      return {};
    },
    plan: async (dir, options) => {
      calls.push(`plan ${stackOf(dir)}`);
      await writeFile(options.out, "binary plan");
      return { hasChanges: false };
    },
    showPlan: async (dir) => {
      calls.push(`show ${stackOf(dir)}`);
      return { format_version: "1.2", resource_changes: [] };
    },
    showState: unused,
    forget: unused,
    apply: unused,
  };
}

async function synthesized(): Promise<{ state: DesiredState; stacks: StackUnit[] }> {
  const state = desiredFromText(workspace(4));
  const stacks = stackUnits(state.workspaces, new Map([["ws-test", 4]]));
  const synthesizer = new StackSynthesizer({
    outDir: paths.outDir,
    stackOptions: { backend: { type: "s3", bucket: "acme-terraform", key: "cerby-okta/{workspaceId}.tfstate", region: "eu-west-1" } },
  });
  await synthesizer.write(stacks, { prune: true });
  return { state, stacks };
}

const options = (decideFirst?: ReadonlySet<string>): PlanOptions => ({ refresh: false, log: () => {}, workspacesDir: "workspaces", parallel: 1, decideFirst });

describe("plan's order of work", () => {
  it("plans a stack the synth wrote before reading the other stacks' states", async () => {
    const { state, stacks } = await synthesized();
    expect(stacks.map((stack) => stack.id)).toEqual(["ws-test-s000", "ws-test-s001", "ws-test-s002", "ws-test-s003"]);
    const terraform = recordingTerraform();
    const { plans } = await planStacks(state, stacks, terraform, paths, options(new Set(["ws-test-s002"])));
    // No state has an apply record: every stack is planned, the written one first, before any other state is read.
    expect(terraform.calls.slice(0, 6)).toEqual(["init ws-test-s002", "pull ws-test-s002", "init ws-test-s002", "pull ws-test-s002", "plan ws-test-s002", "show ws-test-s002"]);
    expect(terraform.calls.filter((call) => call.startsWith("plan "))).toEqual(["plan ws-test-s002", "plan ws-test-s000", "plan ws-test-s001", "plan ws-test-s003"]);
    // The plan set keeps the stacks' order, whatever order they were planned in.
    expect(plans.map((plan) => plan.stack)).toEqual(stacks.map((stack) => stack.id));
    expect((await readPlanSet(paths.stateDir)).set.stacks).toEqual(stacks.map((stack) => stack.id));
  });

  it("starts no other plan once the written stack's plan failed, and saves no plan set", async () => {
    const { state, stacks } = await synthesized();
    const terraform = recordingTerraform();
    const failing: Terraform = {
      ...terraform,
      plan: async (dir, planOptions) => {
        await terraform.plan(dir, planOptions);
        throw new Error("Error: Invalid provider configuration");
      },
    };
    await expect(planStacks(state, stacks, failing, paths, options(new Set(["ws-test-s002"])))).rejects.toThrow("Invalid provider configuration");
    expect(terraform.calls.filter((call) => call.startsWith("plan "))).toEqual(["plan ws-test-s002"]);
    await expect(readPlanSet(paths.stateDir)).rejects.toThrow();
  });

  it("without stacks to decide first, reads every state before planning (the watcher, which plans only what it wrote)", async () => {
    const { state, stacks } = await synthesized();
    const terraform = recordingTerraform();
    await planStacks(state, stacks, terraform, paths, options());
    const firstPlan = terraform.calls.indexOf("plan ws-test-s000");
    expect(terraform.calls.slice(0, firstPlan).filter((call) => call.startsWith("pull "))).toHaveLength(4 + 1); // every decision, then s000's own read
  });
});
