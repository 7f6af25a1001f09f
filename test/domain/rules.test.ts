// Rules R1–R6 (shared/domain.md) as computeDesiredState applies them to
// workspaces built in memory, plus the preview document and the API cost.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { estimateWorkspaceCost, minutesAtRateLimits, OPERATION_CALLS, totalCalls } from "../../src/domain/api-cost.ts";
import { computeDesiredState, DEFAULT_LOGIN_URL, type DesiredWorkspace } from "../../src/domain/desired-state.ts";
import { previewDocument } from "../../src/domain/preview.ts";
import type { Workspace } from "../../src/workspace/model.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { makeAccount, makeTeam, makeUser, makeWorkspace, ownedAccount, teamGrant, userGrant } from "../support/workspace-builder.ts";

/** The desired state of each workspace, by workspace ID. */
function desired(...workspaces: Workspace[]): Map<string, DesiredWorkspace> {
  return new Map(computeDesiredState(workspaces).workspaces.map((workspace) => [workspace.id, workspace]));
}

/** The one workspace of a single-workspace state. */
function only(workspace: Workspace): DesiredWorkspace {
  const state = computeDesiredState([workspace]);
  expect(state.workspaces).toHaveLength(1);
  return state.workspaces[0]!;
}

/** accountId → label of a desired workspace. */
function labels(workspace: DesiredWorkspace): Record<string, string> {
  return Object.fromEntries(workspace.chiclets.map((chiclet) => [chiclet.accountId, chiclet.label]));
}

function chiclet(workspace: DesiredWorkspace, accountId: string) {
  const found = workspace.chiclets.find((candidate) => candidate.accountId === accountId);
  if (!found) throw new Error(`no chiclet for ${accountId} in ${workspace.id}: ${JSON.stringify(workspace.chiclets)}`);
  return found;
}

const alice = makeUser("u-alice", { workspaceRole: "owner" });
const bob = makeUser("u-bob");

describe("R1: nothing syncs unless the workspace switch is on", () => {
  const accounts = [ownedAccount("a-one", "u-alice"), makeAccount("a-bad", { grants: [userGrant("u-bob", "collaborator")], extendedBy: "u-bob" })];

  it("marks a workspace with the switch off as not synced, with no chiclets and no rejections", () => {
    const workspace = only(makeWorkspace({ extendedAccountAccess: false, users: [alice, bob], accounts }));
    expect(workspace.synced).toBe(false);
    expect(workspace.chiclets).toEqual([]);
    expect(workspace.rejected).toEqual([]);
    expect(workspace.people).toEqual([]);
    expect(workspace.warnings.join("\n")).toMatch(/Extended account access is off.*stays/);
  });

  it("treats a missing switch like a switch that is off", () => {
    const spec = { users: [alice, bob], accounts };
    const missing = only(makeWorkspace({ ...spec, extendedAccountAccess: undefined }));
    const off = only(makeWorkspace({ ...spec, extendedAccountAccess: false }));
    expect(missing.synced).toBe(false);
    expect(missing.chiclets).toEqual([]);
    expect(previewDocument({ workspaces: [missing] })).toEqual(previewDocument({ workspaces: [off] }));
  });

  it("syncs the same workspace once the switch is on", () => {
    const workspace = only(makeWorkspace({ extendedAccountAccess: true, users: [alice, bob], accounts }));
    expect(workspace.synced).toBe(true);
    expect(workspace.chiclets.map((c) => c.accountId)).toEqual(["a-one"]);
    expect(workspace.rejected.map((r) => r.accountId)).toEqual(["a-bad"]);
  });

  it("lets accounts of a workspace with the switch off take no label in the shared Okta org", () => {
    const off = makeWorkspace({ id: "ws-off", extendedAccountAccess: false, users: [alice], accounts: [ownedAccount("a-early", "u-alice", { extendedAt: "2026-01-01T00:00:00Z" })] });
    const on = makeWorkspace({ id: "ws-on", users: [alice], accounts: [ownedAccount("a-late", "u-alice", { extendedAt: "2026-06-01T00:00:00Z" })] });
    expect(labels(desired(off, on).get("ws-on")!)).toEqual({ "a-late": "Contentzilla - Instagram" });
  });
});

