// Properties of computeDesiredState over arbitrary valid workspaces, with
// hostile account and app names: order independence, label uniqueness per
// Okta org, who sees what, and labels kept exactly as typed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeDesiredState, oktaOrgKey, type DesiredState } from "../../src/domain/desired-state.ts";
import { labelKey, MAX_LABEL_LENGTH } from "../../src/domain/labels.ts";
import { previewDocument } from "../../src/domain/preview.ts";
import type { Workspace } from "../../src/workspace/model.ts";
import { ACCOUNT_ROLES, OKTA_STATUSES, WORKSPACE_ROLES, type Account, type Grant, type Team, type User } from "../../src/domain/model.ts";
import { makeWorkspace } from "../support/workspace-builder.ts";

const RUNS = { numRuns: 150 };

/** Names as anyone in a workspace might type them: colliding, templating, quoting, controlling, long. */
const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("Contentzilla", "contentzilla", "  Contentzilla ", "Content\t zilla", "CONTENTZILLA") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '${file("/etc/passwd")}',
      "%{ for x in y }${x}%{ endfor }",
      "$${escaped} %%{escaped}",
      `"double" 'single' \`back\``,
      "back\\slash\\",
      "ctl \u0000\u0007\u001b[31m red",
      "line\nbreak\r\n",
      "\u200bzero width",
      "e\u0301",
      "\u00e9",
      "Instagram (2)",
      "Contentzilla - Instagram",
      "x".repeat(400),
      "Contentzilla ".repeat(9),
      "\u{1F600}".repeat(60),
      "\u00e9".repeat(120),
    ),
  },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 8 }) },
);
const appName = fc.oneof(fc.constantFrom("Instagram", "instagram", "Instagram (2)", " X ", "TikTok"), hostileText);

/** IDs: unique by their index, with suffixes that are valid but unfriendly. */
const idSuffix = fc.constantFrom("", "", "-\u00e9", "-${x}", "-%{y}", '-"q"', "/slash", "?&#%");

/** extendedAt from a few instants (so that ties happen), written with various offsets and precisions. */
const BASE_MS = Date.UTC(2026, 0, 1);
const extendedAt = fc
  .record({ minute: fc.integer({ min: 0, max: 4 }), offsetHours: fc.constantFrom(0, 0, 2, -5), millis: fc.boolean() })
  .map(({ minute, offsetHours, millis }) => formatInstant(BASE_MS + minute * 60_000, offsetHours, millis));

function formatInstant(ms: number, offsetHours: number, millis: boolean): string {
  const local = new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, millis ? 23 : 19);
  if (offsetHours === 0) return `${local}Z`;
  const sign = offsetHours > 0 ? "+" : "-";
  return `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, "0")}:00`;
}

const ORGS = [
  { orgName: "acme", baseUrl: "okta.com" },
  { orgName: "acme", baseUrl: "okta.com" },
  { orgName: "ACME", baseUrl: "Okta.com" },
  { orgName: "Acme", baseUrl: "OKTA.COM" },
  { orgName: "acme", baseUrl: "oktapreview.com" },
  { orgName: "other", baseUrl: "okta.com" },
];

/** Owners more often than not, so that many extensions are accepted. */
const grantRole = fc.constantFrom<Grant["role"]>("owner", "owner", ...ACCOUNT_ROLES);

