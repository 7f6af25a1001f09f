// Which existing Okta objects `adopt` takes, and which creates a plan holds:
// pure functions over the stack data, the org's objects and the states.
import { describe, expect, it } from "vitest";
import { buildStackData } from "../../src/stack/stack-data.ts";
import { matchExisting, type Held } from "../../src/sync/adopt.ts";
import { plannedCreates } from "../../src/sync/create-check.ts";
import { existingObjects, type OrgApp } from "../../src/okta-api/org-objects.ts";
import type { DesiredWorkspace } from "../../src/domain/desired-state.ts";

const chiclet = (accountId: string, label: string) => ({ accountId, label, url: `https://acme.cerby.com/accounts/${accountId}/login`, groups: [], users: [], extendedBy: "u", extendedAt: "2026-02-01T09:00:00Z" });
const data = buildStackData({ id: "ws", workspaceId: "ws", chiclets: [chiclet("a-1", "Promo - Instagram"), chiclet("a-2", "Shop - X")], people: [] } as unknown as DesiredWorkspace);
const app = (id: string, label: string): OrgApp => ({ id, label, url: "https://hand.example/", status: "ACTIVE" });
const existing = (apps: OrgApp[], groups: [string, string][] = []) => existingObjects(apps, new Map(groups));
const nothingHeld: Held = { apps: new Set(), accessGroups: new Set(), ids: new Map(), elsewhere: new Map() };

describe("adopt", () => {
  it("matches labels as R4 compares them: case and spacing do not count", () => {
    const match = matchExisting(data, existing([app("0oa1", "  promo -   INSTAGRAM ")]), nothingHeld);
    expect({ ...match.adoption.apps }).toEqual({ "a-1": "0oa1" });
    expect(match.toCreate).toBe(1);
  });

  it("adopts an orphaned access group of an account whose app is managed", () => {
    const held: Held = { apps: new Set(["a-1", "a-2"]), accessGroups: new Set(["a-2"]), ids: new Map([["0oa1", "a-1"]]), elsewhere: new Map() };
    const match = matchExisting(data, existing([app("0oa1", "Promo - Instagram")], [["cerby-okta/ws/a-1", "00g1"]]), held);
    expect({ ...match.adoption.accessGroups }).toEqual({ "a-1": "00g1" });
    expect({ ...match.adoption.apps }).toEqual({});
  });

  it("never takes what another stack's state holds, nor an app this stack manages for another account", () => {
    const held: Held = {
      apps: new Set(["a-1"]),
      accessGroups: new Set(["a-1"]),
      ids: new Map([["0oa1", "a-1"]]),
      elsewhere: new Map([["00g2", { stack: "ws-other", accountId: "a-2", switchedOff: true }]]),
    };
    const match = matchExisting(data, existing([app("0oa1", "Shop - X")], [["cerby-okta/ws/a-2", "00g2"]]), held);
    expect(match.adopted).toEqual([]);
    expect(match.notTaken).toEqual([
      'app 0oa1 "Shop - X" matches account a-2, not taken: this stack already manages it for account a-1',
      "group 00g2 cerby-okta/ws/a-2, not taken: the state of stack ws-other holds it (account a-2)",
    ]);
  });

  it("refuses a label held by several apps as ambiguous", () => {
    const match = matchExisting(data, existing([app("0oa1", "Promo - Instagram"), app("0oa2", "PROMO - Instagram")]), nothingHeld);
    expect(match.ambiguous).toEqual(['"Promo - Instagram" (account a-1) is the label of 2 Okta apps: 0oa1, 0oa2']);
  });
});

describe("the creates of a plan", () => {
  it("are the apps and access groups created, not imported or replaced", () => {
    const change = (type: string, name: string, index: string, actions: string[], importing?: object) => ({ mode: "managed", type, name, index, change: { actions, importing } });
    const plan = {
      resource_changes: [
        change("okta_app_bookmark", "app", "a-1", ["create"]),
        change("okta_app_bookmark", "app", "a-2", ["no-op"], { id: "0oa2" }),
        change("okta_app_bookmark", "app", "a-3", ["delete", "create"]),
        change("okta_group", "access", "a-1", ["create"]),
        change("okta_group", "access", "a-4", ["create"]),
        change("okta_group_memberships", "access_members", "a-4", ["create"]),
      ],
    };
    expect(plannedCreates(plan)).toEqual({ apps: ["a-1"], accessGroups: ["a-1", "a-4"] });
  });
});