describe("R2: only an owner whose workspace role allows it may extend", () => {
  function extendedBy(user: ReturnType<typeof makeUser>, grants = [userGrant(user.id, "owner")], teams: ReturnType<typeof makeTeam>[] = []) {
    return only(makeWorkspace({ users: [alice, user], teams, accounts: [makeAccount("a-one", { grants, extendedBy: user.id })] }));
  }

  it.each(["login_only", "guest"] as const)("rejects an owner whose workspace role is %s, naming the role", (role) => {
    const workspace = extendedBy(makeUser("u-x", { workspaceRole: role }));
    expect(workspace.chiclets).toEqual([]);
    expect(workspace.rejected).toEqual([
      { accountId: "a-one", reason: `extended by u-x, whose workspace role ${role} may not extend accounts` },
    ]);
  });

  it.each(["owner", "super_admin", "admin", "user"] as const)("accepts an owner whose workspace role is %s", (role) => {
    const workspace = extendedBy(makeUser("u-x", { workspaceRole: role }));
    expect(workspace.rejected).toEqual([]);
    expect(workspace.chiclets.map((c) => [c.accountId, c.extendedBy])).toEqual([["a-one", "u-x"]]);
  });

  it.each(["collaborator", "manager"] as const)("rejects a %s who is not an owner, saying so", (role) => {
    const workspace = extendedBy(bob, [userGrant("u-alice", "owner"), userGrant("u-bob", role)]);
    expect(workspace.chiclets).toEqual([]);
    expect(workspace.rejected).toEqual([
      { accountId: "a-one", reason: "extended by u-bob, who does not hold the owner role on this account (directly or through a team)" },
    ]);
  });

  it("rejects a user with no grant at all", () => {
    const workspace = extendedBy(bob, [userGrant("u-alice", "owner")]);
    expect(workspace.rejected.map((r) => r.reason)).toEqual([expect.stringMatching(/u-bob, who does not hold the owner role/)]);
  });

  it("accepts an owner through a self-managed team", () => {
    const workspace = extendedBy(bob, [teamGrant("t-agency", "owner")], [makeTeam("t-agency", ["u-bob"])]);
    expect(workspace.rejected).toEqual([]);
    expect(chiclet(workspace, "a-one").users).toEqual(["u-bob"]);
  });

  it("accepts an owner through an IdP-managed team's last-known members", () => {
    const workspace = extendedBy(bob, [teamGrant("t-social", "owner")], [makeTeam("t-social", ["u-alice", "u-bob"], "00g1social")]);
    expect(workspace.rejected).toEqual([]);
    expect(chiclet(workspace, "a-one")).toMatchObject({ users: [], groups: ["00g1social"] });
  });

  it("rejects a member of a team that holds only collaborator", () => {
    const workspace = extendedBy(bob, [userGrant("u-alice", "owner"), teamGrant("t-agency", "collaborator")], [makeTeam("t-agency", ["u-bob"])]);
    expect(workspace.rejected.map((r) => r.accountId)).toEqual(["a-one"]);
  });

  it("rejects a login_only owner even through a team", () => {
    const dave = makeUser("u-dave", { workspaceRole: "login_only" });
    const workspace = extendedBy(dave, [teamGrant("t-agency", "owner")], [makeTeam("t-agency", ["u-dave"])]);
    expect(workspace.rejected.map((r) => r.reason)).toEqual([expect.stringContaining("login_only may not extend")]);
  });

  it("names each rejected account in the preview warnings", () => {
    const workspace = extendedBy(bob, [userGrant("u-alice", "owner")]);
    expect(previewDocument({ workspaces: [workspace] }).workspaces[0]!.warnings[0]).toBe(
      "account a-one rejected: extended by u-bob, who does not hold the owner role on this account (directly or through a team)",
    );
  });

  it("does not count accounts without an okta block as rejected", () => {
    const workspace = only(makeWorkspace({ users: [alice], accounts: [makeAccount("a-plain", { grants: [userGrant("u-alice", "owner")] })] }));
    expect(workspace.rejected).toEqual([]);
    expect(workspace.chiclets).toEqual([]);
    expect(workspace.notExtended).toBe(1);
  });
});

