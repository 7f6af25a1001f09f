// What reshard moves, and what it refuses, with Terraform's state in memory.
import { mkdtemp, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { stackUnits } from "../../src/stack/shards.ts";
import { heldByAccount, readReshardJournal, refuseUnmovedShards, reshard, stacksLeftBehind, type ImportFiles } from "../../src/sync/reshard.ts";
import type { Adoption } from "../../src/stack/stack-data.ts";
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

function change(workspaceId: string, from: number, to: number) {
  return { workspaces: [workspaceId], from: new Map([[workspaceId, from]]), to: new Map([[workspaceId, to]]) };
}

/** Adoption files in memory; an empty adoption removes the stack's. */
function memoryImports(files: Map<string, Adoption>): ImportFiles {
  return {
    read: async (stack) => files.get(stack),
    write: async (stack, adoption) => {
      if (Object.keys(adoption.apps).length === 0 && Object.keys(adoption.accessGroups).length === 0) files.delete(stack);
      else files.set(stack, adoption);
    },
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

    const written = new Map<string, Adoption>();
    const oldStacks = stackUnits([workspace]);
    const result = await reshard(change(workspace.id, 1, 4), oldStacks, newStacks, memoryTerraform(states, forgotten), paths, {
      imports: memoryImports(written),
      log: () => undefined,
    });
    expect(result.moves).toHaveLength(ids.length);
    expect(forgotten.get(workspace.id)).toHaveLength(ids.length * 4);
    expect(forgotten.get(workspace.id)).toContain('okta_app_bookmark.app["__proto__"]');
    for (const stack of newStacks) {
      const imports = written.get(stack.id)!;
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
    const written = new Map<string, Adoption>();
    await expect(
      reshard(change(workspace.id, 1, 2), stackUnits([workspace]), stackUnits([workspace], new Map([[workspace.id, 2]])), memoryTerraform(states, forgotten), await tempPaths(), {
        imports: memoryImports(written),
        log: () => undefined,
      }),
    ).rejects.toThrow(/account a-gone is in the state of stack .* but no longer in the workspace/);
    expect(written.size).toBe(0);
    expect(forgotten.size).toBe(0);
  });

  it("moves back what the old stacks were still to import (a reshard not applied yet), and says so", async () => {
    const ids = Array.from({ length: 12 }, (_, index) => `a-${index}`);
    const workspace = workspaceOf(ids);
    const four = stackUnits([workspace], new Map([[workspace.id, 4]]));
    const one = stackUnits([workspace]);
    const states = new Map([[workspace.id, stateOf(ids)]]);
    const written = new Map<string, Adoption>();
    const paths = await tempPaths();
    const options = { imports: memoryImports(written), log: () => undefined };
    await reshard(change(workspace.id, 1, 4), one, four, memoryTerraform(states, new Map()), paths, options);
    expect([...written.keys()].sort()).toEqual(four.map((stack) => stack.id));
    // The states moved out of; now back to one stack before any apply: the pending imports come back.
    states.set(workspace.id, { resources: [] });
    const back = await reshard(change(workspace.id, 4, 1), four, one, memoryTerraform(states, new Map()), paths, options);
    expect(back.moves).toHaveLength(12);
    expect([...written.keys()]).toEqual([workspace.id]);
    expect(Object.keys(written.get(workspace.id)!.apps).sort()).toEqual([...ids].sort());
    expect((await readReshardJournal(paths.stateDir)).workspaces[workspace.id]).toMatchObject({ from: 4, to: 1, state: "done" });
  });

  it("is finished by running it again after it stopped midway, and plan waits for that", async () => {
    const ids = Array.from({ length: 12 }, (_, index) => `a-${index}`);
    const workspace = workspaceOf(ids);
    const two = stackUnits([workspace], new Map([[workspace.id, 2]]));
    const four = stackUnits([workspace], new Map([[workspace.id, 4]]));
    const states = new Map(two.map((stack) => [stack.id, stateOf(stack.chiclets.map((chiclet) => chiclet.accountId))]));
    const written = new Map<string, Adoption>();
    const paths = await tempPaths();
    const forgotten = new Map<string, string[]>();
    const stopping = memoryTerraform(states, forgotten);
    // Stopped as it removes the moved accounts from the second old state.
    const stopped: Terraform = { ...stopping, forget: async (dir, addresses) => (path.basename(dir) === two[1]!.id ? Promise.reject(new Error("killed")) : stopping.forget(dir, addresses)) };
    await expect(reshard(change(workspace.id, 2, 4), two, four, stopped, paths, { imports: memoryImports(written), log: () => undefined })).rejects.toThrow("killed");
    await expect(refuseUnmovedShards(paths.stateDir, four)).rejects.toThrow(/a reshard stopped midway: ws-test \(2 -> 4 shards\).*Run `cerby-okta reshard` to finish it/);
    // What the first run removed from the first state is gone from it.
    for (const [stack, addresses] of forgotten) {
      const keep = new Set(addresses);
      const state = states.get(stack)!;
      for (const resource of state.resources) resource.instances = resource.instances.filter((instance) => !keep.has(`${resource.type}.${resource.name}["${instance.index_key}"]`));
    }
    const again = await reshard(change(workspace.id, 2, 4), two, four, memoryTerraform(states, forgotten), paths, { imports: memoryImports(written), log: () => undefined });
    // Every account that changed stack, from both runs, once; each new stack imports exactly its accounts.
    const changing = ids.filter((id) => two.find((stack) => stack.chiclets.some((chiclet) => chiclet.accountId === id))!.id !== four.find((stack) => stack.chiclets.some((chiclet) => chiclet.accountId === id))!.id);
    expect(again.moves.map((move) => move.accountId).sort()).toEqual(changing.sort());
    for (const stack of four) {
      const imported = Object.keys(written.get(stack.id)?.apps ?? {}).sort();
      expect(imported).toEqual(stack.chiclets.map((chiclet) => chiclet.accountId).filter((id) => changing.includes(id)).sort());
    }
    await expect(refuseUnmovedShards(paths.stateDir, four)).resolves.toBeUndefined();
  });

  it("reads every instance of the account's resources from a state, and nothing of data sources", () => {
    const held = heldByAccount(stateOf(["a-1"]));
    expect([...held.keys()]).toEqual(["a-1"]);
    expect(held.get("a-1")).toMatchObject({ appId: "0oa-a-1", groupId: "00g-a-1" });
    expect(held.get("a-1")!.addresses).toHaveLength(4);
  });
});
