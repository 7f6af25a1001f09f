// What reshard moves, and what it refuses, with Terraform's state in memory.
import { mkdtemp, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { stackUnits } from "../../src/stack/shards.ts";
import { heldByAccount, reshard, stacksLeftBehind } from "../../src/sync/reshard.ts";
import { recordSync } from "../../src/sync/status.ts";
import type { Terraform } from "../../src/terraform/terraform.ts";
import { makeAccount, makeUser, makeWorkspace, userGrant } from "../support/workspace-builder.ts";

function workspaceOf(accountIds: string[]) {
  return computeDesiredState([
    makeWorkspace({
      users: [makeUser("u-owner", { oktaUserId: "00uowner" })],
      accounts: accountIds.map((id) => makeAccount(id, { name: `Brand ${id}`, grants: [userGrant("u-owner", "owner")], extendedBy: "u-owner" })),
    }),
  ]).workspaces[0]!;
}

/** A state as `terraform state pull` gives it, holding these accounts' four resources. */
function stateOf(accountIds: string[]) {
  const instances = (prefix: string) => accountIds.map((id) => ({ index_key: id, attributes: { id: `${prefix}-${id}` } }));
  return {
    resources: [
      { mode: "managed", type: "okta_app_bookmark", name: "app", instances: instances("0oa") },
      { mode: "managed", type: "okta_group", name: "access", instances: instances("00g") },
      { mode: "managed", type: "okta_group_memberships", name: "access_members", instances: instances("00g") },
      { mode: "managed", type: "okta_app_group_assignments", name: "assignments", instances: instances("0oa") },
      { mode: "data", type: "okta_users", name: "by_login", instances: [{ index_key: "u-owner", attributes: { id: "x" } }] },
    ],
  };
}

function memoryTerraform(states: Map<string, ReturnType<typeof stateOf>>, forgotten: Map<string, string[]>): Terraform {
  const stackOf = (dir: string) => path.basename(dir);
  return {
    init: async () => undefined,
    plan: async () => ({ hasChanges: false }),
    showPlan: async () => ({}),
    apply: async () => undefined,
    showState: async () => ({}),
    pullState: async (dir) => states.get(stackOf(dir)) ?? {},
    forget: async (dir, addresses) => void forgotten.set(stackOf(dir), [...(forgotten.get(stackOf(dir)) ?? []), ...addresses]),
  };
}

async function tempPaths() {
  const root = await mkdtemp(path.join(os.tmpdir(), "reshard-"));
  await mkdir(path.join(root, "state"), { recursive: true });
  return { outDir: path.join(root, "out"), stateDir: path.join(root, "state") };
}

describe("reshard", () => {
  it("moves each account's four instances out of its old state and imports its app and group by ID in its new stack", async () => {
    const ids = ["__proto__", "constructor", ...Array.from({ length: 20 }, (_, index) => `a-${index}`)];
    const workspace = workspaceOf(ids);
    const newStacks = stackUnits([workspace], new Map([[workspace.id, 4]]));
    const states = new Map([[workspace.id, stateOf(ids)]]);
    const forgotten = new Map<string, string[]>();
    const paths = await tempPaths();
    await recordSync(paths.stateDir, { stack: workspace.id, workspaceId: workspace.id, shards: 1, digest: "d" }, {}, new Date());
    expect([...(await stacksLeftBehind(paths.stateDir, newStacks))]).toEqual([[workspace.id, [workspace.id]]]);

    let written: Map<string, unknown> | undefined;
    const result = await reshard([workspace.id], newStacks, memoryTerraform(states, forgotten), paths, {
      writeImports: async (imports) => void (written = new Map(imports)),
      log: () => undefined,
    });
    expect(result.moves).toHaveLength(ids.length);
    expect(forgotten.get(workspace.id)).toHaveLength(ids.length * 4);
    expect(forgotten.get(workspace.id)).toContain('okta_app_bookmark.app["__proto__"]');
    for (const stack of newStacks) {
      const imports = written!.get(stack.id) as { apps: Record<string, string>; accessGroups: Record<string, string> };
      expect(Object.keys(imports.apps).sort()).toEqual(stack.chiclets.map((chiclet) => chiclet.accountId).sort());
      for (const chiclet of stack.chiclets) {
        expect(imports.apps[chiclet.accountId]).toBe(`0oa-${chiclet.accountId}`);
        expect(imports.accessGroups[chiclet.accountId]).toBe(`00g-${chiclet.accountId}`);
      }
    }
    // The old stack's record is gone, so plans are no longer refused.
    expect((await stacksLeftBehind(paths.stateDir, newStacks)).size).toBe(0);
  });

  it("refuses, changing nothing, when a stack that goes away holds an account no longer in the workspace", async () => {
    const workspace = workspaceOf(["a-1", "a-2"]);
    const states = new Map([[workspace.id, stateOf(["a-1", "a-2", "a-gone"])]]);
    const forgotten = new Map<string, string[]>();
    let wrote = false;
    await expect(
      reshard([workspace.id], stackUnits([workspace], new Map([[workspace.id, 2]])), memoryTerraform(states, forgotten), await tempPaths(), {
        writeImports: async () => void (wrote = true),
        log: () => undefined,
      }),
    ).rejects.toThrow(/account a-gone is in the state of stack .* but no longer in the workspace/);
    expect(wrote).toBe(false);
    expect(forgotten.size).toBe(0);
  });

  it("reads every instance of the account's resources from a state, and nothing of data sources", () => {
    const held = heldByAccount(stateOf(["a-1"]));
    expect([...held.keys()]).toEqual(["a-1"]);
    expect(held.get("a-1")).toMatchObject({ appId: "0oa-a-1", groupId: "00g-a-1" });
    expect(held.get("a-1")!.addresses).toHaveLength(4);
  });
});
