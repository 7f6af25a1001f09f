// `apply` against a Terraform stand-in whose "binary plan" is the JSON plan
// itself: what it shows is what it would apply. Checks that apply runs only
// the plan set it was given, whole, judges the destroy guard on the very file
// it applies, and names every stack that failed or was not applied.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_DESTROY_LIMITS } from "../../src/sync/destroy-guard.ts";
import { applySavedPlans, type ApplyOptions } from "../../src/sync/apply.ts";
import { forgetPlans, planFile, readPlanSet, savePlan, savePlanSet, stackDigest, stackDir, stackFingerprint, unappliedStacks, type SyncPaths } from "../../src/sync/saved-plans.ts";
import { STACK_CONFIG_FILE, STACK_DATA_FILE } from "../../src/stack/names.ts";
import { existsSync } from "node:fs";
import { readPlan } from "../../src/terraform/plan-report.ts";
import { TerraformApplyError, type Terraform } from "../../src/terraform/terraform.ts";
import { ensureFolder } from "../../src/files/ensure-folder.ts";

let paths: SyncPaths;
beforeEach(async () => {
  const root = await mkdtemp(path.join(tmpdir(), "cerby-okta-apply-set-"));
  paths = { outDir: path.join(root, "cdktf.out"), stateDir: path.join(root, ".cerby-okta") };
});
afterEach(async () => rm(path.dirname(paths.outDir), { recursive: true, force: true }));

const app = (accountId: string, actions: string[], label = `Brand ${accountId} - Instagram`) => ({
  address: `okta_app_bookmark.app["${accountId}"]`,
  mode: "managed",
  type: "okta_app_bookmark",
  name: "app",
  index: accountId,
  change: { actions, before: actions[0] === "create" ? null : { label }, after: actions[0] === "delete" ? null : { label } },
});
const creating = { format_version: "1.2", resource_changes: [app("a-new", ["create"])] };
const deletingAll = { format_version: "1.2", resource_changes: ["a-1", "a-2", "a-3", "a-4", "a-5"].map((id) => app(id, ["delete"])) };

/** Saves a stack's "binary plan" (`file`) and what plan says of it (`reported`), as `plan` does. */
async function saveStackPlan(stack: string, file: object, reported: object = file): Promise<void> {
  await ensureFolder(path.dirname(planFile(paths, stack)));
  await writeFile(planFile(paths, stack), JSON.stringify(file));
  await savePlan(paths, { stack, workspaceId: stack, plannedAt: "2026-12-05T22:00:00Z", refreshed: false, report: readPlan(stack, reported), accounts: {}, stackDigest: "d" });
}

async function saveSet(stacks: string[], parallel = 1): Promise<void> {
  await savePlanSet(paths, { version: 1, plannedAt: "2026-12-05T22:00:00Z", refreshed: false, outDir: paths.outDir, workspacesDir: "w", stacks, notSynced: [], parallel });
}

/** Applies each plan file's JSON; fails the stacks named. */
function standIn(failing: readonly string[] = []): Terraform & { applied: string[] } {
  const applied: string[] = [];
  const stackOf = (dir: string) => path.basename(dir);
  const unused = () => Promise.reject(new Error("not used here"));
  return {
    applied,
    init: unused,
    plan: unused,
    pullState: unused,
    showState: unused,
    forget: unused,
    showPlan: async (_dir, file) => JSON.parse(await readFile(file, "utf8")),
    apply: async (dir) => {
      if (failing.includes(stackOf(dir))) throw new TerraformApplyError("terraform", [{ summary: "failed to create app", detail: "the API returned an error: 500" }]);
      applied.push(stackOf(dir));
    },
  };
}

const options: ApplyOptions = { limits: DEFAULT_DESTROY_LIMITS, allowDestroy: false, log: () => {} };

async function applyAll(terraform: Terraform, overrides: Partial<ApplyOptions> = {}) {
  const { set, plans } = await readPlanSet(paths.stateDir);
  return applySavedPlans(set, plans, terraform, paths, { ...options, ...overrides });
}

