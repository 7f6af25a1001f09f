// The pure parts of checking Okta IDs before a plan: which IDs a plan would
// add, what the stack data leaves out or holds, the warnings, the people
// record, and the destroy guard over a whole run.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { OktaClient } from "../../src/okta-api/client.ts";
import { STACK_DATA_FILE, buildStackData, type StackData } from "../../src/stack/stack-data.ts";
import { DEFAULT_DESTROY_LIMITS, runAccessRefusal } from "../../src/sync/destroy-guard.ts";
import { idsToCheck, OktaChecks, settleStackData, stateAccess, withOktaFindings } from "../../src/sync/okta-checks.ts";
import { readAllFindings, readPeopleRecord, rememberPeople, workspaceOfStack } from "../../src/sync/people-record.ts";
import { readPlan, type PlanReport } from "../../src/terraform/plan-report.ts";
import type { Terraform } from "../../src/terraform/terraform.ts";
import { desiredFromText, oneAccountWorkspace } from "../support/desired.ts";

const folders: string[] = [];
async function folder(): Promise<string> {
  const made = await mkdtemp(path.join(tmpdir(), "cerby-okta-checks-"));
  folders.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(folders.splice(0).map((made) => rm(made, { recursive: true, force: true })));
});

/** ws-test: a-1 seen by u-alice (00u1alice), u-carol (by login) and team t-social (00g1social). */
const workspace = () => desiredFromText(oneAccountWorkspace("Contentzilla"), "workspaces/test/workspace.json").workspaces[0]!;
const findings = (overrides: Partial<{ missingUsers: string[]; missingGroups: string[]; resolved: Record<string, string> }>) => ({
  missingUsers: new Set(overrides.missingUsers ?? []),
  missingGroups: new Set(overrides.missingGroups ?? []),
  resolved: overrides.resolved ?? {},
});
/** A raw state (`terraform state pull`) holding a-1's members and assigned groups. */
const rawState = (users: string[], groups: string[]) => ({
  resources: [
    { mode: "managed", type: "okta_group_memberships", name: "access_members", instances: [{ index_key: "a-1", attributes: { users } }] },
    { mode: "managed", type: "okta_app_group_assignments", name: "assignments", instances: [{ index_key: "a-1", attributes: { group: groups.map((id) => ({ id })) } }] },
  ],
});
const noPlan = (stack = "ws-test"): PlanReport => readPlan(stack, { format_version: "1.2", resource_changes: [] });

describe("the stack data and what Okta does not know", () => {
  it("looks a person whose oktaUserId Okta does not know up by login instead, and names the ID", () => {
    const data = buildStackData(workspace(), undefined, findings({ missingUsers: ["00u1alice"] }));
    expect(data.oktaUserIds).toEqual({});
    expect(Object.keys(data.userSearches).sort()).toEqual(["u-alice", "u-carol"]);
    expect(data.notInOkta.users).toEqual({ "u-alice": "00u1alice" });
  });

  it("holds the Okta ID a login last resolved to, unless Okta no longer knows that ID", () => {
    expect(buildStackData(workspace(), undefined, findings({ resolved: { "u-carol": "00u1carol" } })).heldOktaUserIds).toEqual({ "u-carol": "00u1carol" });
    expect(buildStackData(workspace(), undefined, findings({ resolved: { "u-carol": "00u1carol" }, missingUsers: ["00u1carol"] })).heldOktaUserIds).toEqual({});
    // Someone with a known oktaUserId is never held: their ID is used as it is.
    expect(buildStackData(workspace(), undefined, findings({ resolved: { "u-alice": "00u9other" } })).heldOktaUserIds).toEqual({});
  });

  it("leaves a team group Okta does not know out of every assignment, and names it", () => {
    const data = buildStackData(workspace(), undefined, findings({ missingGroups: ["00g1social", "00g-not-used-here"] }));
    expect(data.apps["a-1"]!.groups).toEqual([]);
    expect(data.notInOkta.teamGroups).toEqual(["00g1social"]);
  });
});

describe("the IDs a plan would add", () => {
  const data = (): StackData => buildStackData(workspace(), undefined, findings({ resolved: { "u-carol": "00u1carol" } }));

  it("checks only user IDs not already in the access group's state, held IDs included", () => {
    expect([...idsToCheck(data(), stateAccess(rawState([], [])), false).users]).toEqual([
      ["00u1alice", "u-alice"],
      ["00u1carol", "u-carol"],
    ]);
    expect([...idsToCheck(data(), stateAccess(rawState(["00u1alice", "00u1carol"], ["00gaccess", "00g1social"])), false).users]).toEqual([]);
  });

  it("checks the team groups of an app whose assignments would be created or changed, and none of an unchanged one", () => {
    expect([...idsToCheck(data(), stateAccess({}), false).groups]).toEqual(["00g1social"]);
    expect([...idsToCheck(data(), stateAccess(rawState([], ["00gaccess"])), false).groups]).toEqual(["00g1social"]);
    expect([...idsToCheck(data(), stateAccess(rawState([], ["00gaccess", "00g1social"])), false).groups]).toEqual([]);
  });

  it("checks everything on a refresh (reconcile), since Okta drops what it deleted and the refresh would add it back", () => {
    const all = idsToCheck(data(), stateAccess(rawState(["00u1alice", "00u1carol"], ["00gaccess", "00g1social"])), true);
    expect([...all.users.keys()]).toEqual(["00u1alice", "00u1carol"]);
    expect([...all.groups]).toEqual(["00g1social"]);
  });
});

