/**
 * Okta API requests per operation through real Terraform, the stand-in
 * provider and the emulator, equal to what okta/okta 4.20.0 makes against an
 * Identity Engine org (/work/shared/okta-provider-4.20.md, "Request counts").
 * Every configured provider process first makes 2 × GET /api/v1/users/me.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OktaUser } from "../../harness/okta-emulator.ts";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { startStand, type Stand } from "./terraform-stand.ts";

const ME = "GET /api/v1/users/me";
const WELL_KNOWN = "GET /.well-known/okta-organization";

describe.skipIf(shouldSkipTerraformTests())("okta/okta 4.20.0 request counts per operation", () => {
  let s: Stand;
  let alice: OktaUser, bob: OktaUser;
  let idp: string;

  beforeEach(async () => {
    s = await startStand();
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

  const bookmark = (label: string) => ({ label, url: "https://brand.example/" });

  it("creates, reads, updates and deletes each resource with the real provider's calls", async () => {
    // group create: POST, GET (existence loop), GET (read) = 3
    s.write({ resource: { okta_group: { g: { name: "cerby-okta/ws/a-1" } } } });
    expect(await applyCounts()).toEqual({ [ME]: 2, "POST /api/v1/groups": 1, "GET /api/v1/groups/{id}": 2 });

    // bookmark create on OIE: POST ?activate=true, GET policies, PUT policy, GET app = 4, and the org kind once
    const withApp = { okta_group: { g: { name: "cerby-okta/ws/a-1" } }, okta_app_bookmark: { a: bookmark("Brand - Instagram") } };
    s.write({ resource: withApp });
    expect(await applyCounts()).toEqual({
      [ME]: 2,
      [WELL_KNOWN]: 1,
      "POST /api/v1/apps": 1,
      "GET /api/v1/policies": 1,
      "PUT /api/v1/apps/{id}/policies/{pid}": 1,
      "GET /api/v1/apps/{id}": 1,
    });
    expect(s.emu.requests.find((r) => r.route === "/api/v1/apps")?.query).toBe("activate=true");
    expect(s.emu.requests.find((r) => r.route === "/api/v1/policies")?.query).toBe("type=ACCESS_POLICY");

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

    // a refreshing plan: 1 read per resource; the bookmark read asks the org kind once
    s.emu.resetRequestLog();
    expect((await s.ok("plan", "-detailed-exitcode")).exitCode).toBe(0);
    expect(s.emu.countsByRoute()).toEqual({
      [ME]: 2,
      [WELL_KNOWN]: 1,
      "GET /api/v1/apps/{id}": 1,
      "GET /api/v1/groups/{id}": 1,
      "GET /api/v1/groups/{id}/users": 1,
      "GET /api/v1/apps/{id}/groups": 1,
    });
    // only the list of the app's groups lands in the 100/min apps bucket
    expect(s.emu.countsByBucket()).toMatchObject({ "/api/v1/apps": 1, "/api/v1/apps/{id}": 1, "/api/v1/groups": 1, "/api/v1/groups/{id}": 1 });

    // bookmark relabel: PUT app, PUT its known policy, GET = 3 (the read asks the org kind)
    full.okta_app_bookmark.a = bookmark("Brand - Instagram (new)");
    s.write({ resource: full });
    expect(await applyCounts()).toEqual({
      [ME]: 2,
      [WELL_KNOWN]: 1,
      "PUT /api/v1/apps/{id}": 1,
      "PUT /api/v1/apps/{id}/policies/{pid}": 1,
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
  }, 180_000);

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

  it("the bench's one-account change (relabel, first direct user) costs 16 requests, as the facts table says", async () => {
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
    expect(s.emu.requestCount()).toBe(16);
    expect(s.emu.countsByBucket()).toEqual({
      "/api/v1/users/me": 4,
      "/": 1,
      "/api/v1/apps": 4, // PUT policy, 2 × PUT group assignment, GET assignments
      "/api/v1/apps/{id}": 2, // PUT app, GET app
      "/api/v1/groups": 3, // POST group, PUT member, GET members
      "/api/v1/groups/{id}": 2, // 2 × GET group
    });
  }, 120_000);
});
