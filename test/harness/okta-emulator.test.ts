import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../harness/okta-emulator.ts";

let emu: OktaEmulator;
const TOKEN = "emulator-test-token";

async function api(method: string, path: string, body?: unknown, token = TOKEN) {
  const res = await fetch(emu.url + path, {
    method,
    headers: { Authorization: `SSWS ${token}`, Accept: "application/json", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

function nextLink(headers: Headers): string | undefined {
  const link = headers.get("link") ?? "";
  const m = /<([^>]+)>;\s*rel="next"/.exec(link);
  return m ? new URL(m[1]!).pathname + new URL(m[1]!).search : undefined;
}

beforeEach(async () => {
  emu = await startOktaEmulator({ token: TOKEN });
});
afterEach(async () => {
  await emu.close();
});

describe("okta emulator", () => {
  it("requires SSWS auth and counts requests by route and bucket", async () => {
    expect((await api("GET", "/api/v1/apps", undefined, "wrong")).status).toBe(401);
    const res = await fetch(emu.url + "/api/v1/groups");
    expect(res.status).toBe(401);
    expect((await res.json()).errorCode).toBe("E0000011");
    expect((await api("GET", "/api/v1/apps")).status).toBe(200);
    expect(emu.requestCount()).toBe(3);
    expect(emu.requestCount({ bucket: "apps" })).toBe(2);
    expect(emu.requestCount({ method: "GET", route: "/api/v1/groups" })).toBe(1);
    expect(emu.countsByBucket()).toEqual({ apps: 2, groups: 1, users: 0, other: 0 });
  });

  it("creates, updates, deactivates and deletes bookmark apps", async () => {
    const created = await api("POST", "/api/v1/apps", {
      name: "bookmark",
      label: "Contentzilla - Instagram",
      signOnMode: "BOOKMARK",
      settings: { app: { url: "https://instagram.example/", requestIntegration: false } },
    });
    expect(created.status).toBe(200);
    const app = created.json;
    expect(app).toMatchObject({ name: "bookmark", status: "ACTIVE", signOnMode: "BOOKMARK", label: "Contentzilla - Instagram" });
    expect(app.id).toMatch(/^0oa\w{17}$/);
    expect(app.settings.app.url).toBe("https://instagram.example/");
    expect(created.headers.get("x-rate-limit-limit")).toBe("100");
    expect(Number(created.headers.get("x-rate-limit-remaining"))).toBe(99);
    expect(Number(created.headers.get("x-rate-limit-reset"))).toBeGreaterThan(Date.now() / 1000);

    const put = await api("PUT", `/api/v1/apps/${app.id}`, { ...app, label: "Renamed" });
    expect(put.json.label).toBe("Renamed");
    expect((await api("GET", "/api/v1/apps?q=ren")).json).toHaveLength(1);
    expect((await api("DELETE", `/api/v1/apps/${app.id}`)).status).toBe(403);
    expect((await api("POST", `/api/v1/apps/${app.id}/lifecycle/deactivate`)).status).toBe(200);
    expect((await api("DELETE", `/api/v1/apps/${app.id}`)).status).toBe(204);
    const gone = await api("GET", `/api/v1/apps/${app.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json.errorCode).toBe("E0000007");
    expect(emu.requestCount({ method: "GET", route: "/api/v1/apps/{id}" })).toBe(1);
  });

  it("pages app groups and group members with Link rel=next", async () => {
    const app = emu.createBookmarkApp("A", "https://a.example");
    const groups = Array.from({ length: 5 }, (_, i) => emu.createGroup(`g${i}`));
    for (const g of groups) {
      const r = await api("PUT", `/api/v1/apps/${app.id}/groups/${g.id}`, {});
      expect(r.status).toBe(200);
      expect(r.json.id).toBe(g.id);
    }
    let path: string | undefined = `/api/v1/apps/${app.id}/groups?limit=2`;
    const seen: string[] = [];
    let pages = 0;
    while (path) {
      const r = await api("GET", path);
      pages++;
      seen.push(...r.json.map((x: { id: string }) => x.id));
      path = nextLink(r.headers);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(groups.map((g) => g.id));

    const users = Array.from({ length: 3 }, (_, i) => emu.seedUser({ login: `u${i}@acme.example` }));
    for (const u of users) expect((await api("PUT", `/api/v1/groups/${groups[0]!.id}/users/${u.id}`)).status).toBe(204);
    const p1 = await api("GET", `/api/v1/groups/${groups[0]!.id}/users?limit=2`);
    expect(p1.json).toHaveLength(2);
    const p2 = await api("GET", nextLink(p1.headers)!);
    expect(p2.json.map((u: { id: string }) => u.id)).toEqual([users[2]!.id]);
    expect(nextLink(p2.headers)).toBeUndefined();
    expect((await api("DELETE", `/api/v1/groups/${groups[0]!.id}/users/${users[0]!.id}`)).status).toBe(204);
    expect(emu.state.groupMembers.get(groups[0]!.id)!.size).toBe(2);
  });

  it("finds users by search, filter, id and login", async () => {
    const alice = emu.seedUser({ id: "00ualice000000000001", login: "alice@acme.example" });
    emu.seedUser({ login: "bob@acme.example" });
    const s = await api("GET", `/api/v1/users?search=${encodeURIComponent('profile.login eq "alice@acme.example"')}`);
    expect(s.json.map((u: { id: string }) => u.id)).toEqual([alice.id]);
    const f = await api("GET", `/api/v1/users?filter=${encodeURIComponent('profile.login eq "bob@acme.example"')}`);
    expect(f.json).toHaveLength(1);
    expect((await api("GET", `/api/v1/users/${alice.id}`)).json.profile.login).toBe("alice@acme.example");
    expect((await api("GET", `/api/v1/users/${encodeURIComponent("alice@acme.example")}`)).json.id).toBe(alice.id);
    expect((await api("GET", `/api/v1/users/nobody`)).status).toBe(404);
  });

  it("computes appLinks from active apps assigned through groups", async () => {
    const alice = emu.seedUser({ login: "alice@acme.example" });
    const bob = emu.seedUser({ login: "bob@acme.example" });
    const a1 = emu.createBookmarkApp("One", "https://1.example");
    const a2 = emu.createBookmarkApp("Two", "https://2.example");
    const g = emu.createGroup("team");
    emu.addUserToGroup(g.id, alice.id);
    emu.addUserToGroup(g.id, bob.id);
    emu.assignGroupToApp(a1.id, g.id);
    emu.assignGroupToApp(a2.id, g.id);
    const links = await api("GET", `/api/v1/users/${alice.id}/appLinks`);
    expect(links.json.map((l: { label: string }) => l.label)).toEqual(["One", "Two"]);
    expect(links.json[0]).toMatchObject({ appName: "bookmark", appInstanceId: a1.id });
    expect(links.json[0].linkUrl).toContain(a1.id);

    emu.setAppStatus(a2.id, "INACTIVE");
    expect(emu.appLinksFor(alice.id).map((l) => l.label)).toEqual(["One"]);
    expect((await api("POST", `/api/v1/users/${bob.id}/lifecycle/suspend`)).status).toBe(200);
    expect((await api("GET", `/api/v1/users/${bob.id}/appLinks`)).json).toEqual([]);
    emu.renameApp(a1.id, "Uno");
    expect(emu.appLinksFor("alice@acme.example")[0]!.label).toBe("Uno");
  });

  it("answers 429 for the next N requests of one bucket only", async () => {
    emu.setRateLimit("apps", { fail429Next: 2, retryAfterSeconds: 3 });
    const r1 = await api("GET", "/api/v1/apps");
    expect(r1.status).toBe(429);
    expect(r1.json.errorCode).toBe("E0000047");
    expect(r1.headers.get("x-rate-limit-remaining")).toBe("0");
    expect(Number(r1.headers.get("x-rate-limit-reset"))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 2);
    expect((await api("GET", "/api/v1/groups")).status).toBe(200);
    expect((await api("GET", "/api/v1/apps")).status).toBe(429);
    expect((await api("GET", "/api/v1/apps")).status).toBe(200);
    expect(emu.requestCount({ status: 429 })).toBe(2);
  });

  it("rejects duplicate group names and cascades group deletion", async () => {
    const g = await api("POST", "/api/v1/groups", { profile: { name: "x", description: "d" } });
    expect(g.json).toMatchObject({ type: "OKTA_GROUP", profile: { name: "x", description: "d" } });
    expect((await api("POST", "/api/v1/groups", { profile: { name: "x" } })).status).toBe(400);
    const app = emu.createBookmarkApp("A", "https://a.example");
    emu.assignGroupToApp(app.id, g.json.id);
    expect((await api("GET", `/api/v1/groups?q=x`)).json).toHaveLength(1);
    expect((await api("DELETE", `/api/v1/groups/${g.json.id}`)).status).toBe(204);
    expect(emu.state.appGroups.get(app.id)!.size).toBe(0);
  });
});
