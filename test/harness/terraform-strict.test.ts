/**
 * What okta/okta 4.20.0 does not forgive (or forgives wrongly), reproduced by
 * the stand-in through real Terraform with small hand-written configurations:
 * 404s that are errors, errors that are swallowed, the state SDKv2 records
 * after a failure, defaults in plan and state, plan-time validation, and the
 * user data sources. Then what okta/okta 6.12.0 does differently with the
 * same configurations (docs/okta-provider-6.12.md).
 */
import { crc32 } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { startStand, type Stand } from "./terraform-stand.ts";

const output = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`.replace(/\s+/g, " ");
const bookmark = { label: "Brand - Instagram", url: "https://brand.example/" };

/**
 * #1885's set-up: an app assigned groups g1 and g2; g2 deleted in Okta (which
 * drops its assignment); a plan without refresh (tfplan) that replaces g2 by g3.
 */
async function planAfterAssignedGroupDeleted(version: string) {
  const stand = await startStand({}, version);
  const [g1, g2, g3] = ["idp-a", "idp-b", "idp-c"].map((n) => stand.emu.createGroup(n).id) as [string, string, string];
  const assignments = (ids: string[]) => ({
    resource: { okta_app_bookmark: { a: bookmark }, okta_app_group_assignments: { a: { app_id: "${okta_app_bookmark.a.id}", group: ids.map((id) => ({ id })) } } },
  });
  stand.write(assignments([g1, g2]));
  await stand.ok("apply", "-auto-approve");
  const appId = stand.emu.findAppsByLabel(bookmark.label)[0]!.id;
  stand.emu.deleteGroup(g2);
  stand.write(assignments([g1, g3]));
  await stand.ok("plan", "-refresh=false", "-out=tfplan");
  stand.emu.resetRequestLog();
  return { stand, appId, g1, g2, g3 };
}

describe.skipIf(shouldSkipTerraformTests())("stand-in okta provider: okta/okta 4.20.0's strictness and bugs", () => {
  let s: Stand | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it("an assignments update whose DELETE meets a group deleted in Okta fails, skips the adds, and records the planned list (#1885)", async () => {
    const { stand, appId, g1, g2, g3 } = await planAfterAssignedGroupDeleted("4.20.0");
    s = stand;
    const r = await s.tf("apply", "tfplan");
    expect(r.exitCode).toBe(1);
    expect(output(r)).toContain(
      `failed to delete group assignment: could not delete assignment for group ${g2}, to application ${appId}: the API returned an error: Not found: Resource not found: ${g2} (ApplicationGroupAssignment)`,
    );
    expect(s.emu.requestCount({ method: "PUT" })).toBe(0); // returned before any add
    expect([...s.emu.state.appGroups.get(appId)!.keys()]).toEqual([g1]);
    // ...yet the state says g3 is assigned
    expect((await s.state()).get("okta_app_group_assignments.a").group.map((g: { id: string }) => g.id)).toEqual([g1, g3]);
    expect((await s.tf("plan", "-refresh=false", "-detailed-exitcode")).exitCode).toBe(0);
    // a refresh shows it
    const refreshed = await s.tf("plan", "-detailed-exitcode");
    expect(refreshed.exitCode).toBe(2);
    expect(refreshed.stdout).toMatch(/okta_app_group_assignments\.a will be updated in-place/);
  }, 120_000);

  it("deleting an app or a group already deleted in Okta fails without a refresh, and succeeds with one", async () => {
    s = await startStand({}, "4.20.0");
    s.write({ resource: { okta_app_bookmark: { a: bookmark }, okta_group: { g: { name: "cerby-okta/ws/a-1" } } } });
    await s.ok("apply", "-auto-approve");
    const appId = s.emu.findAppsByLabel(bookmark.label)[0]!.id;
    const groupId = s.emu.findGroupByName("cerby-okta/ws/a-1")!.id;
    s.emu.deleteApp(appId);
    s.emu.deleteGroup(groupId);
    const r = await s.tf("destroy", "-auto-approve", "-refresh=false");
    expect(r.exitCode).toBe(1);
    const text = output(r);
    expect(text).toContain(`failed to delete bookmark application: the API returned an error: Not found: Resource not found: ${appId} (AppInstance)`);
    expect(text).toContain(`failed to delete group: the API returned an error: Not found: Resource not found: ${groupId} (UserGroup)`);
    expect(s.emu.requestCount({ method: "POST", route: "/api/v1/apps/{id}/lifecycle/deactivate", status: 404 })).toBe(1);
    expect((await s.state()).size).toBe(2);
    await s.ok("destroy", "-auto-approve");
    expect((await s.state()).size).toBe(0);
  }, 120_000);

  it("membership update errors are swallowed: Apply complete, the user is not in the group, only a refresh shows it (#2359)", async () => {
    s = await startStand({}, "4.20.0");
    const alice = s.emu.seedUser({ login: "alice@acme.example" });
    const bob = s.emu.seedUser({ login: "bob@acme.example" });
    const members = (users: string[]) => ({
      resource: {
        okta_group: { g: { name: "cerby-okta/ws/a-1" } },
        okta_group_memberships: { m: { group_id: "${okta_group.g.id}", track_all_users: true, users } },
      },
    });
    s.write(members([alice.id]));
    await s.ok("apply", "-auto-approve");
    const groupId = s.emu.findGroupByName("cerby-okta/ws/a-1")!.id;

    s.write(members([alice.id, bob.id]));
    s.emu.failNext({ method: "PUT", route: "/api/v1/groups/{id}/users/{uid}", status: 403 });
    const r = await s.ok("apply", "-auto-approve");
    expect(r.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    expect(s.emu.requestCount({ method: "PUT", route: "/api/v1/groups/{id}/users/{uid}", status: 403 })).toBe(1);
    expect([...s.emu.state.groupMembers.get(groupId)!]).toEqual([alice.id]);
    expect([...(await s.state()).get("okta_group_memberships.m").users].sort()).toEqual([alice.id, bob.id].sort());
    expect((await s.tf("plan", "-refresh=false", "-detailed-exitcode")).exitCode).toBe(0);
    const refreshed = await s.tf("plan", "-detailed-exitcode");
    expect(refreshed.exitCode).toBe(2);
    expect(refreshed.stdout).toMatch(/okta_group_memberships\.m will be updated in-place/);

    // a failed removal is swallowed the same way
    s.write(members([]));
    s.emu.failNext({ method: "DELETE", route: "/api/v1/groups/{id}/users/{uid}", status: 500 });
    expect((await s.ok("apply", "-auto-approve", "-refresh=false")).stdout).toContain("Apply complete!");
    expect([...s.emu.state.groupMembers.get(groupId)!]).toEqual([alice.id]);
  }, 120_000);

  it("a bookmark whose access policy fails after the POST stays in Okta, tainted, and the next apply replaces it", async () => {
    s = await startStand({}, "4.20.0");
    s.write({ resource: { okta_app_bookmark: { a: bookmark } } });
    s.emu.failNext({ method: "GET", route: "/api/v1/policies", status: 403 });
    const r = await s.tf("apply", "-auto-approve");
    expect(r.exitCode).toBe(1);
    expect(output(r)).toContain(
      "failed to set authentication policy for bookmark application: error finding default ACCESS_POLICY the API returned an error: You do not have permission to perform the requested action",
    );
    const [first] = s.emu.findAppsByLabel(bookmark.label);
    expect(first).toBeDefined();
    const show = JSON.parse((await s.ok("show", "-json")).stdout);
    expect(show.values.root_module.resources[0]).toMatchObject({ address: "okta_app_bookmark.a", tainted: true, values: { id: first!.id } });

    const plan = await s.ok("plan", "-detailed-exitcode");
    expect(plan.stdout).toMatch(/okta_app_bookmark\.a is tainted, so must be replaced/);
    await s.ok("apply", "-auto-approve");
    const apps = s.emu.findAppsByLabel(bookmark.label);
    expect(apps).toHaveLength(1);
    expect(apps[0]!.id).not.toBe(first!.id);
  }, 120_000);

  it("SDKv2 defaults land in plan and state; a status changed in Okta is planned back by its default", async () => {
    s = await startStand({}, "4.20.0");
    s.write({
      resource: {
        okta_app_bookmark: { a: bookmark },
        okta_group: { g: { name: "cerby-okta/ws/a-1" } },
        okta_group_memberships: { m: { group_id: "${okta_group.g.id}", users: [] } },
        okta_app_group_assignments: { a: { app_id: "${okta_app_bookmark.a.id}", group: [{ id: "${okta_group.g.id}" }] } },
      },
    });
    await s.ok("plan", "-out=tfplan");
    const plan = JSON.parse((await s.ok("show", "-json", "tfplan")).stdout);
    const planned = new Map<string, any>(plan.planned_values.root_module.resources.map((r: any) => [r.address, r.values]));
    const bookmarkDefaults = { status: "ACTIVE", hide_ios: false, hide_web: false, auto_submit_toolbar: false, accessibility_self_service: false, request_integration: false };
    expect(planned.get("okta_app_bookmark.a")).toMatchObject(bookmarkDefaults);
    expect(planned.get("okta_group.g")).toMatchObject({ skip_users: false });
    expect(planned.get("okta_group_memberships.m")).toMatchObject({ track_all_users: false });
    expect(planned.get("okta_app_group_assignments.a").group[0]).toMatchObject({ profile: "{}" });
    await s.ok("apply", "tfplan");
    const state = await s.state();
    expect(state.get("okta_app_bookmark.a")).toMatchObject({ ...bookmarkDefaults, authentication_policy: s.emu.defaultAccessPolicyId, app_links_json: '{"login":true}' });
    expect(state.get("okta_group_memberships.m")).toMatchObject({ track_all_users: false, users: [] });
    expect((await s.tf("plan", "-detailed-exitcode")).exitCode).toBe(0);

    const appId = s.emu.findAppsByLabel(bookmark.label)[0]!.id;
    s.emu.setAppStatus(appId, "INACTIVE");
    const drift = await s.ok("plan", "-detailed-exitcode", "-out=tfplan2");
    expect(drift.exitCode).toBe(2);
    expect(drift.stdout).toMatch(/~ status\s+= "INACTIVE" -> "ACTIVE"/);
    s.emu.resetRequestLog();
    await s.ok("apply", "tfplan2");
    // only the status changed: activate, no PUT and no read
    expect(s.emu.countsByRoute()).toEqual({ "GET /api/v1/users/me": 2, "POST /api/v1/apps/{id}/lifecycle/activate": 1 });
    expect(s.emu.state.apps.get(appId)!.status).toBe("ACTIVE");
  }, 120_000);

  it("validates at plan time: group names over 255 bytes, max_api_capacity outside 1-100", async () => {
    s = await startStand({}, "4.20.0");
    s.write({ resource: { okta_group: { g: { name: "x".repeat(256) } } } });
    const long = await s.tf("plan");
    expect(long.exitCode).toBe(1);
    expect(output(long)).toContain("[{{} name}] cannot be longer than 255 characters");
    s.write({ resource: { okta_group: { g: { name: "x".repeat(255) } } } }, { max_api_capacity: 0 });
    const capacity = await s.tf("plan");
    expect(capacity.exitCode).toBe(1);
    expect(output(capacity)).toContain("expected [{{} max_api_capacity}] to be in the range (1 - 100), got 0");
    expect(s.emu.requestCount()).toBe(0);
  }, 60_000);

  it("data okta_user fails the plan when nobody matches and sends the value unescaped; data okta_users pages, and answers [] without error", async () => {
    s = await startStand({ maxLimit: 2 }, "4.20.0");
    for (const login of ["ann@acme.example", "anna@acme.example", "annie@acme.example", "bob@acme.example"]) s.emu.seedUser({ login });
    const oneUser = (value: string) => ({ data: { okta_user: { u: { search: [{ name: "profile.login", value }], skip_groups: true, skip_roles: true } } } });

    s.write(oneUser("nobody@acme.example"));
    const none = await s.tf("plan");
    expect(none.exitCode).toBe(1);
    expect(output(none)).toContain('no users found using search criteria: profile.login eq "nobody@acme.example"');

    s.write(oneUser('o"brien@acme.example'));
    const quoted = await s.tf("plan");
    expect(quoted.exitCode).toBe(1);
    expect(output(quoted)).toContain("failed to list users: the API returned an error: Invalid search criteria.");

    const users = (value: string) => ({
      data: { okta_users: { found: { search: [{ name: "profile.login", comparison: "sw", value }] } } },
      output: { logins: { value: "${[for u in data.okta_users.found.users : u.login]}" }, id: { value: "${data.okta_users.found.id}" } },
    });
    s.write(users("ann"));
    s.emu.resetRequestLog();
    await s.ok("apply", "-auto-approve");
    const out = JSON.parse((await s.ok("output", "-json")).stdout);
    expect(out.logins.value).toEqual(["ann@acme.example", "anna@acme.example", "annie@acme.example"]);
    expect(out.id.value).toBe(String(crc32("?limit=200&search=profile.login+sw+%22ann%22&sortOrder=0")));
    expect(s.emu.requestCount({ method: "GET", route: "/api/v1/users" })).toBe(2); // two pages of 2
    expect(s.emu.requestCount({ route: "/api/v1/users/{id}/groups" }) + s.emu.requestCount({ route: "/api/v1/users/{id}/roles" })).toBe(0);

    s.write(users("zed"));
    await s.ok("apply", "-auto-approve");
    expect(JSON.parse((await s.ok("output", "-json")).stdout).logins.value).toEqual([]);
  }, 120_000);

  it("memberships read keeps the resource with no users when its group is gone (404 suppressed)", async () => {
    s = await startStand({}, "4.20.0");
    const alice = s.emu.seedUser({ login: "alice@acme.example" });
    const g = s.emu.createGroup("idp-team");
    s.write({ resource: { okta_group_memberships: { m: { group_id: g.id, track_all_users: true, users: [alice.id] } } } });
    await s.ok("apply", "-auto-approve");
    s.emu.deleteGroup(g.id);
    await s.ok("apply", "-refresh-only", "-auto-approve");
    expect((await s.state()).get("okta_group_memberships.m")).toMatchObject({ id: g.id, group_id: g.id, users: [] });
  }, 60_000);
});

describe.skipIf(shouldSkipTerraformTests())("stand-in okta provider: what okta/okta 6.12.0 does differently", () => {
  let s: Stand | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it("an assignments update whose DELETE meets a group deleted in Okta ignores the 404 and assigns the rest (#1885 fixed in 6.1.0)", async () => {
    const { stand, appId, g1, g3 } = await planAfterAssignedGroupDeleted("6.12.0");
    s = stand;
    await s.ok("apply", "tfplan");
    expect(s.emu.requestCount({ method: "DELETE", route: "/api/v1/apps/{id}/groups/{gid}", status: 404 })).toBe(1);
    expect([...s.emu.state.appGroups.get(appId)!.keys()].sort()).toEqual([g1, g3].sort());
    expect((await s.tf("plan", "-detailed-exitcode")).exitCode).toBe(0);
  }, 120_000);

  it("validates skip_authentication_policy against authentication_policy, and group names in runes, not bytes", async () => {
    s = await startStand({}, "6.12.0");
    s.write({ resource: { okta_app_bookmark: { a: { ...bookmark, skip_authentication_policy: true, authentication_policy: "rst1" } } } });
    const both = await s.tf("plan");
    expect(both.exitCode).toBe(1);
    expect(output(both)).toMatch(/"skip_authentication_policy": conflicts with authentication_policy/);
    // 255 two-byte characters: 510 bytes, which 4.20 refuses
    s.write({ resource: { okta_group: { g: { name: "é".repeat(255) } } } });
    expect((await s.tf("plan")).exitCode).toBe(0);
    s.write({ resource: { okta_group: { g: { name: "é".repeat(256) } } } });
    expect(output(await s.tf("plan"))).toContain("[{{} name}] cannot be longer than 255 runes");
  }, 60_000);
});
