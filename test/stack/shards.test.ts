// Splitting a large workspace into shards: stable, complete, and numbered across the org.
import { describe, expect, it } from "vitest";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { buildStackData } from "../../src/stack/stack-data.ts";
import { chooseShardCounts, movedAccounts, reshardAdvice, shardOf, stackUnits, suggestedShardCount } from "../../src/stack/shards.ts";
import { makeAccount, makeUser, makeWorkspace, userGrant } from "../support/workspace-builder.ts";

function workspaceOf(accounts: number) {
  const users = [makeUser("u-owner", { oktaUserId: "00uowner" }), ...Array.from({ length: 20 }, (_, index) => makeUser(`u-${index}`, { oktaUserId: `00u${index}` }))];
  return makeWorkspace({
    users,
    accounts: Array.from({ length: accounts }, (_, index) =>
      makeAccount(`a-${index}`, { name: index % 7 === 0 ? "Shared" : `Brand ${index}`, grants: [userGrant("u-owner", "owner"), userGrant(`u-${index % 20}`, "collaborator")], extendedBy: "u-owner" }),
    ),
  });
}

describe("shards", () => {
  it("refuse a count whose shard stack ID is a workspace's, synced or not: the two would share one state", () => {
    for (const extendedAccountAccess of [true, false]) {
      const desired = computeDesiredState([makeWorkspace({ id: "ws2" }), makeWorkspace({ id: "ws2-s001", extendedAccountAccess })]).workspaces;
      expect(() => stackUnits(desired, new Map([["ws2", 2]]))).toThrow(
        "cerby-okta.yaml `shards:` splits workspace ws2 into 2 stacks, ws2-s000 to ws2-s001, but ws2-s001 is also a workspace's ID: the two would share one Terraform state",
      );
      expect(() => stackUnits(desired, new Map([["ws2", 2]]))).toThrow("Leave ws2 whole; nothing was planned");
      expect(stackUnits(desired, new Map([["ws2", 1]])).map((unit) => unit.id)).toEqual(extendedAccountAccess ? ["ws2", "ws2-s001"] : ["ws2"]);
    }
  });

  it("put every account in exactly one shard, each shard with only its people", () => {
    const [workspace] = computeDesiredState([workspaceOf(300)]).workspaces;
    const units = stackUnits([workspace!], new Map([[workspace!.id, 4]]));
    expect(units.map((unit) => unit.id)).toEqual([0, 1, 2, 3].map((index) => `${workspace!.id}-s00${index}`));
    expect(units.flatMap((unit) => unit.chiclets.map((chiclet) => chiclet.accountId)).sort()).toEqual(workspace!.chiclets.map((chiclet) => chiclet.accountId).sort());
    for (const unit of units) {
      expect(unit.workspaceId).toBe(workspace!.id);
      const seen = new Set(unit.chiclets.flatMap((chiclet) => chiclet.users));
      expect(unit.people.map((person) => person.id).sort()).toEqual([...seen].sort());
      expect(unit.chiclets.length).toBeGreaterThan(40);
    }
  });

  it("keep an account in its shard as other accounts come and go", () => {
    const [before] = computeDesiredState([workspaceOf(300)]).workspaces;
    const [after] = computeDesiredState([workspaceOf(400)]).workspaces;
    const shardsOf = (units: ReturnType<typeof stackUnits>) => new Map(units.flatMap((unit) => unit.chiclets.map((chiclet) => [chiclet.accountId, unit.id] as const)));
    const old = shardsOf(stackUnits([before!], new Map([[before!.id, 8]])));
    const now = shardsOf(stackUnits([after!], new Map([[after!.id, 8]])));
    for (const [accountId, stack] of old) expect(now.get(accountId)).toBe(stack);
    expect(shardOf("a-1", 8)).toBe(shardOf("a-1", 8));
  });

  it("keep labels numbered across the whole org, and group names those of the workspace", () => {
    const [workspace] = computeDesiredState([workspaceOf(300)]).workspaces;
    const units = stackUnits([workspace!], new Map([[workspace!.id, 4]]));
    const labels = units.flatMap((unit) => unit.chiclets.map((chiclet) => chiclet.label));
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.filter((label) => label.startsWith("Shared - ")).length).toBe(workspace!.chiclets.filter((chiclet) => chiclet.label.startsWith("Shared - ")).length);
    const data = buildStackData(units[1]!);
    expect(data.workspaceId).toBe(workspace!.id);
    for (const group of Object.values(data.accessGroups)) expect(group.name.startsWith(`cerby-okta/${workspace!.id}/`)).toBe(true);
  });

  it("leave a workspace unsharded unless told, under its own ID", () => {
    const [workspace] = computeDesiredState([workspaceOf(30)]).workspaces;
    expect(stackUnits([workspace!]).map((unit) => unit.id)).toEqual([workspace!.id]);
    expect(suggestedShardCount(128)).toBe(1);
    expect(suggestedShardCount(200)).toBe(2);
    expect(suggestedShardCount(1_000)).toBe(8);
    expect(suggestedShardCount(10_000)).toBe(128);
  });
});

describe("choosing a workspace's shard count", () => {
  const [big] = computeDesiredState([workspaceOf(1_000)]).workspaces;
  const id = big!.id;

  it("gives a workspace never synced the advised count, and one in use the count it is in", () => {
    expect(chooseShardCounts([big!], new Map(), new Map())).toEqual([{ workspaceId: id, accounts: 1_000, count: 8, source: "advised", advised: 8 }]);
    expect(chooseShardCounts([big!], new Map(), new Map([[id, [1]]]))[0]).toMatchObject({ count: 1, source: "in use" });
    expect(chooseShardCounts([big!], new Map([[id, 3]]), new Map([[id, [1]]]))[0]).toMatchObject({ count: 3, source: "configured" });
  });

  it("asks for shards: when the records of a workspace's applies disagree", () => {
    expect(() => chooseShardCounts([big!], new Map(), new Map([[id, [1, 8]]]))).toThrow(/applied with 1 and 8 shards.*name the count its accounts are in under `shards:`/);
  });

  it("advises a reshard only when shards are far from the recommended size", () => {
    const choice = (accounts: number, count: number) => ({ workspaceId: id, accounts, count, source: "in use" as const, advised: suggestedShardCount(accounts) });
    expect(reshardAdvice(choice(950, 1))).toBe(8);
    expect(reshardAdvice(choice(250, 1))).toBeUndefined();
    expect(reshardAdvice(choice(1_100, 8))).toBeUndefined();
    expect(reshardAdvice(choice(100, 8))).toBe(1);
  });

  it("moves every account out of one stack, and about half when the count doubles", () => {
    expect(movedAccounts(big!.chiclets, 1, 8)).toHaveLength(1_000);
    expect(movedAccounts(big!.chiclets, 8, 8)).toHaveLength(0);
    const half = movedAccounts(big!.chiclets, 8, 16).length;
    expect(half).toBeGreaterThan(400);
    expect(half).toBeLessThan(600);
  });
});