describe("R3: one chiclet per extended account, labelled `<name> - <app>`", () => {
  it("labels a chiclet with the account name, a spaced dash and the app name", () => {
    const workspace = only(makeWorkspace({ users: [alice], accounts: [ownedAccount("a-one", "u-alice", { name: "Contentzilla", app: "Instagram" })] }));
    expect(workspace.chiclets.map((c) => c.label)).toEqual(["Contentzilla - Instagram"]);
  });

  it("keeps hostile names exactly as typed", () => {
    const name = '${file("/etc/passwd")} %{ if true }x%{ endif } "quoted" \\ back';
    const app = "App\u0007 - with - dashes ";
    const workspace = only(makeWorkspace({ users: [alice], accounts: [ownedAccount("a-one", "u-alice", { name, app })] }));
    expect(workspace.chiclets[0]!.label).toBe(`${name} - ${app}`);
  });

  it("shortens a label past Okta's 100-character limit: the longer name is cut and marked with an ellipsis, the app kept", () => {
    const name = `Brand ${"x".repeat(120)}`;
    const workspace = only(makeWorkspace({ users: [alice], accounts: [ownedAccount("a-one", "u-alice", { name, app: "Instagram" })] }));
    const label = workspace.chiclets[0]!.label;
    expect(label).toBe(`${name.slice(0, 87)}\u2026 - Instagram`);
    expect(label).toHaveLength(100);
  });

  it("cuts both names when both are long, each keeping about half, and never splits a character made of two UTF-16 units", () => {
    const name = "\u{1F600}".repeat(60);
    const app = "A".repeat(80);
    const label = only(makeWorkspace({ users: [alice], accounts: [ownedAccount("a-one", "u-alice", { name, app })] })).chiclets[0]!.label;
    expect(label.length).toBeLessThanOrEqual(100);
    const [cutName, cutApp] = label.split(" - ");
    expect(cutName).toBe(`${"\u{1F600}".repeat(24)}\u2026`);
    expect(cutApp).toBe(`${"A".repeat(47)}\u2026`);
  });

  it("labels the same long names the same way on every run", () => {
    const accounts = [ownedAccount("a-one", "u-alice", { name: "N".repeat(300), app: "P".repeat(300) })];
    expect(only(makeWorkspace({ users: [alice], accounts })).chiclets[0]!.label).toBe(only(makeWorkspace({ users: [alice], accounts })).chiclets[0]!.label);
  });

  it("gives each extended account its own chiclet, even with the same name and app", () => {
    const workspace = only(makeWorkspace({ users: [alice], accounts: [ownedAccount("a-1", "u-alice"), ownedAccount("a-2", "u-alice")] }));
    expect(workspace.chiclets.map((c) => c.accountId)).toEqual(["a-1", "a-2"]);
  });
});

