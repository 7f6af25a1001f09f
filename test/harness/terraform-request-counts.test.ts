/**
 * Okta API requests per operation through real Terraform, the stand-in
 * provider and the emulator, equal to what okta/okta 4.20.0 and 6.12.0 make
 * against an Identity Engine org (docs/okta-provider-4.20.md and
 * docs/okta-provider-6.12.md, "Request counts"). Every configured provider
 * process first makes 2 × GET /api/v1/users/me. The 6.12 bookmarks are
 * written as the stack writes them, with skip_authentication_policy.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OktaUser } from "../../harness/okta-emulator.ts";
import { MODELLED_OKTA_PROVIDER_VERSIONS } from "../../src/config/okta-provider-version.ts";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { startStand, type Stand } from "./terraform-stand.ts";

const ME = "GET /api/v1/users/me";
const WELL_KNOWN = "GET /.well-known/okta-organization";

describe.skipIf(shouldSkipTerraformTests()).each(MODELLED_OKTA_PROVIDER_VERSIONS)("okta/okta %s request counts per operation", (version) => {
  const v6 = version.startsWith("6.");
  /** The access policy calls and the org kind a 4.20 bookmark create or update adds (none for a 6.x bookmark that skips the policy). */
  const policy = (calls: Record<string, number>) => (v6 ? {} : calls);
  let s: Stand;
  let alice: OktaUser, bob: OktaUser;
  let idp: string;

  beforeEach(async () => {
    s = await startStand({}, version);
    alice = s.emu.seedUser({ login: "alice@acme.example" });
    bob = s.emu.seedUser({ login: "bob@acme.example" });
    idp = s.emu.createGroup("idp-marketing").id;
  });
  afterEach(async () => s?.close());

  /** Runs a saved plan (no refresh) and returns the requests of the apply alone. */
  async function applyCounts(): Promise<Record<string, number>> {
    await s.ok("plan", "-refresh=false", "-out=tfplan");
    s.emu.resetRequestLog();
    await s.ok("apply", "tfplan");
    return s.emu.countsByRoute();
  }

  const bookmark = (label: string) => ({ label, url: "https://brand.example/", ...(v6 ? { skip_authentication_policy: true } : {}) });

  it("creates, reads, updates and deletes each resource with the real provider's calls", async () => {
    // group create: POST, GET (existence loop), GET (read) = 3
    s.write({ resource: { okta_group: { g: { name: "cerby-okta/ws/a-1" } } } });
    expect(await applyCounts()).toEqual({ [ME]: 2, "POST /api/v1/groups": 1, "GET /api/v1/groups/{id}": 2 });

    // bookmark create on OIE: POST ?activate=true, GET policies, PUT policy, GET app = 4, and the org kind once;
    // 6.x with skip_authentication_policy: POST, GET app = 2
    const withApp = { okta_group: { g: { name: "cerby-okta/ws/a-1" } }, okta_app_bookmark: { a: bookmark("Brand - Instagram") } };
    s.write({ resource: withApp });
    expect(await applyCounts()).toEqual({
      [ME]: 2,
      ...policy({ [WELL_KNOWN]: 1, "GET /api/v1/policies": 1, "PUT /api/v1/apps/{id}/policies/{pid}": 1 }),
      "POST /api/v1/apps": 1,
      "GET /api/v1/apps/{id}": 1,
    });
    expect(s.emu.requests.find((r) => r.route === "/api/v1/apps")?.query).toBe("activate=true");
    if (!v6) expect(s.emu.requests.find((r) => r.route === "/api/v1/policies")?.query).toBe("type=ACCESS_POLICY");

    // memberships create with u = 2 users: u PUTs + 1 list = 3; assignments create with n = 2 groups: n PUTs + 1 list = 3
    const full = {
      ...withApp,
      okta_group_memberships: { m: { group_id: "${okta_group.g.id}", track_all_users: true, users: [alice.id, bob.id] } },
      okta_app_group_assignments: { a: { app_id: "${okta_app_bookmark.a.id}", group: [{ id: idp }, { id: "${okta_group.g.id}" }] } },
    };
    s.write({ resource: full });
    expect(await applyCounts()).toEqual({
      [ME]: 2,
      "PUT /api/v1/groups/{id}/users/{uid}": 2,
      "GET /api/v1/groups/{id}/users": 1,
      "PUT /api/v1/apps/{id}/groups/{gid}": 2,
      "GET /api/v1/apps/{id}/groups": 1,
    });
    const lists = s.emu.requests.filter((r) => r.method === "GET" && ["/api/v1/groups/{id}/users", "/api/v1/apps/{id}/groups"].includes(r.route));
    expect(lists.map((r) => r.query)).toEqual(["limit=200", "limit=200"]);

    // a refreshing plan: 1 read per resource; the bookmark read asks the org kind once (not when it skips the policy)
    s.emu.resetRequestLog();
    expect((await s.ok("plan", "-detailed-exitcode")).exitCode).toBe(0);
    expect(s.emu.countsByRoute()).toEqual({
      [ME]: 2,
      ...policy({ [WELL_KNOWN]: 1 }),
      "GET /api/v1/apps/{id}": 1,
      "GET /api/v1/groups/{id}": 1,
      "GET /api/v1/groups/{id}/users": 1,
      "GET /api/v1/apps/{id}/groups": 1,
    });
    // only the list of the app's groups lands in the 100/min apps bucket
    expect(s.emu.countsByBucket()).toMatchObject({ "/api/v1/apps": 1, "/api/v1/apps/{id}": 1, "/api/v1/groups": 1, "/api/v1/groups/{id}": 1 });

    // bookmark relabel: PUT app, PUT its known policy, GET = 3 (the read asks the org kind); 6.x skipping the policy: PUT, GET = 2
    full.okta_app_bookmark.a = bookmark("Brand - Instagram (new)");
    s.write({ resource: full });
    expect(await applyCounts()).toEqual({
      [ME]: 2,
      ...policy({ [WELL_KNOWN]: 1, "PUT /api/v1/apps/{id}/policies/{pid}": 1 }),
      "PUT /api/v1/apps/{id}": 1,
      "GET /api/v1/apps/{id}": 1,
    });

    // group update: PUT + GET = 2
    full.okta_group.g = { name: "cerby-okta/ws/a-1", description: "who sees Brand" } as never;
    s.write({ resource: full });
    expect(await applyCounts()).toEqual({ [ME]: 2, "PUT /api/v1/groups/{id}": 1, "GET /api/v1/groups/{id}": 1 });

    // assignments update removing 1 of 2 groups: 1 DELETE, then a PUT for every group left (1), then the list = 3
    (full.okta_app_group_assignments.a as { group: object[] }).group = [{ id: "${okta_group.g.id}" }];
    s.write({ resource: full });
    expect(await applyCounts()).toEqual({
      [ME]: 2,
      "DELETE /api/v1/apps/{id}/groups/{gid}": 1,
      "PUT /api/v1/apps/{id}/groups/{gid}": 1,
      "GET /api/v1/apps/{id}/groups": 1,
    });

    // memberships update: adds and removes only, no read
    full.okta_group_memberships.m.users = [alice.id];
    s.write({ resource: full });
    expect(await applyCounts()).toEqual({ [ME]: 2, "DELETE /api/v1/groups/{id}/users/{uid}": 1 });

    // destroy without refresh: bookmark = deactivate + DELETE; group = DELETE; memberships = DELETE per user; assignments = DELETE per group
    s.emu.resetRequestLog();
    await s.ok("destroy", "-auto-approve", "-refresh=false");
    const counts = s.emu.countsByRoute();
    expect(counts).toEqual({
      [ME]: 4, // the plan and the apply of destroy each configure a provider
      "POST /api/v1/apps/{id}/lifecycle/deactivate": 1,
      "DELETE /api/v1/apps/{id}": 1,
      "DELETE /api/v1/groups/{id}": 1,
      "DELETE /api/v1/groups/{id}/users/{uid}": 1,
      "DELETE /api/v1/apps/{id}/groups/{gid}": 1,
    });
  }, 400_000);

  it("memberships with no users make no call; data okta_user is one search with limit=1, plus roles twice and groups unless skipped", async () => {
    s.write({
      data: {
        okta_user: {
          lean: { search: [{ name: "profile.login", value: "alice@acme.example" }], skip_groups: true, skip_roles: true },
          full: { search: [{ name: "profile.login", value: "bob@acme.example" }] },
        },
      },
      resource: {
        okta_group: { g: { name: "cerby-okta/ws/a-2" } },
        okta_group_memberships: { m: { group_id: "${okta_group.g.id}", track_all_users: true, users: [] } },
      },
    });
    s.emu.resetRequestLog();
    await s.ok("plan", "-out=tfplan");
    const searches = s.emu.requests.filter((r) => r.route === "/api/v1/users");
    expect(searches.map((r) => new URLSearchParams(r.query).get("search")).sort()).toEqual([
      'profile.login eq "alice@acme.example"',
      'profile.login eq "bob@acme.example"',
    ]);
    expect(searches.every((r) => new URLSearchParams(r.query).get("limit") === "1")).toBe(true);
    expect(s.emu.countsByRoute()).toEqual({
      [ME]: 2,
      "GET /api/v1/users": 2,
      "GET /api/v1/users/{id}/roles": 2,
      "GET /api/v1/users/{id}/groups": 1,
    });
    s.emu.resetRequestLog();
    await s.ok("apply", "tfplan");
    expect(s.emu.countsByRoute()).toEqual({ [ME]: 2, "POST /api/v1/groups": 1, "GET /api/v1/groups/{id}": 2 });
  }, 120_000);

  it(`the bench's one-account change (relabel, first direct user) costs ${v6 ? 14 : 16} requests, as the facts page says`, async () => {
    const before = {
      okta_app_bookmark: { a: bookmark("Brand 3 - Instagram") },
      okta_app_group_assignments: { a: { app_id: "${okta_app_bookmark.a.id}", group: [{ id: idp }] } },
    };
    s.write({ resource: before });
    await s.ok("apply", "-auto-approve");
    const after = {
      okta_app_bookmark: { a: bookmark("Brand three - Instagram") },
      okta_group: { access: { name: "cerby-okta/ws/a-3" } },
      okta_group_memberships: { access: { group_id: "${okta_group.access.id}", track_all_users: true, users: [alice.id] } },
      okta_app_group_assignments: { a: { app_id: "${okta_app_bookmark.a.id}", group: [{ id: idp }, { id: "${okta_group.access.id}" }] } },
    };
    s.write({ resource: after });
    s.emu.resetRequestLog();
    await s.ok("plan", "-refresh=false", "-out=tfplan");
    await s.ok("apply", "tfplan");
    expect(s.emu.requestCount()).toBe(v6 ? 14 : 16);
    expect(s.emu.countsByBucket()).toEqual({
      "/api/v1/users/me": 4,
      ...(v6 ? {} : { "/": 1 }), // the org kind
      "/api/v1/apps": v6 ? 3 : 4, // (4.20: PUT policy,) 2 × PUT group assignment, GET assignments
      "/api/v1/apps/{id}": 2, // PUT app, GET app
      "/api/v1/groups": 3, // POST group, PUT member, GET members
      "/api/v1/groups/{id}": 2, // 2 × GET group
    });
  }, 120_000);

  it("imports what adopt imports: memberships list their members (6.11+: in the importer too, where a 404 fails); a 6.x bookmark imported with /skip_authentication_policy plans no change", async () => {
    const app = s.emu.createBookmarkApp("Brand 4 - Instagram", "https://brand.example/");
    const group = s.emu.createGroup("cerby-okta/ws/a-4");
    s.emu.addUserToGroup(group.id, alice.id);
    const gone = s.emu.createGroup("cerby-okta/ws/a-5");
    s.write({
      resource: {
        okta_app_bookmark: { a: bookmark("Brand 4 - Instagram") },
        okta_group_memberships: { m: { group_id: group.id, track_all_users: true, users: [alice.id] } },
      },
    });
    await s.ok("init", "-input=false");
    s.emu.resetRequestLog();
    await s.ok("import", "okta_group_memberships.m", `${group.id}/true`);
    // the importer's list (6.11+), then the read after the import
    expect(s.emu.countsByRoute()).toEqual({ [ME]: 2, "GET /api/v1/groups/{id}/users": v6 ? 2 : 1 });
    await s.ok("import", "okta_app_bookmark.a", v6 ? `${app.id}/skip_authentication_policy` : app.id);
    const plan = await s.ok("plan", "-detailed-exitcode");
    expect(plan.exitCode, plan.stdout).toBe(0);

    s.emu.deleteGroup(gone.id);
    s.write({
      resource: {
        okta_group_memberships: {
          m: { group_id: group.id, track_all_users: true, users: [alice.id] },
          n: { group_id: gone.id, track_all_users: true, users: [] },
        },
      },
    });
    const imported = await s.tf("import", "okta_group_memberships.n", `${gone.id}/true`);
    if (v6) expect(imported.stderr).toMatch(/error fetching group users during import: the API returned an error: Not found/);
    else expect(imported.exitCode, imported.stderr).toBe(0); // 4.20's read takes the 404 for an empty group
  }, 120_000);
});