function workspaceArbitrary(id: string): fc.Arbitrary<Workspace> {
  return fc
    .record({
      userSuffixes: fc.array(idSuffix, { minLength: 1, maxLength: 6 }),
      teamCount: fc.integer({ min: 0, max: 3 }),
      accountCount: fc.integer({ min: 0, max: 7 }),
      org: fc.constantFrom(...ORGS),
      extendedAccountAccess: fc.constantFrom(true, true, true, true, false, undefined),
      loginUrl: fc.option(fc.constant("https://cerby.example/a/{accountId}/login"), { nil: undefined }),
    })
    .chain(({ userSuffixes, teamCount, accountCount, org, extendedAccountAccess, loginUrl }) => {
      const userIds = userSuffixes.map((suffix, index) => `u${index}${suffix}`);
      const teamIds = Array.from({ length: teamCount }, (_, index) => `t${index}`);
      const user = (userId: string) =>
        fc
          .record({
            workspaceRole: fc.constantFrom(...WORKSPACE_ROLES),
            oktaStatus: fc.constantFrom(undefined, undefined, ...OKTA_STATUSES),
            oktaUserId: fc.option(fc.constant(`00u-${userId}`), { nil: undefined }),
          })
          .map(({ workspaceRole, oktaStatus, oktaUserId }): User => ({
            id: userId,
            email: `${userId}@example.com`,
            workspaceRole,
            ...(oktaStatus === undefined ? {} : { oktaStatus }),
            ...(oktaUserId === undefined ? {} : { oktaUserId }),
          }));
      const team = (teamId: string, index: number) =>
        fc.record({ idp: fc.boolean(), members: fc.subarray(userIds) }).map(
          ({ idp, members }): Team => ({ id: teamId, name: `Team ${index}`, members, ...(idp ? { oktaGroupId: `00g-${teamId}` } : {}) }),
        );
      const principals: Omit<Grant, "role">[] = [...userIds.map((userId) => ({ user: userId })), ...teamIds.map((teamId) => ({ team: teamId }))];
      const account = (index: number) =>
        fc
          .record({
            suffix: idSuffix,
            name: hostileText,
            app: appName,
            grants: fc.subarray(principals).chain((chosen) => fc.tuple(...chosen.map((principal) => grantRole.map((role): Grant => ({ ...principal, role }))))),
            okta: fc.option(fc.record({ extendedBy: fc.constantFrom(...userIds), extendedAt }), { nil: undefined, freq: 5 }),
          })
          .map(({ suffix, name, app, grants, okta }): Account => ({ id: `a${index}${suffix}`, name, app, grants, ...(okta ? { okta } : {}) }));
      return fc
        .record({
          users: fc.tuple(...userIds.map(user)),
          teams: fc.tuple(...teamIds.map(team)),
          accounts: fc.tuple(...Array.from({ length: accountCount }, (_, index) => account(index))),
        })
        .map(({ users, teams, accounts }) =>
          makeWorkspace({ id, ...org, extendedAccountAccess, ...(loginUrl ? { loginUrl } : {}), users, teams, accounts }),
        );
    });
}

/** One to three workspaces, in ID order, often sharing an Okta org. */
const workspacesArbitrary: fc.Arbitrary<Workspace[]> = fc
  .constantFrom(1, 2, 2, 3, 3)
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => workspaceArbitrary(`ws-${index}`))));

function shuffled<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}

/** The same workspace with users, teams, members, accounts and grants in another order. */
function reordered(workspace: Workspace): fc.Arbitrary<Workspace> {
  return fc
    .record({
      users: shuffled(workspace.users),
      teams: fc.tuple(...workspace.teams.map((team) => shuffled(team.members ?? []).map((members) => ({ ...team, members })))).chain(shuffled),
      accounts: fc.tuple(...workspace.accounts.map((account) => shuffled(account.grants ?? []).map((grants) => ({ ...account, grants })))).chain(shuffled),
    })
    .map((parts) => ({ ...workspace, ...parts }));
}

/** Workspaces, and the same workspaces given in another order, each reordered inside. */
const workspacesAndReordering = workspacesArbitrary.chain((workspaces) =>
  fc.tuple(fc.constant(workspaces), fc.tuple(...workspaces.map(reordered)).chain(shuffled)),
);

const HIDDEN = new Set(["SUSPENDED", "DEPROVISIONED"]);
const SEEING = new Set(["owner", "collaborator"]);

/** Who should see an account, computed from the rules' wording rather than from the code. */
function expectedViewers(workspace: Workspace, account: Account): { users: Set<string>; groups: Set<string> } {
  const users = new Set<string>();
  const groups = new Set<string>();
  const visible = (userId: string) => !HIDDEN.has(workspace.users.find((user) => user.id === userId)?.oktaStatus ?? "");
  for (const grant of account.grants ?? []) {
    if (!SEEING.has(grant.role)) continue;
    if (grant.user !== undefined && visible(grant.user)) users.add(grant.user);
    const team = workspace.teams.find((candidate) => candidate.id === grant.team);
    if (team?.oktaGroupId !== undefined) groups.add(team.oktaGroupId);
    else for (const member of team?.members ?? []) if (visible(member)) users.add(member);
  }
  return { users, groups };
}

/** R2 from its wording: an owner (directly or through a team) whose workspace role may extend. */
function mayExtend(workspace: Workspace, account: Account): boolean {
  const by = account.okta!.extendedBy;
  const role = workspace.users.find((user) => user.id === by)?.workspaceRole;
  if (role === undefined || role === "login_only" || role === "guest") return false;
  return (account.grants ?? []).some(
    (grant) =>
      grant.role === "owner" && (grant.user === by || (grant.team !== undefined && (workspace.teams.find((team) => team.id === grant.team)?.members ?? []).includes(by))),
  );
}