describe("R4: colliding labels within one Okta org are numbered in order of extension", () => {
  it("numbers by extendedAt, not by account ID or input order", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice],
        accounts: [
          ownedAccount("a-1", "u-alice", { extendedAt: "2026-03-01T00:00:00Z" }),
          ownedAccount("a-2", "u-alice", { extendedAt: "2026-01-01T00:00:00Z" }),
          ownedAccount("a-3", "u-alice", { extendedAt: "2026-02-01T00:00:00Z" }),
        ],
      }),
    );
    expect(labels(workspace)).toEqual({
      "a-2": "Contentzilla - Instagram",
      "a-3": "Contentzilla - Instagram (2)",
      "a-1": "Contentzilla - Instagram (3)",
    });
  });

  it("breaks a tie on extendedAt by account ID", () => {
    const at = "2026-02-01T09:00:00Z";
    const workspace = only(makeWorkspace({ users: [alice], accounts: [ownedAccount("a-b", "u-alice", { extendedAt: at }), ownedAccount("a-a", "u-alice", { extendedAt: at })] }));
    expect(labels(workspace)).toEqual({ "a-a": "Contentzilla - Instagram", "a-b": "Contentzilla - Instagram (2)" });
  });

  it("compares extendedAt as instants, whatever the time-zone offset", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice],
        accounts: [
          ownedAccount("a-utc", "u-alice", { extendedAt: "2026-02-01T09:00:00Z" }),
          ownedAccount("a-paris", "u-alice", { extendedAt: "2026-02-01T10:30:00+02:00" }), // 08:30Z: earlier
        ],
      }),
    );
    expect(labels(workspace)).toEqual({ "a-paris": "Contentzilla - Instagram", "a-utc": "Contentzilla - Instagram (2)" });
  });

  it("numbers across two workspaces of the same Okta org, matching org name and domain case-insensitively", () => {
    const first = makeWorkspace({ id: "ws-b", orgName: "acme", baseUrl: "okta.com", users: [alice], accounts: [ownedAccount("a-1", "u-alice", { extendedAt: "2026-01-01T00:00:00Z" })] });
    const second = makeWorkspace({ id: "ws-a", orgName: "ACME", baseUrl: "Okta.com", users: [alice], accounts: [ownedAccount("a-2", "u-alice", { extendedAt: "2026-02-01T00:00:00Z" })] });
    const state = desired(first, second);
    expect(labels(state.get("ws-b")!)).toEqual({ "a-1": "Contentzilla - Instagram" });
    expect(labels(state.get("ws-a")!)).toEqual({ "a-2": "Contentzilla - Instagram (2)" });
  });

  it("numbers the same account ID in two workspaces of one org apart, deterministically", () => {
    const at = "2026-01-01T00:00:00Z";
    const one = makeWorkspace({ id: "ws-1", users: [alice], accounts: [ownedAccount("a-same", "u-alice", { extendedAt: at })] });
    const two = makeWorkspace({ id: "ws-2", users: [alice], accounts: [ownedAccount("a-same", "u-alice", { extendedAt: at })] });
    const forward = desired(one, two);
    const backward = desired(two, one);
    expect([labels(forward.get("ws-1")!)["a-same"], labels(forward.get("ws-2")!)["a-same"]].sort()).toEqual([
      "Contentzilla - Instagram",
      "Contentzilla - Instagram (2)",
    ]);
    expect(previewDocument(computeDesiredState([one, two]))).toEqual(previewDocument(computeDesiredState([two, one])));
    expect(backward.get("ws-1")!.chiclets).toEqual(forward.get("ws-1")!.chiclets);
  });

  it.each([
    ["a different org name", { orgName: "acme-eu" }],
    ["a different domain", { baseUrl: "oktapreview.com" }],
  ])("does not number across workspaces in %s", (_, org) => {
    const first = makeWorkspace({ id: "ws-1", users: [alice], accounts: [ownedAccount("a-1", "u-alice", { extendedAt: "2026-01-01T00:00:00Z" })] });
    const second = makeWorkspace({ id: "ws-2", ...org, users: [alice], accounts: [ownedAccount("a-2", "u-alice", { extendedAt: "2026-02-01T00:00:00Z" })] });
    const state = desired(first, second);
    expect(labels(state.get("ws-1")!)).toEqual({ "a-1": "Contentzilla - Instagram" });
    expect(labels(state.get("ws-2")!)).toEqual({ "a-2": "Contentzilla - Instagram" });
  });

  it("treats labels differing only in case, surrounding or repeated white space as colliding, and numbers each as typed", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice],
        accounts: [
          ownedAccount("a-1", "u-alice", { name: "Contentzilla", app: "Instagram", extendedAt: "2026-01-01T00:00:00Z" }),
          ownedAccount("a-2", "u-alice", { name: "CONTENTZILLA", app: "instagram", extendedAt: "2026-01-02T00:00:00Z" }),
          ownedAccount("a-3", "u-alice", { name: "  Contentzilla\t", app: "Instagram ", extendedAt: "2026-01-03T00:00:00Z" }),
          ownedAccount("a-4", "u-alice", { name: "Content zilla", app: "Instagram", extendedAt: "2026-01-04T00:00:00Z" }),
        ],
      }),
    );
    expect(labels(workspace)).toEqual({
      "a-1": "Contentzilla - Instagram",
      "a-2": "CONTENTZILLA - instagram (2)",
      "a-3": "  Contentzilla\t - Instagram  (3)",
      "a-4": "Content zilla - Instagram",
    });
  });

  it("never renames existing chiclets when a later-extended account joins, even with a smaller account ID or in another workspace", () => {
    const base = makeWorkspace({
      id: "ws-1",
      users: [alice],
      accounts: [
        ownedAccount("a-5", "u-alice", { extendedAt: "2026-01-01T00:00:00Z" }),
        ownedAccount("a-6", "u-alice", { extendedAt: "2026-01-02T00:00:00Z" }),
      ],
    });
    const before = labels(only(base));
    const grown = makeWorkspace({ id: "ws-1", users: [alice], accounts: [...base.accounts, ownedAccount("a-0", "u-alice", { extendedAt: "2026-01-03T00:00:00Z" })] });
    const neighbour = makeWorkspace({ id: "ws-0", users: [alice], accounts: [ownedAccount("a-00", "u-alice", { extendedAt: "2026-01-04T00:00:00Z" })] });
    const after = desired(grown, neighbour);
    expect(labels(after.get("ws-1")!)).toEqual({ ...before, "a-0": "Contentzilla - Instagram (3)" });
    expect(labels(after.get("ws-0")!)).toEqual({ "a-00": "Contentzilla - Instagram (4)" });
  });

  it("numbers two long names that Okta's limit cuts to the same label, keeping the number whole within the limit", () => {
    const shared = `Contentzilla ${"y".repeat(100)}`;
    const workspace = only(
      makeWorkspace({
        users: [alice],
        accounts: [
          ownedAccount("a-first", "u-alice", { name: `${shared} first`, app: "Instagram", extendedAt: "2026-01-01T00:00:00Z" }),
          ownedAccount("a-second", "u-alice", { name: `${shared} second`, app: "Instagram", extendedAt: "2026-01-02T00:00:00Z" }),
        ],
      }),
    );
    const result = labels(workspace);
    expect(result["a-first"]).toBe(`${shared.slice(0, 87)}\u2026 - Instagram`);
    expect(result["a-second"]).toBe(`${shared.slice(0, 83)}\u2026 - Instagram (2)`);
    expect(result["a-second"]).toHaveLength(100);
  });

  it("skips a number that another account's literal label already holds", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice],
        accounts: [
          ownedAccount("a-1", "u-alice", { name: "Contentzilla", app: "Instagram", extendedAt: "2026-01-01T00:00:00Z" }),
          ownedAccount("a-literal", "u-alice", { name: "Contentzilla", app: "Instagram (2)", extendedAt: "2026-01-02T00:00:00Z" }),
          ownedAccount("a-3", "u-alice", { name: "Contentzilla", app: "Instagram", extendedAt: "2026-01-03T00:00:00Z" }),
        ],
      }),
    );
    expect(labels(workspace)).toEqual({
      "a-1": "Contentzilla - Instagram",
      "a-literal": "Contentzilla - Instagram (2)",
      "a-3": "Contentzilla - Instagram (3)",
    });
  });

  it("numbers a literal label extended after the number it looks like was handed out", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice],
        accounts: [
          ownedAccount("a-1", "u-alice", { extendedAt: "2026-01-01T00:00:00Z" }),
          ownedAccount("a-2", "u-alice", { extendedAt: "2026-01-02T00:00:00Z" }),
          ownedAccount("a-literal", "u-alice", { app: "Instagram (2)", extendedAt: "2026-01-03T00:00:00Z" }),
        ],
      }),
    );
    expect(labels(workspace)).toEqual({
      "a-1": "Contentzilla - Instagram",
      "a-2": "Contentzilla - Instagram (2)",
      "a-literal": "Contentzilla - Instagram (2) (2)",
    });
  });

  it("gives rejected accounts no number", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice, bob],
        accounts: [
          makeAccount("a-rejected", { grants: [userGrant("u-bob", "collaborator")], extendedBy: "u-bob", extendedAt: "2026-01-01T00:00:00Z" }),
          ownedAccount("a-ok", "u-alice", { extendedAt: "2026-02-01T00:00:00Z" }),
        ],
      }),
    );
    expect(labels(workspace)).toEqual({ "a-ok": "Contentzilla - Instagram" });
  });
});