describe("apply and the plan set it was given", () => {
  it("names every stack that failed when applied at once, and the stacks not applied", async () => {
    const stacks = ["ws-s001", "ws-s002", "ws-s003", "ws-s004"];
    for (const stack of stacks) await saveStackPlan(stack, creating);
    await saveSet(stacks, 4);
    const terraform = standIn(["ws-s002", "ws-s004"]);
    const failure = applyAll(terraform, { parallel: 4 });
    await expect(failure).rejects.toThrow(/^2 stacks failed:\n- \[2\/4\] ws-s002: apply failed:[\s\S]*\n- \[4\/4\] ws-s004: apply failed:/);
    await expect(failure).rejects.toThrow("\nNot applied: ws-s002, ws-s004. Run `cerby-okta plan` and `apply` again once the cause is fixed.");
    expect(terraform.applied.sort()).toEqual(["ws-s001", "ws-s003"]);
  });

  it("counts a replaced object once, as the plan does, however many events Terraform sends for it", async () => {
    const stamp = { address: 'terraform_data.synced["a-1"]', mode: "managed", type: "terraform_data", name: "synced", index: "a-1", change: { actions: ["delete", "create"], before: {}, after: {} } };
    const relabel = { format_version: "1.2", resource_changes: [app("a-1", ["update"]), stamp] };
    await saveStackPlan("ws-q", relabel);
    await saveSet(["ws-q"]);
    const lines: string[] = [];
    const terraform: Terraform = {
      ...standIn(),
      apply: async (_dir, _file, onProgress) => {
        for (const [address, action] of [[app("a-1", []).address, "update"], [stamp.address, "delete"], [stamp.address, "create"]] as const) onProgress?.({ address, action });
      },
    };
    await applyAll(terraform, { log: (line) => lines.push(line) });
    expect(lines).toContain("[1/1] ws-q: applying 2 changes");
    expect(lines.find((line) => line.includes(" applied ("))).toMatch(/^\[1\/1\] ws-q: 2\/2 applied \(/);
  });

  it("lists the stacks never started after a failure", async () => {
    const stacks = ["ws-s001", "ws-s002", "ws-s003"];
    for (const stack of stacks) await saveStackPlan(stack, creating);
    await saveSet(stacks);
    await expect(applyAll(standIn(["ws-s001"]))).rejects.toThrow(/^\[1\/3\] ws-s001: apply failed:[\s\S]*\nNot applied: ws-s001, ws-s002, ws-s003\./);
  });

  it("refuses a binary plan rewritten after it was planned (another plan): nothing applied", async () => {
    await saveStackPlan("ws-q", creating);
    await saveSet(["ws-q"]);
    const { set, plans } = await readPlanSet(paths.stateDir);
    await writeFile(planFile(paths, "ws-q"), JSON.stringify(deletingAll)); // what a concurrent `plan --stack ws-q` left
    const terraform = standIn();
    await expect(applySavedPlans(set, plans, terraform, paths, options)).rejects.toThrow(/the saved plan .*ws-q\.tfplan is not the plan this apply was given .*Nothing was applied to this stack/);
    expect(terraform.applied).toEqual([]);
  });

  it("judges the destroy guard on the plan file applied, not on what was saved beside it", async () => {
    await saveStackPlan("ws-q", deletingAll, creating);
    await saveSet(["ws-q"]);
    const terraform = standIn();
    await expect(applyAll(terraform)).rejects.toThrow(
      /the plan file about to be applied goes over the destroy guard; nothing was applied to this stack:\nstack ws-q: the plan removes or replaces 5 of 5 Okta apps/,
    );
    expect(terraform.applied).toEqual([]);
    await applyAll(terraform, { allowDestroy: true });
    expect(terraform.applied).toEqual(["ws-q"]);
  });

  it("judges the first stacks' plan files while Okta is asked about the credentials, not after", async () => {
    for (const stack of ["ws-p", "ws-q", "ws-r"]) await saveStackPlan(stack, creating);
    await saveSet(["ws-p", "ws-q", "ws-r"], 2);
    const shown: string[] = [];
    let shownFirst = () => {};
    const firstShow = new Promise<void>((resolve) => (shownFirst = resolve));
    const terraform = standIn();
    const showPlan = terraform.showPlan;
    terraform.showPlan = async (dir, file) => {
      shown.push(path.basename(dir));
      shownFirst();
      return showPlan(dir, file);
    };
    let shownDuringCheck: string[] = [];
    // On the code before, the guard ran only after this check: it would wait out the 10 s and see nothing shown.
    const checkCredentials = async () => {
      await Promise.race([firstShow, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      shownDuringCheck = [...shown];
    };
    await applyAll(terraform, { checkCredentials, parallel: 2 });
    expect(shownDuringCheck.length).toBeGreaterThan(0);
    expect(shownDuringCheck.every((stack) => ["ws-p", "ws-q"].includes(stack))).toBe(true);
    expect(shown.sort()).toEqual(["ws-p", "ws-q", "ws-r"]);
    expect(terraform.applied.sort()).toEqual(["ws-p", "ws-q", "ws-r"]);
  });

  it("leaves no copy of a plan file behind and applies nothing when Okta refuses the credentials", async () => {
    await saveStackPlan("ws-q", creating);
    await saveSet(["ws-q"]);
    const terraform = standIn();
    const checkCredentials = () => Promise.reject(new Error("Okta rejected the credentials (401)"));
    await expect(applyAll(terraform, { checkCredentials })).rejects.toThrow("Okta rejected the credentials (401)");
    expect(terraform.applied).toEqual([]);
    const plansDir = path.dirname(planFile(paths, "ws-q"));
    expect((await readdir(plansDir)).filter((name) => name.startsWith(".applying"))).toEqual([]);
    await applyAll(terraform);
    expect(terraform.applied).toEqual(["ws-q"]);
  });

  it("tells a new plan which stacks of the saved set were never applied (their plan is replaced)", async () => {
    expect(await unappliedStacks(paths.stateDir)).toEqual([]);
    await saveStackPlan("ws-p", creating);
    await saveStackPlan("ws-q", { format_version: "1.2", resource_changes: [] });
    await saveSet(["ws-p", "ws-q"]);
    expect(await unappliedStacks(paths.stateDir)).toEqual(["ws-p"]);
    await applyAll(standIn());
    expect(await unappliedStacks(paths.stateDir)).toEqual([]);
  });

  it("forgets many stacks of a saved set at once: their files go, the rest stays whole and applicable", async () => {
    const stacks = ["ws-a", "ws-b", "ws-c", "ws-d"];
    for (const stack of stacks) await saveStackPlan(stack, creating);
    await saveSet(stacks);
    const { set } = await readPlanSet(paths.stateDir);
    const rest = await forgetPlans(paths, set, ["ws-a", "ws-c"]);
    expect(rest.stacks).toEqual(["ws-b", "ws-d"]);
    expect(["ws-a", "ws-b", "ws-c", "ws-d"].map((stack) => existsSync(planFile(paths, stack)))).toEqual([false, true, false, true]);
    expect((await readPlanSet(paths.stateDir)).plans.map((plan) => plan.stack)).toEqual(["ws-b", "ws-d"]);
    await forgetPlans(paths, rest, ["ws-b", "ws-d"]);
    await expect(readPlanSet(paths.stateDir)).rejects.toThrow();
  });

  it("refuses a plan set one of whose plans another plan rewrote since", async () => {
    await saveStackPlan("ws-p", creating);
    await saveStackPlan("ws-q", creating);
    await saveSet(["ws-p", "ws-q"]);
    await saveStackPlan("ws-q", deletingAll);
    await expect(readPlanSet(paths.stateDir)).rejects.toThrow(/the saved plan set in .* is not whole: the plan of stack ws-q is not the one the set was saved with/);
  });
});

describe("a stack folder's digest", () => {
  let outDir: string;
  const paths = () => ({ outDir, stateDir: path.join(outDir, ".state") });
  beforeEach(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), "cerby-okta-stack-digest-"));
  });
  afterEach(async () => rm(outDir, { recursive: true, force: true }));

  async function writeStack(stack: string, data: object | undefined) {
    const dir = stackDir(paths(), stack);
    await ensureFolder(dir);
    await writeFile(path.join(dir, STACK_CONFIG_FILE), '{"resource":{}}');
    if (data) await writeFile(path.join(dir, STACK_DATA_FILE), JSON.stringify(data));
  }

  it("read without parsing (apply) is the one plan records, for a folder with or without its data file", async () => {
    await writeStack("plain", { accounts: { "a-1": {} } });
    await writeStack("no-data", undefined);
    await writeStack("importing", { accounts: {}, adopt: { apps: { "a-1": "0oa1" }, accessGroups: {} } });
    for (const stack of ["plain", "no-data", "importing"]) {
      const fingerprint = await stackFingerprint(paths(), stack);
      expect([stack, await stackDigest(paths(), stack)]).toEqual([stack, fingerprint.digest]);
    }
    // Settled leaves out only what an import takes in.
    const plain = await stackFingerprint(paths(), "plain");
    expect([plain.importing, plain.settled]).toEqual([false, plain.digest]);
    const importing = await stackFingerprint(paths(), "importing");
    expect(importing.importing).toBe(true);
    expect(importing.settled).not.toBe(importing.digest);
    await writeStack("imported", { accounts: {}, adopt: { apps: {}, accessGroups: {} } });
    expect(importing.settled).toBe((await stackFingerprint(paths(), "imported")).digest);
  });

  it("changes with either file's bytes", async () => {
    await writeStack("s", { accounts: {} });
    const before = await stackDigest(paths(), "s");
    await writeFile(path.join(stackDir(paths(), "s"), STACK_DATA_FILE), JSON.stringify({ accounts: {} }) + " ");
    expect(await stackDigest(paths(), "s")).not.toBe(before);
  });
});