describe("checking before a plan", () => {
  it("asks Okta once per ID and run, records what it does not know, and rewrites the stack data without it", async () => {
    const paths = { outDir: await folder(), stateDir: await folder() };
    const desired = workspace();
    for (const stack of ["ws-test", "ws-test-copy"]) {
      await mkdir(path.join(paths.outDir, "stacks", stack), { recursive: true });
      await writeFile(path.join(paths.outDir, "stacks", stack, STACK_DATA_FILE), JSON.stringify(buildStackData(desired)));
    }
    const asked: string[] = [];
    const client = {
      exists: async (kind: string, id: string) => {
        asked.push(`${kind}/${id}`);
        return id !== "00g1social" && id !== "00u1alice";
      },
    } as unknown as OktaClient;
    const terraform = { pullState: async () => ({}) } as unknown as Terraform;
    const log: string[] = [];
    const checks = new OktaChecks(() => client, (message) => log.push(message));
    await checks.beforePlan("ws-test", desired, terraform, paths, false);
    await checks.beforePlan("ws-test-copy", desired, terraform, paths, false);
    expect(asked).toEqual(["users/00u1alice", "groups/00g1social"]);
    expect(log[0]).toBe("ws-test: checked 1 Okta user ID and 1 team group the plan would add: 2 unknown to Okta, left out");
    const record = await readPeopleRecord(paths.stateDir, "ws-test");
    expect(record.missingUsers).toEqual({ "00u1alice": "u-alice" });
    expect(record.missingGroups).toEqual({ "00g1social": "t-social" });
    const rewritten = JSON.parse(await readFile(path.join(paths.outDir, "stacks", "ws-test", STACK_DATA_FILE), "utf8")) as StackData;
    expect(rewritten.oktaUserIds).toEqual({});
    expect(rewritten.apps["a-1"]!.groups).toEqual([]);
  });

  it("after a plan, writes into the stack data the held IDs the plan learned, as the next synth will, and leaves it alone otherwise", async () => {
    const paths = { outDir: await folder(), stateDir: await folder() };
    const desired = workspace();
    const dataFile = path.join(paths.outDir, "stacks", "ws-test", STACK_DATA_FILE);
    await mkdir(path.dirname(dataFile), { recursive: true });
    const before = JSON.stringify(buildStackData(desired));
    await writeFile(dataFile, before);
    await settleStackData(paths, "ws-test", desired);
    expect(await readFile(dataFile, "utf8")).toBe(before);
    const planJson = {
      format_version: "1.2",
      prior_state: { values: { root_module: { resources: [{ mode: "data", type: "okta_users", name: "by_login", index: "u-carol", values: { users: [{ id: "00u1carol" }] } }] } } },
    };
    await rememberPeople(paths, "ws-test", {}, planJson);
    await settleStackData(paths, "ws-test", desired);
    const settled = await readFile(dataFile, "utf8");
    expect((JSON.parse(settled) as StackData).heldOktaUserIds).toEqual({ "u-carol": "00u1carol" });
    expect(settled).toBe(JSON.stringify(buildStackData(desired, undefined, (await readAllFindings(paths.stateDir)).get("ws-test"))));
  });

  it("says once that it checks nothing without a token, and changes nothing", async () => {
    const paths = { outDir: await folder(), stateDir: await folder() };
    const log: string[] = [];
    const checks = new OktaChecks(() => undefined, (message) => log.push(message));
    const terraform = {} as Terraform;
    await checks.beforePlan("ws-test", workspace(), terraform, paths, false);
    await checks.beforePlan("ws-test", workspace(), terraform, paths, false);
    expect(log).toEqual(["no Okta credentials are set (OKTA_API_CLIENT_ID and OKTA_API_PRIVATE_KEY, or OKTA_API_TOKEN): Okta user and team group IDs are not checked before planning (one deleted in Okta fails the apply)"]);
  });
});