describe("R5: exactly the owners and collaborators see the chiclet", () => {
  it("shows the chiclet to owners and collaborators but not to managers", () => {
    const carol = makeUser("u-carol");
    const workspace = only(
      makeWorkspace({
        users: [alice, bob, carol],
        accounts: [ownedAccount("a-one", "u-alice", { grants: [userGrant("u-carol", "manager"), userGrant("u-bob", "collaborator")] })],
      }),
    );
    expect(chiclet(workspace, "a-one")).toMatchObject({ users: ["u-alice", "u-bob"], groups: [] });
  });

  it("assigns an IdP-managed team as its Okta group, not its members", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice, bob],
        teams: [makeTeam("t-social", ["u-bob"], "00g1social")],
        accounts: [ownedAccount("a-one", "u-alice", { grants: [teamGrant("t-social", "collaborator")] })],
      }),
    );
    expect(chiclet(workspace, "a-one")).toMatchObject({ users: ["u-alice"], groups: ["00g1social"] });
  });

  it("assigns a self-managed team through its members", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice, bob, makeUser("u-carol")],
        teams: [makeTeam("t-agency", ["u-carol", "u-bob"])],
        accounts: [ownedAccount("a-one", "u-alice", { grants: [teamGrant("t-agency", "collaborator")] })],
      }),
    );
    expect(chiclet(workspace, "a-one")).toMatchObject({ users: ["u-alice", "u-bob", "u-carol"], groups: [] });
  });

  it("gives a team with the manager role nothing", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice, bob],
        teams: [makeTeam("t-agency", ["u-bob"]), makeTeam("t-social", [], "00g1social")],
        accounts: [ownedAccount("a-one", "u-alice", { grants: [teamGrant("t-agency", "manager"), teamGrant("t-social", "manager")] })],
      }),
    );
    expect(chiclet(workspace, "a-one")).toMatchObject({ users: ["u-alice"], groups: [] });
  });

  it("lists a user reached directly and through a team once", () => {
    const workspace = only(
      makeWorkspace({
        users: [alice],
        teams: [makeTeam("t-agency", ["u-alice"])],
        accounts: [ownedAccount("a-one", "u-alice", { grants: [teamGrant("t-agency", "collaborator")] })],
      }),
    );
    expect(chiclet(workspace, "a-one").users).toEqual(["u-alice"]);
  });

  it.each(["SUSPENDED", "DEPROVISIONED"] as const)("leaves out a %s user, whether granted directly or through a team", (status) => {
    const workspace = only(
      makeWorkspace({
        users: [alice, makeUser("u-direct", { oktaStatus: status }), makeUser("u-member", { oktaStatus: status })],
        teams: [makeTeam("t-agency", ["u-member"])],
        accounts: [ownedAccount("a-one", "u-alice", { grants: [userGrant("u-direct", "collaborator"), teamGrant("t-agency", "owner")] })],
      }),
    );
    expect(chiclet(workspace, "a-one").users).toEqual(["u-alice"]);
    expect(workspace.people.map((person) => person.id)).toEqual(["u-alice"]);
  });

  it.each(["ACTIVE", "STAGED", "PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"] as const)("includes a %s user", (status) => {
    const workspace = only(
      makeWorkspace({ users: [alice, makeUser("u-x", { oktaStatus: status })], accounts: [ownedAccount("a-one", "u-alice", { grants: [userGrant("u-x", "collaborator")] })] }),
    );
    expect(chiclet(workspace, "a-one").users).toEqual(["u-alice", "u-x"]);
  });

  it("replaces every {accountId} in the login URL with the URL-encoded account ID", () => {
    const id = "a/b?c=d&e#f%g";
    const workspace = only(
      makeWorkspace({ loginUrl: "https://acme.cerby.com/accounts/{accountId}/login?next={accountId}", users: [alice], accounts: [ownedAccount(id, "u-alice")] }),
    );
    expect(chiclet(workspace, id).url).toBe("https://acme.cerby.com/accounts/a%2Fb%3Fc%3Dd%26e%23f%25g/login?next=a%2Fb%3Fc%3Dd%26e%23f%25g");
  });

  it("uses the default Cerby URL when the workspace sets no loginUrl", () => {
    const workspace = only(makeWorkspace({ users: [alice], accounts: [ownedAccount("a-one", "u-alice")] }));
    expect(DEFAULT_LOGIN_URL).toBe("https://app.cerby.com/accounts/{accountId}/login");
    expect(chiclet(workspace, "a-one").url).toBe("https://app.cerby.com/accounts/a-one/login");
  });

  it("warns when nobody active can see an extended account", () => {
    const erin = makeUser("u-erin", { workspaceRole: "owner", oktaStatus: "SUSPENDED" });
    const workspace = only(makeWorkspace({ users: [erin], accounts: [ownedAccount("a-one", "u-erin")] }));
    expect(chiclet(workspace, "a-one")).toMatchObject({ users: [], groups: [] });
    expect(workspace.warnings).toContain('account a-one: nobody active holds owner or collaborator, so nobody sees "Contentzilla - Instagram"');
  });

  it("lists as people exactly the users of some chiclet, with what Okta needs to find them", () => {
    const withOktaId = makeUser("u-bob", { oktaUserId: "00u1bob" });
    const workspace = only(
      makeWorkspace({ users: [alice, withOktaId, makeUser("u-nobody")], accounts: [ownedAccount("a-one", "u-alice", { grants: [userGrant("u-bob", "collaborator")] })] }),
    );
    expect(workspace.people).toEqual([
      { id: "u-alice", email: "u-alice@example.com" },
      { id: "u-bob", email: "u-bob@example.com", oktaUserId: "00u1bob" },
    ]);
  });
});