/** `label` is `<name> - <app>` with either name kept or cut (its start, then `…`), then nothing or a number from 2 up. */
function isShortened(label: string, name: string, app: string): boolean {
  const keptOrCut = (part: string, whole: string) => part === whole || (part.endsWith("\u2026") && whole.startsWith(part.slice(0, -1).trimEnd()));
  const number = / \(([2-9]|[1-9]\d+)\)$/.exec(label)?.[0] ?? "";
  // The app name itself may end like a number ("Instagram (2)"): try the label with and without it.
  for (const bare of new Set([label, label.slice(0, label.length - number.length)])) {
    for (let at = bare.indexOf(" - "); at >= 0; at = bare.indexOf(" - ", at + 1)) {
      if (keptOrCut(bare.slice(0, at), name) && keptOrCut(bare.slice(at + 3), app)) return true;
    }
  }
  return false;
}

function forEachChiclet(workspaces: readonly Workspace[], state: DesiredState, check: (workspace: Workspace, account: Account, chiclet: DesiredState["workspaces"][number]["chiclets"][number]) => void) {
  for (const desired of state.workspaces) {
    const workspace = workspaces.find((candidate) => candidate.settings.id === desired.id)!;
    for (const chiclet of desired.chiclets) check(workspace, workspace.accounts.find((account) => account.id === chiclet.accountId)!, chiclet);
  }
}