describe("warnings in the plan report", () => {
  it("names a held person with the login that no longer matches, the Okta ID kept and the chiclets they keep", () => {
    const data = buildStackData(workspace(), undefined, findings({ resolved: { "u-carol": "00u1carol" } }));
    const report = { ...noPlan(), unresolvedPeople: [{ cerbyUserId: "u-carol", search: data.userSearches["u-carol"]! }] };
    const annotated = withOktaFindings(report, data, workspace());
    expect(annotated.unresolvedPeople).toEqual([{ cerbyUserId: "u-carol", search: 'profile.login eq "carol@acme.example"', heldOktaUserId: "00u1carol" }]);
    expect(annotated.oktaWarnings).toEqual([
      'u-carol: held: login no longer matches carol@acme.example; was 00u1carol. They keep "Contentzilla - Instagram" (account a-1); fix their email in Cerby, or set oktaUserId',
    ]);
  });

  it("names a team whose group Okta does not know, with its workspace and the chiclets it no longer reaches", () => {
    const data = buildStackData(workspace(), undefined, findings({ missingGroups: ["00g1social"] }));
    expect(withOktaFindings(noPlan(), data, workspace()).oktaWarnings).toEqual([
      'team "Social" (t-social) in workspace ws-test: Okta has no group 00g1social (deleted in Okta, or a wrong oktaGroupId); left out of "Contentzilla - Instagram" (account a-1), which its direct viewers still see; set the team\'s oktaGroupId in Cerby, or remove its grants',
    ]);
  });

  it("adds nothing when Okta knew everyone", () => {
    const report = noPlan();
    expect(withOktaFindings(report, buildStackData(workspace()), workspace())).toBe(report);
  });
});

describe("the people record", () => {
  it("reads the first version (a flat map of names) and keeps what each login resolved to", async () => {
    const paths = { outDir: await folder(), stateDir: await folder() };
    await mkdir(path.join(paths.stateDir, "people"));
    await writeFile(path.join(paths.stateDir, "people", "ws-test.json"), JSON.stringify({ "00u1old": "u-old" }));
    const planJson = {
      format_version: "1.2",
      prior_state: { values: { root_module: { resources: [{ mode: "data", type: "okta_users", name: "by_login", index: "u-carol", values: { users: [{ id: "00u1carol" }] } }] } } },
    };
    const names = await rememberPeople(paths, "ws-test", { "u-alice": "00u1alice" }, planJson);
    expect(Object.fromEntries(names)).toEqual({ "00u1old": "u-old", "00u1alice": "u-alice", "00u1carol": "u-carol" });
    // Version 1 knew u-old only by one Okta ID: that is what they resolved to, held if their login stops matching.
    expect((await readPeopleRecord(paths.stateDir, "ws-test")).resolved).toEqual({ "u-old": "00u1old", "u-carol": "00u1carol" });
  });
});

describe("what a workspace's stacks learned", () => {
  it("is merged over every shard of the workspace, so that it survives a reshard, and kept apart from other workspaces", async () => {
    const stateDir = await folder();
    await mkdir(path.join(stateDir, "people"));
    const record = (fields: Record<string, Record<string, string>>) => JSON.stringify({ version: 2, names: {}, resolved: {}, missingUsers: {}, missingGroups: {}, ...fields });
    await writeFile(path.join(stateDir, "people", "ws-big-s000.json"), record({ resolved: { "u-erin": "00u1erin" } }));
    await writeFile(path.join(stateDir, "people", "ws-big-s003.json"), record({ missingGroups: { "00g1gone": "t-gone" } }));
    await writeFile(path.join(stateDir, "people", "ws-small.json"), record({ missingUsers: { "00u1bob": "u-bob" } }));
    const findings = await readAllFindings(stateDir);
    expect([...findings.keys()].sort()).toEqual(["ws-big", "ws-small"]);
    expect(findings.get("ws-big")).toEqual({ missingUsers: new Set(), missingGroups: new Set(["00g1gone"]), resolved: { "u-erin": "00u1erin" } });
    expect(findings.get("ws-small")!.missingUsers).toEqual(new Set(["00u1bob"]));
    expect(workspaceOfStack("ws-big-s127")).toBe("ws-big");
  });
});

describe("the destroy guard over a whole run", () => {
  const losing = (stack: string, lost: number, existing: number): PlanReport => ({
    ...noPlan(stack),
    accessLost: lost,
    existingAccess: existing,
    access: [{ accountId: `${stack}-a`, label: "L", gainedUsers: [], lostUsers: Array.from({ length: lost }, (_, index) => (index === 0 ? "u-bob" : `u-${stack}-${index}`)), gainedGroups: [], lostGroups: [] }],
  });

  it("refuses lost access spread over stacks that each stay under their own limits, naming who loses most", () => {
    const reports = ["s0", "s1", "s2", "s3"].map((stack) => losing(stack, 6, 18));
    const refusal = runAccessRefusal(reports, DEFAULT_DESTROY_LIMITS);
    expect(refusal).toContain("the run, across 4 of 4 stacks, takes 24 of 72 chiclet assignments away from people or IdP groups (33%)");
    expect(refusal).toContain("most affected: u-bob (4)");
  });

  it("lets a run within the limits through, and leaves a single stack to the per-stack guard", () => {
    expect(runAccessRefusal([losing("s0", 2, 100), losing("s1", 2, 100)], DEFAULT_DESTROY_LIMITS)).toBeUndefined();
    expect(runAccessRefusal([losing("s0", 30, 40)], DEFAULT_DESTROY_LIMITS)).toBeUndefined();
  });
});