describe("R6: every change in Cerby shows in the desired state", () => {
  const team = makeTeam("t-agency", ["u-bob"]);
  const before = makeWorkspace({ users: [alice, bob, makeUser("u-carol")], teams: [team], accounts: [ownedAccount("a-one", "u-alice", { grants: [userGrant("u-carol", "collaborator")] }), ownedAccount("a-two", "u-alice", { name: "Other" })] });
  const previous = chiclet(only(before), "a-one");

  it("drops a user whose grant is removed", () => {
    const after = makeWorkspace({ ...spec(before), accounts: [ownedAccount("a-one", "u-alice"), before.accounts[1]!] });
    expect(previous.users).toEqual(["u-alice", "u-carol"]);
    expect(chiclet(only(after), "a-one").users).toEqual(["u-alice"]);
  });

  it("drops a user whose role changes to manager", () => {
    const after = makeWorkspace({ ...spec(before), accounts: [ownedAccount("a-one", "u-alice", { grants: [userGrant("u-carol", "manager")] }), before.accounts[1]!] });
    expect(chiclet(only(after), "a-one").users).toEqual(["u-alice"]);
  });

  it("follows team membership", () => {
    const granted = makeWorkspace({ ...spec(before), accounts: [ownedAccount("a-one", "u-alice", { grants: [teamGrant("t-agency", "collaborator")] })] });
    const grownTeam = makeWorkspace({ ...spec(granted), teams: [makeTeam("t-agency", ["u-bob", "u-carol"])] });
    expect(chiclet(only(granted), "a-one").users).toEqual(["u-alice", "u-bob"]);
    expect(chiclet(only(grownTeam), "a-one").users).toEqual(["u-alice", "u-bob", "u-carol"]);
  });

  it("removes the chiclet of a removed account and keeps the others as they were", () => {
    const after = only(makeWorkspace({ ...spec(before), accounts: [before.accounts[1]!] }));
    expect(after.chiclets).toEqual([chiclet(only(before), "a-two")]);
  });

  it("relabels a renamed account under the same account ID, so the app is updated in place", () => {
    const renamed = makeWorkspace({ ...spec(before), accounts: [{ ...before.accounts[0]!, name: "Contentzilla Official" }, before.accounts[1]!] });
    const after = chiclet(only(renamed), "a-one");
    expect(after).toEqual({ ...previous, label: "Contentzilla Official - Instagram" });
  });

  it("gives the bare label to the next account in line when the first one is removed", () => {
    const twins = [ownedAccount("a-1", "u-alice", { extendedAt: "2026-01-01T00:00:00Z" }), ownedAccount("a-2", "u-alice", { extendedAt: "2026-01-02T00:00:00Z" })];
    expect(labels(only(makeWorkspace({ users: [alice], accounts: twins })))).toEqual({ "a-1": "Contentzilla - Instagram", "a-2": "Contentzilla - Instagram (2)" });
    expect(labels(only(makeWorkspace({ users: [alice], accounts: [twins[1]!] })))).toEqual({ "a-2": "Contentzilla - Instagram" });
  });
});

