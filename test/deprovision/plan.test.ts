import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { planRemovals } from "../../src/deprovision/plan.ts";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { removeUsersFromYaml } from "../../src/deprovision/yaml-edit.ts";
import type { Account, Team, User } from "../../src/workspace/schema.ts";

const file = { name: "people.yaml", kind: "yaml" as const };
const users: User[] = [
  { id: "u-a", email: "a@x.example", workspaceRole: "owner" },
  { id: "u-b", email: "b@x.example", workspaceRole: "user" },
];
const teams: Team[] = [{ id: "t-1", name: "T", members: ["u-b"] }];
const accounts: Account[] = [
  { id: "a-direct", name: "Direct", app: "X", grants: [{ user: "u-a", role: "owner" }, { user: "u-b", role: "collaborator" }], okta: { extendedBy: "u-a", extendedAt: "2026-01-01T00:00:00Z" } },
  { id: "a-team", name: "Via team", app: "Y", grants: [{ user: "u-a", role: "owner" }, { team: "t-1", role: "owner" }], okta: { extendedBy: "u-a", extendedAt: "2026-01-01T00:00:00Z" } },
  { id: "a-manager", name: "Managed", app: "Z", grants: [{ user: "u-a", role: "owner" }, { user: "u-b", role: "manager" }], okta: { extendedBy: "u-a", extendedAt: "2026-01-01T00:00:00Z" } },
  { id: "a-not-extended", name: "Plain", app: "W", grants: [{ user: "u-b", role: "owner" }] },
];
const settings = { id: "ws-x", name: "X", extendedAccountAccess: true, okta: { orgName: "x", baseUrl: "okta.com" } };
const workspaceOf = (users: User[], accounts: Account[], teams: Team[] = []) => ({
  users: users.map((value) => ({ value, file })),
  teams: teams.map((value) => ({ value })),
  accounts: accounts.map((value) => ({ value })),
});
const workspace = workspaceOf(users, accounts, teams);
/** The desired state of these lists alone, as deprovision computes it for a folder outside a project. */
const desiredOf = (users: User[], accounts: Account[], teams: Team[] = []) => computeDesiredState([{ settings, users, teams, accounts }]).workspaces[0]!;
const desired = desiredOf(users, accounts, teams);

describe("planning removals", () => {
  it("removes SUSPENDED and DEPROVISIONED users only", () => {
    for (const status of ["ACTIVE", "STAGED", "PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"]) {
      expect(planRemovals(workspace, new Map([["u-b", status]]), desired)).toEqual([]);
    }
    expect(planRemovals(workspace, new Map([["u-b", "SUSPENDED"], ["u-a", "DEPROVISIONED"]]), desired).map((removal) => removal.userId)).toEqual(["u-a", "u-b"]);
  });

  it("lists the chiclets of extended accounts seen directly or through a team, not as manager", () => {
    const [removal] = planRemovals(workspace, new Map([["u-b", "DEPROVISIONED"]]), desired);
    expect(removal).toEqual({
      userId: "u-b",
      email: "b@x.example",
      oktaStatus: "DEPROVISIONED",
      file: "people.yaml",
      via: "yaml",
      chiclets: ["Direct - X", "Via team - Y"],
      grants: ["a-direct", "a-manager", "a-not-extended"],
      teams: ["t-1"],
      extended: [],
    });
  });

  it("counts chiclets with R4's numbering: three accounts of one label are three chiclets", () => {
    const twins: Account[] = ["2026-01-01", "2026-01-02", "2026-01-03"].map((day, i) => ({
      id: `a-${i}`,
      name: "Contentzilla",
      app: "Instagram",
      grants: [{ user: "u-a", role: "owner" }, { user: "u-b", role: "collaborator" }],
      okta: { extendedBy: "u-a", extendedAt: `${day}T00:00:00Z` },
    }));
    const [removal] = planRemovals(workspaceOf(users, twins), new Map([["u-b", "SUSPENDED"]]), desiredOf(users, twins));
    expect(removal!.chiclets).toEqual(["Contentzilla - Instagram", "Contentzilla - Instagram (2)", "Contentzilla - Instagram (3)"]);
  });

  it("says a person whose hiding status is already recorded loses nothing new", () => {
    const hidden = [users[0]!, { ...users[1]!, oktaStatus: "SUSPENDED" as const }];
    const [removal] = planRemovals(workspaceOf(hidden, accounts, teams), new Map([["u-b", "SUSPENDED"]]), desiredOf(hidden, accounts, teams));
    expect(removal).toMatchObject({ userId: "u-b", chiclets: [], alreadyHidden: "SUSPENDED" });
  });
});

describe("YAML removal, for any set of users", () => {
  const source = `# header
users:
  - id: u-a   # first
    email: a@x.example
    workspaceRole: owner
  # about b
  - id: u-b
    email: b@x.example
    workspaceRole: user
  - { id: u-c, email: c@x.example, workspaceRole: user }
teams:
  - id: t-1
    name: T
    members: [u-a, u-b, u-c]
  - id: t-2
    name: U
    members:
      - u-c
      - u-a   # lead
accounts:
  - id: a-1
    name: A
    app: X
    grants:
      - { user: u-a, role: owner }
      - user: u-b
        role: collaborator
      - { team: t-1, role: owner }   # all of T
    okta: { extendedBy: u-a, extendedAt: 2026-01-01T00:00:00Z }
# footer
`;

  it("keeps every comment and every line it does not remove, in order, and the data means the rest", () => {
    fc.assert(
      fc.property(fc.subarray(["u-a", "u-b", "u-c", "u-z"]), (ids) => {
        const { text } = removeUsersFromYaml(source, new Set(ids));
        // Lines that survive appear in the original order (a subsequence), comments included.
        const original = source.split("\n");
        let cursor = 0;
        for (const line of text.split("\n")) {
          const changed = /members: \[|: \[\]/.test(line);
          if (changed) continue;
          while (cursor < original.length && original[cursor] !== line) cursor++;
          expect(cursor).toBeLessThan(original.length);
          cursor++;
        }
        for (const comment of ["# header", "# about b", "# lead", "# all of T", "# footer"]) {
          const owner = { "# lead": "u-a" }[comment];
          if (!owner || !ids.includes(owner)) expect(text).toContain(comment);
        }
        const data = parse(text);
        expect(data.users.map((user: User) => user.id)).toEqual(["u-a", "u-b", "u-c"].filter((id) => !ids.includes(id)));
        const gone = (id: string) => ids.includes(id);
        for (const team of data.teams) expect(team.members.filter(gone)).toEqual([]);
        expect(data.teams.map((team: Team) => team.members?.length)).toEqual([3, 2].map((n, i) => n - ["u-a", "u-b", "u-c"].filter((id) => gone(id) && (i === 0 || id !== "u-b")).length));
        const grants = data.accounts[0].grants as { user?: string }[];
        expect(grants.filter((grant) => grant.user !== undefined && gone(grant.user))).toEqual([]);
        expect(grants.some((grant) => !("user" in grant))).toBe(true);
        // extendedBy is left for a person to reassign (reported by the plan).
        expect(data.accounts[0].okta.extendedBy).toBe("u-a");
      }),
    );
  });
});