describe("computeDesiredState on arbitrary valid workspaces", () => {
  it("gives the same preview document, byte for byte, whatever the order of workspaces, users, teams, members, accounts and grants", () => {
    fc.assert(
      fc.property(workspacesAndReordering, ([workspaces, reorderedWorkspaces]) => {
        const original = previewDocument(computeDesiredState(workspaces));
        const other = previewDocument(computeDesiredState(reorderedWorkspaces));
        expect(other).toEqual(original);
        expect(JSON.stringify(other)).toBe(JSON.stringify(original));
      }),
      RUNS,
    );
  });

  it("never gives two chiclets of one Okta org the same label, compared as Okta users would", () => {
    fc.assert(
      fc.property(workspacesArbitrary, (workspaces) => {
        const byOrg = new Map<string, string[]>();
        for (const workspace of computeDesiredState(workspaces).workspaces) {
          const keys = byOrg.get(oktaOrgKey(workspace.okta)) ?? [];
          keys.push(...workspace.chiclets.map((chiclet) => labelKey(chiclet.label)));
          byOrg.set(oktaOrgKey(workspace.okta), keys);
        }
        for (const keys of byOrg.values()) expect(new Set(keys).size).toBe(keys.length);
      }),
      RUNS,
    );
  });

  it("shows a chiclet to nobody without an owner or collaborator grant, and to nobody suspended or deprovisioned", () => {
    fc.assert(
      fc.property(workspacesArbitrary, (workspaces) => {
        forEachChiclet(workspaces, computeDesiredState(workspaces), (workspace, account, chiclet) => {
          const expected = expectedViewers(workspace, account);
          for (const userId of chiclet.users) {
            expect(expected.users.has(userId), `${userId} sees ${account.id}`).toBe(true);
            expect(HIDDEN.has(workspace.users.find((user) => user.id === userId)!.oktaStatus ?? "")).toBe(false);
          }
          for (const group of chiclet.groups) expect(expected.groups.has(group), `${group} sees ${account.id}`).toBe(true);
          // And nobody who should see it is left out (R5: exactly those).
          expect(new Set(chiclet.users)).toEqual(expected.users);
          expect(new Set(chiclet.groups)).toEqual(expected.groups);
        });
      }),
      RUNS,
    );
  });

  it("never lists a rejected account among the chiclets, and rejects exactly the extensions R2 forbids", () => {
    fc.assert(
      fc.property(workspacesArbitrary, (workspaces) => {
        for (const desired of computeDesiredState(workspaces).workspaces) {
          const workspace = workspaces.find((candidate) => candidate.settings.id === desired.id)!;
          const chicletIds = new Set(desired.chiclets.map((chiclet) => chiclet.accountId));
          for (const rejection of desired.rejected) expect(chicletIds.has(rejection.accountId)).toBe(false);
          if (!desired.synced) {
            expect(desired.chiclets).toEqual([]);
            continue;
          }
          const extended = workspace.accounts.filter((account) => account.okta);
          expect([...chicletIds].sort()).toEqual(extended.filter((account) => mayExtend(workspace, account)).map((account) => account.id).sort());
          expect(desired.rejected.map((rejection) => rejection.accountId).sort()).toEqual(
            extended.filter((account) => !mayExtend(workspace, account)).map((account) => account.id).sort(),
          );
        }
      }),
      RUNS,
    );
  });

  it("starts every label with `<name> - <app>` exactly as typed, followed by nothing or a number from 2 up, when that fits Okta's limit", () => {
    fc.assert(
      fc.property(workspacesArbitrary, (workspaces) => {
        forEachChiclet(workspaces, computeDesiredState(workspaces), (_, account, chiclet) => {
          const base = `${account.name} - ${account.app}`;
          const number = / \(([2-9]|[1-9]\d+)\)$/.exec(chiclet.label);
          if (base.length + (number?.[0].length ?? 0) <= MAX_LABEL_LENGTH) {
            expect(chiclet.label.startsWith(base)).toBe(true);
            expect(chiclet.label.slice(base.length)).toMatch(/^(?:| \(([2-9]|[1-9]\d+)\))$/);
          } else {
            // Shortened: each cut name keeps its start and ends with `…`; the separator and the number stay whole.
            expect(chiclet.label).toContain("\u2026");
            expect(isShortened(chiclet.label, account.name, account.app), chiclet.label).toBe(true);
          }
        });
      }),
      RUNS,
    );
  });

  it("keeps every label within Okta's limit of 100, whole characters only (no half of a surrogate pair)", () => {
    fc.assert(
      fc.property(workspacesArbitrary, (workspaces) => {
        forEachChiclet(workspaces, computeDesiredState(workspaces), (_, __, chiclet) => {
          expect(chiclet.label.length).toBeLessThanOrEqual(MAX_LABEL_LENGTH);
          expect(chiclet.label).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        });
      }),
      RUNS,
    );
  });

  it("never renames an existing chiclet when an account extended later than all others joins", () => {
    const withNewcomer = workspacesArbitrary.chain((workspaces) =>
      fc.record({
        workspaces: fc.constant(workspaces),
        into: fc.integer({ min: 0, max: workspaces.length - 1 }),
        name: hostileText,
        app: appName,
      }),
    );
    fc.assert(
      fc.property(withNewcomer, ({ workspaces, into, name, app }) => {
        const before = computeDesiredState(workspaces);
        const target = workspaces[into]!;
        const owner = target.users[0]!.id;
        const newcomer: Account = {
          id: "a-newcomer",
          name,
          app,
          grants: [{ user: owner, role: "owner" }],
          okta: { extendedBy: owner, extendedAt: "2027-01-01T00:00:00Z" },
        };
        const grown = workspaces.map((workspace, index) => (index === into ? { ...workspace, accounts: [...workspace.accounts, newcomer] } : workspace));
        const after = computeDesiredState(grown);
        for (const [index, desired] of before.workspaces.entries()) {
          const labelsAfter = new Map(after.workspaces[index]!.chiclets.map((chiclet) => [chiclet.accountId, chiclet.label]));
          for (const chiclet of desired.chiclets) expect(labelsAfter.get(chiclet.accountId)).toBe(chiclet.label);
        }
      }),
      RUNS,
    );
  });

  it("is fed inputs that exercise every rule: numbered labels, rejections, hidden users, groups and switched-off workspaces", () => {
    const seen = { numbered: 0, shortened: 0, rejected: 0, hidden: 0, groups: 0, off: 0, sharedOrg: 0 };
    for (const workspaces of fc.sample(workspacesArbitrary, { numRuns: 300, seed: 42 })) {
      const state = computeDesiredState(workspaces);
      const chiclets = state.workspaces.flatMap((workspace) => workspace.chiclets);
      seen.numbered += chiclets.filter((chiclet) => / \(\d+\)$/.test(chiclet.label)).length;
      seen.shortened += chiclets.filter((chiclet) => chiclet.label.includes("\u2026")).length;
      seen.groups += chiclets.filter((chiclet) => chiclet.groups.length > 0).length;
      seen.rejected += state.workspaces.reduce((sum, workspace) => sum + workspace.rejected.length, 0);
      seen.off += state.workspaces.filter((workspace) => !workspace.synced).length;
      seen.hidden += workspaces.flatMap((workspace) => workspace.users).filter((user) => HIDDEN.has(user.oktaStatus ?? "")).length;
      const orgs = state.workspaces.filter((workspace) => workspace.chiclets.length > 0).map((workspace) => oktaOrgKey(workspace.okta));
      if (new Set(orgs).size < orgs.length) seen.sharedOrg++;
    }
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(10);
  });
});