/** The parts of a workspace that makeWorkspace takes back. */
function spec(workspace: Workspace) {
  return {
    id: workspace.settings.id,
    users: workspace.users,
    teams: workspace.teams,
    accounts: workspace.accounts,
  };
}

describe("the preview document", () => {
  it("has the contract's shape, with workspaces, chiclets, rejections, users and groups sorted", () => {
    const users = [makeUser("u-zed"), makeUser("u-amy"), makeUser("u-max", { workspaceRole: "guest" }), alice];
    const teams = [makeTeam("t-z", [], "00gZ"), makeTeam("t-a", [], "00gA")];
    const grants = [userGrant("u-zed", "collaborator"), teamGrant("t-z", "collaborator"), userGrant("u-amy", "owner"), teamGrant("t-a", "owner")];
    const second = makeWorkspace({
      id: "ws-b",
      loginUrl: "https://b.example/{accountId}",
      users,
      teams,
      accounts: [
        makeAccount("a-z", { grants: [userGrant("u-max", "owner")], extendedBy: "u-max" }),
        makeAccount("a-y", { name: "Y", grants, extendedBy: "u-amy" }),
        makeAccount("a-c", { name: "C", grants: [userGrant("u-zed", "owner"), userGrant("u-alice", "owner")], extendedBy: "u-zed" }),
        makeAccount("a-b", { grants: [userGrant("u-alice", "collaborator")], extendedBy: "u-alice" }),
      ],
    });
    const first = makeWorkspace({ id: "ws-a", extendedAccountAccess: false, users: [alice], accounts: [ownedAccount("a-one", "u-alice")] });
    const document = previewDocument(computeDesiredState([second, first]));
    expect(document).toEqual({
      version: 1,
      workspaces: [
        { id: "ws-a", synced: false, chiclets: [], rejected: [], warnings: [expect.stringContaining("Extended account access is off")] },
        {
          id: "ws-b",
          synced: true,
          chiclets: [
            { accountId: "a-c", label: "C - Instagram", url: "https://b.example/a-c", users: ["u-alice", "u-zed"], groups: [] },
            { accountId: "a-y", label: "Y - Instagram", url: "https://b.example/a-y", users: ["u-amy", "u-zed"], groups: ["00gA", "00gZ"] },
          ],
          rejected: [
            { accountId: "a-b", reason: "extended by u-alice, who does not hold the owner role on this account (directly or through a team)" },
            { accountId: "a-z", reason: "extended by u-max, whose workspace role guest may not extend accounts" },
          ],
          warnings: [
            "account a-b rejected: extended by u-alice, who does not hold the owner role on this account (directly or through a team)",
            "account a-z rejected: extended by u-max, whose workspace role guest may not extend accounts",
            "3 users have no oktaUserId: Terraform looks each up by login on every plan",
          ],
        },
      ],
    });
    expect(Object.keys(document)).toEqual(["version", "workspaces"]);
    expect(Object.keys(document.workspaces[1]!).slice(0, 4)).toEqual(["id", "synced", "chiclets", "rejected"]);
    expect(Object.keys(document.workspaces[1]!.chiclets[0]!)).toEqual(["accountId", "label", "url", "users", "groups"]);
    expect(Object.keys(document.workspaces[1]!.rejected[0]!)).toEqual(["accountId", "reason"]);
  });

  it("sorts by code unit, not by locale", () => {
    const users = ["u-b", "u-B", "u-a", "u-é"].map((id) => makeUser(id));
    const workspace = only(makeWorkspace({ users, accounts: [ownedAccount("a-1", "u-b", { grants: users.slice(1).map((user) => userGrant(user.id, "collaborator")) })] }));
    expect(chiclet(workspace, "a-1").users).toEqual(["u-B", "u-a", "u-b", "u-é"]);
  });

  it("describes the example workspaces as their comments say", async () => {
    const workspaces = await loadWorkspaces(path.resolve(import.meta.dirname, "../../workspaces"));
    const document = previewDocument(computeDesiredState(workspaces));
    const byId = new Map(document.workspaces.map((workspace) => [workspace.id, workspace]));
    expect(document.workspaces.map((workspace) => workspace.id)).toEqual(["ws-acme", "ws-acme-eu", "ws-labs"]);
    expect(byId.get("ws-acme")!.chiclets).toEqual([
      { accountId: "a-contentzilla", label: "Contentzilla - Instagram", url: "https://acme.cerby.com/accounts/a-contentzilla/login", users: ["u-alice", "u-carol"], groups: ["00g1social"] },
      { accountId: "a-contentzilla-backup", label: "Contentzilla - Instagram (2)", url: "https://acme.cerby.com/accounts/a-contentzilla-backup/login", users: ["u-bob", "u-dave"], groups: [] },
      { accountId: "a-vendor-portal", label: "Vendor Portal - Salesforce", url: "https://acme.cerby.com/accounts/a-vendor-portal/login", users: [], groups: ["00g1social"] },
    ]);
    expect(byId.get("ws-acme")!.rejected.map((rejection) => rejection.accountId)).toEqual(["a-brand-x", "a-newsletter"]);
    // Same Okta org (acme.okta.com), extended last: the third Contentzilla - Instagram.
    expect(byId.get("ws-acme-eu")!.chiclets.map((c) => c.label)).toEqual(["Contentzilla - Instagram (3)"]);
    expect(byId.get("ws-labs")).toMatchObject({ synced: false, chiclets: [], rejected: [] });
  });
});

describe("estimateWorkspaceCost (okta/okta 4.20's calls, by rate-limit bucket)", () => {
  function costWith(people: number, accounts: number) {
    const users = Array.from({ length: people }, (_, index) => makeUser(`u-${index}`, { oktaUserId: `00u${index}` }));
    const teams = [makeTeam("t-social", [], "00g1social"), makeTeam("t-agency", users.map((user) => user.id))];
    const grants = [...users.map((user) => userGrant(user.id, "collaborator")), teamGrant("t-social", "collaborator"), teamGrant("t-agency", "owner")];
    const account = (index: number) => makeAccount(`a-${index}`, { name: `Account ${index}`, grants, extendedBy: "u-0" });
    return estimateWorkspaceCost(only(makeWorkspace({ users, teams, accounts: Array.from({ length: accounts }, (_, index) => account(index)) })), { release: "4.20.0" });
  }

  it.each([1, 10, 250, 1000])("costs a full refresh 2 calls per account in the /api/v1/apps* buckets with %i people", (people) => {
    const cost = costWith(people, 20);
    // GET the app (its own bucket) and list its groups (the 100/min bucket), plus the provider's credentials check and cerby-okta's own.
    expect(cost.fullRefresh.apps).toBe(20);
    expect(cost.fullRefresh.app).toBe(20);
    expect(cost.fullRefresh.me).toBe(OPERATION_CALLS.configure.me! + OPERATION_CALLS.credentialCheck.me!);
  });

  it("costs a first sync per account: app create (4), group create (3), a PUT per member and group plus a listing each", () => {
    const cost = costWith(3, 1);
    // apps bucket: POST app, PUT policy, 2 group PUTs (IdP group + access group), GET list; plus the first-sync check's listing.
    expect(cost.firstSync.apps).toBe(2 + 2 + 1 + 1);
    expect(cost.firstSync.groups).toBe(1 + 3 + 1 + 1);
    // Group create's two reads, and cerby-okta's check that the IdP team group exists (once per run).
    expect(cost.firstSync.group).toBe(2 + 1);
    // The provider's two credentials checks and cerby-okta's own, for the plan and for the apply.
    expect(cost.firstSync.me).toBe(2 * (2 + 1));
  });

  it("counts one check per distinct Okta user ID and team group before a first sync and a refresh, none per account", () => {
    const withIds = costWith(3, 10);
    const withoutIds = costWith(3, 1);
    expect((withIds.firstSync.group ?? 0) - 2 * 10).toBe((withoutIds.firstSync.group ?? 0) - 2);
    expect(withIds.fullRefresh.group! - 10).toBe(withoutIds.fullRefresh.group! - 1);
  });

  it("would cost one apps-bucket call per person and account if assigned per user", () => {
    expect(costWith(1000, 3).appsIfAssignedPerUser).toBeGreaterThanOrEqual(3 * 1000);
  });

  it("counts a user lookup for each person without an oktaUserId", () => {
    const workspace = only(makeWorkspace({ users: [alice, makeUser("u-bob", { oktaUserId: "00u1bob" })], accounts: [ownedAccount("a-1", "u-alice", { grants: [userGrant("u-bob", "collaborator")] })] }));
    expect(estimateWorkspaceCost(workspace, { release: "4.20.0" }).fullRefresh.users).toBe(1);
  });

  it("takes as long as the busiest bucket allows at the workspace's share of the limits", () => {
    const cost = costWith(1, 100);
    expect(totalCalls(cost.firstSync)).toBeGreaterThan(700);
    // 100 accounts x 5 calls in the 100/min bucket (POST, policy PUT, 2 group PUTs, a listing), at 50% = 50/min: 10 minutes.
    // 50% of a token's 50% share of the apps bucket's 100 a minute: 25 a minute.
    expect(minutesAtRateLimits(cost.firstSync, 50)).toBeCloseTo((100 * 5 + 1) / 25, 5);
  });
});
