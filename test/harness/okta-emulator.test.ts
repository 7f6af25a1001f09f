import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startOktaEmulator, type EmulatorOptions, type OktaEmulator } from "../../harness/okta-emulator.ts";
import { bucketOfPath, bucketOfRoute } from "../../harness/okta-rate-limit-buckets.ts";

let emu: OktaEmulator | undefined;
const TOKEN = randomBytes(12).toString("hex");

async function start(options: EmulatorOptions = {}): Promise<OktaEmulator> {
  emu = await startOktaEmulator({ token: TOKEN, ...options });
  return emu;
}

async function api(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(emu!.url + path, {
    method,
    headers: { ...(token === null ? {} : { Authorization: `SSWS ${token}` }), Accept: "application/json", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

function nextLink(headers: Headers): string | undefined {
  const m = /<([^>]+)>;\s*rel="next"/.exec(headers.get("link") ?? "");
  return m ? new URL(m[1]!).pathname + new URL(m[1]!).search : undefined;
}

async function listAll(path: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  for (let next: string | undefined = path; next; ) {
    const r = await api("GET", next);
    expect(r.status).toBe(200);
    pages++;
    ids.push(...r.json.map((x: { id: string }) => x.id));
    next = nextLink(r.headers);
  }
  return { ids, pages };
}

const bookmark = (label: string) => ({
  name: "bookmark",
  label,
  signOnMode: "BOOKMARK",
  settings: { app: { url: "https://instagram.example/", requestIntegration: false } },
});

/**
 * For tests of time (lags, rate-limit windows): the emulator's clock stands
 * still until the test moves it, so that no answer depends on how fast a busy
 * machine serves the requests. Only Date is faked: the HTTP requests run for real.
 * Call before the emulator starts (the lag takes its clock then).
 */
function freezeClock(): { advance(ms: number): void } {
  vi.useFakeTimers({ toFake: ["Date"] });
  return { advance: (ms) => vi.setSystemTime(Date.now() + ms) };
}

afterEach(async () => {
  vi.useRealTimers();
  await emu?.close();
  emu = undefined;
});

describe("okta emulator: API", () => {
  it("requires SSWS auth and counts requests by route, Okta bucket and family", async () => {
    await start();
    expect((await api("GET", "/api/v1/apps", undefined, "wrong")).status).toBe(401);
    const res = await api("GET", "/api/v1/groups", undefined, null);
    expect(res.status).toBe(401);
    expect(res.json.errorCode).toBe("E0000011");
    expect((await api("GET", "/api/v1/apps")).status).toBe(200);
    const app = emu!.createBookmarkApp("A", "https://a.example");
    expect((await api("GET", `/api/v1/apps/${app.id}`)).status).toBe(200);
    expect((await api("GET", `/api/v1/apps/${app.id}/groups`)).status).toBe(200);
    expect(emu!.requestCount()).toBe(5);
    expect(emu!.requestCount({ family: "apps" })).toBe(4);
    expect(emu!.requestCount({ method: "GET", route: "/api/v1/apps/{id}/groups" })).toBe(1);
    expect(emu!.countsByBucket()).toEqual({ "/api/v1/apps": 3, "/api/v1/apps/{id}": 1, "/api/v1/groups": 1 });
    expect(emu!.countsByFamily()).toEqual({ apps: 4, groups: 1, users: 0, other: 0 });
    expect(emu!.requests.every((r) => r.at > 0 && r.status > 0)).toBe(true);
  });

  it("creates, updates, deactivates and deletes bookmark apps", async () => {
    await start();
    const created = await api("POST", "/api/v1/apps?activate=true", bookmark("Contentzilla - Instagram"));
    expect(created.status).toBe(200);
    const app = created.json;
    expect(app).toMatchObject({ name: "bookmark", status: "ACTIVE", signOnMode: "BOOKMARK", label: "Contentzilla - Instagram" });
    expect(app.id).toMatch(/^0oa\w{17}$/);
    expect(app._links.accessPolicy.href).toBe(`${emu!.url}/api/v1/policies/${emu!.defaultAccessPolicyId}`);
    const put = await api("PUT", `/api/v1/apps/${app.id}`, { ...app, label: "Renamed" });
    expect(put.json.label).toBe("Renamed");
    expect((await api("DELETE", `/api/v1/apps/${app.id}`)).status).toBe(403);
    expect((await api("POST", `/api/v1/apps/${app.id}/lifecycle/deactivate`)).status).toBe(200);
    expect((await api("DELETE", `/api/v1/apps/${app.id}`)).status).toBe(204);
    const gone = await api("GET", `/api/v1/apps/${app.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ errorCode: "E0000007", errorSummary: `Not found: Resource not found: ${app.id} (AppInstance)` });
    expect((await api("POST", `/api/v1/apps/${app.id}/lifecycle/deactivate`)).status).toBe(404);
    expect((await api("POST", "/api/v1/apps", { ...bookmark(""), label: "" })).status).toBe(400);
  });

  it("refuses an app label over 100 characters as Okta does (400 E0000001), on create and on update", async () => {
    await start();
    const long = await api("POST", "/api/v1/apps", bookmark("x".repeat(101)));
    expect(long.status).toBe(400);
    expect(long.json).toMatchObject({ errorCode: "E0000001", errorSummary: "Api validation failed: label", errorCauses: [{ errorSummary: expect.stringContaining("label") }] });
    // 50 astral characters are 100 UTF-16 units: allowed; 51 are not.
    const created = await api("POST", "/api/v1/apps", bookmark("\u{1F600}".repeat(50)));
    expect(created.status).toBe(200);
    expect((await api("PUT", `/api/v1/apps/${created.json.id}`, bookmark("\u{1F600}".repeat(51)))).status).toBe(400);
    expect(emu!.state.apps.get(created.json.id)!.label).toBe("\u{1F600}".repeat(50));
  });

  it("lags list reads behind writes when asked: members and assignments appear (and go) only after N reads or N ms", async () => {
    const clock = freezeClock();
    await start({ lag: { lists: { reads: 2 } } });
    const alice = emu!.seedUser({ login: "alice@acme.example" });
    const bob = emu!.seedUser({ login: "bob@acme.example" });
    const group = emu!.createGroup("g");
    const app = (await api("POST", "/api/v1/apps", bookmark("A"))).json;
    emu!.addUserToGroup(group.id, alice.id);
    const members = async () => (await api("GET", `/api/v1/groups/${group.id}/users`)).json.map((u: { id: string }) => u.id);
    expect(await members()).toEqual([]);
    expect(await members()).toEqual([]);
    expect(await members()).toEqual([alice.id]);
    // A removal lags too: the member is still listed for two reads.
    expect((await api("DELETE", `/api/v1/groups/${group.id}/users/${alice.id}`)).status).toBe(204);
    expect((await api("PUT", `/api/v1/groups/${group.id}/users/${bob.id}`)).status).toBe(204);
    expect(await members()).toEqual([alice.id]);
    expect(await members()).toEqual([alice.id]);
    expect(await members()).toEqual([bob.id]);
    // Assignments: a GET of the one assignment is consistent at once; the list is not.
    expect((await api("PUT", `/api/v1/apps/${app.id}/groups/${group.id}`, {})).status).toBe(200);
    expect((await api("GET", `/api/v1/apps/${app.id}/groups/${group.id}`)).status).toBe(200);
    expect((await api("GET", `/api/v1/apps/${app.id}/groups`)).json).toEqual([]);
    emu!.settleLag();
    expect((await api("GET", `/api/v1/apps/${app.id}/groups`)).json.map((g: { id: string }) => g.id)).toEqual([group.id]);
    // By time: visible once the milliseconds have passed, however often it is read.
    emu!.setListLag({ ms: 300 });
    emu!.removeUserFromGroup(group.id, bob.id);
    expect(await members()).toEqual([bob.id]);
    clock.advance(299);
    expect(await members()).toEqual([bob.id]);
    clock.advance(1);
    expect(await members()).toEqual([]);
    // Off: at once; the dashboard never lags.
    emu!.setListLag(undefined);
    emu!.addUserToGroup(group.id, alice.id);
    expect(await members()).toEqual([alice.id]);
  });

  it("lags the users search index when asked: a new user is not found, a changed login is found by its old value", async () => {
    await start({ lag: { search: { reads: 1 } } });
    const carol = emu!.seedUser({ login: "carol@acme.example" });
    const search = async (login: string) =>
      (await api("GET", `/api/v1/users?search=${encodeURIComponent(`profile.login eq "${login}"`)}`)).json.map((u: { id: string }) => u.id);
    expect(await search("carol@acme.example")).toEqual([]);
    expect(await search("carol@acme.example")).toEqual([carol.id]);
    emu!.setUserLogin(carol.id, "carol@new.example");
    expect(await search("carol@new.example")).toEqual([]);
    expect(await search("carol@new.example")).toEqual([carol.id]);
    expect((await api("GET", `/api/v1/users/${carol.id}`)).json.profile.login).toBe("carol@new.example");
  });

  it("lists apps with filter, q, limit and after, and Link rel=next", async () => {
    await start();
    const apps = Array.from({ length: 5 }, (_, i) => emu!.createBookmarkApp(`Brand ${i}`, "https://b.example"));
    emu!.setAppStatus(apps[4]!.id, "INACTIVE");
    const all = await listAll(`/api/v1/apps?filter=${encodeURIComponent('name eq "bookmark"')}&limit=2`);
    expect(all).toEqual({ ids: apps.map((a) => a.id), pages: 3 });
    const active = await listAll(`/api/v1/apps?filter=${encodeURIComponent('status eq "ACTIVE" and name eq "bookmark"')}`);
    expect(active.ids).toEqual(apps.slice(0, 4).map((a) => a.id));
    expect((await listAll(`/api/v1/apps?q=${encodeURIComponent("brand 3")}`)).ids).toEqual([apps[3]!.id]);
    const g = emu!.createGroup("team");
    emu!.assignGroupToApp(apps[1]!.id, g.id);
    expect((await listAll(`/api/v1/apps?filter=${encodeURIComponent(`group.id eq "${g.id}"`)}`)).ids).toEqual([apps[1]!.id]);
    expect((await api("GET", `/api/v1/apps?filter=${encodeURIComponent('name eq "bookmark')}`)).status).toBe(400);
  });

  it("lists groups with search (sw), q and paging", async () => {
    await start();
    const mine = Array.from({ length: 3 }, (_, i) => emu!.createGroup(`cerby-okta/ws/a-${i}`));
    emu!.createGroup("marketing");
    const search = encodeURIComponent('profile.name sw "cerby-okta/ws/"');
    expect(await listAll(`/api/v1/groups?search=${search}&limit=2`)).toEqual({ ids: mine.map((g) => g.id), pages: 2 });
    expect((await listAll(`/api/v1/groups?q=${encodeURIComponent("cerby-okta/ws/a-1")}`)).ids).toEqual([mine[1]!.id]);
    expect((await listAll(`/api/v1/groups?search=${encodeURIComponent('type eq "OKTA_GROUP"')}`)).ids).toHaveLength(4);
  });

  it("pages app groups and group members with Link rel=next", async () => {
    await start();
    const app = emu!.createBookmarkApp("A", "https://a.example");
    const groups = Array.from({ length: 5 }, (_, i) => emu!.createGroup(`g${i}`));
    for (const g of groups) {
      const r = await api("PUT", `/api/v1/apps/${app.id}/groups/${g.id}`, { id: g.id, profile: {} });
      expect(r.status).toBe(200);
      expect(r.json.id).toBe(g.id);
    }
    expect(await listAll(`/api/v1/apps/${app.id}/groups?limit=2`)).toEqual({ ids: groups.map((g) => g.id), pages: 3 });
    const users = Array.from({ length: 3 }, (_, i) => emu!.seedUser({ login: `u${i}@acme.example` }));
    for (const u of users) expect((await api("PUT", `/api/v1/groups/${groups[0]!.id}/users/${u.id}`)).status).toBe(204);
    expect(await listAll(`/api/v1/groups/${groups[0]!.id}/users?limit=2`)).toEqual({ ids: users.map((u) => u.id), pages: 2 });
    expect((await api("DELETE", `/api/v1/groups/${groups[0]!.id}/users/${users[0]!.id}`)).status).toBe(204);
    expect(emu!.state.groupMembers.get(groups[0]!.id)!.size).toBe(2);
  });

  it("answers 404 where Okta does: unknown group or user, unassigned group, deleted group", async () => {
    await start();
    const app = emu!.createBookmarkApp("A", "https://a.example");
    const g = emu!.createGroup("team");
    const u = emu!.seedUser({ login: "alice@acme.example" });
    const missingGroup = "00gmissing0000000000";
    expect((await api("PUT", `/api/v1/apps/${app.id}/groups/${missingGroup}`, { id: missingGroup })).status).toBe(404);
    expect((await api("PUT", `/api/v1/groups/${g.id}/users/00umissing0000000000`)).status).toBe(404);
    expect((await api("PUT", `/api/v1/groups/${g.id}/users/alice@acme.example`)).status).toBe(404);
    expect((await api("DELETE", `/api/v1/apps/${app.id}/groups/${g.id}`)).status).toBe(404);
    expect((await api("PUT", `/api/v1/groups/${g.id}/users/${u.id}`)).status).toBe(204);
    expect((await api("PUT", `/api/v1/apps/${app.id}/groups/${g.id}`, { id: g.id, profile: {} })).status).toBe(200);
    expect((await api("DELETE", `/api/v1/groups/${g.id}`)).status).toBe(204);
    expect(emu!.state.appGroups.get(app.id)!.size).toBe(0);
    expect((await api("DELETE", `/api/v1/apps/${app.id}/groups/${g.id}`)).status).toBe(404);
    expect((await api("DELETE", `/api/v1/groups/${g.id}`)).status).toBe(404);
    expect((await api("GET", `/api/v1/groups/${g.id}/users`)).status).toBe(404);
    expect((await api("POST", "/api/v1/groups", { profile: { name: "x" } })).status).toBe(200);
    expect((await api("POST", "/api/v1/groups", { profile: { name: "x" } })).status).toBe(400);
  });

  it("finds users by search, filter, id and login; rejects malformed searches", async () => {
    await start();
    const alice = emu!.seedUser({ id: "00ualice000000000001", login: "alice@acme.example" });
    emu!.seedUser({ login: "bob@acme.example" });
    const s = await api("GET", `/api/v1/users?search=${encodeURIComponent('profile.login eq "alice@acme.example"')}&limit=1`);
    expect(s.json.map((u: { id: string }) => u.id)).toEqual([alice.id]);
    const f = await api("GET", `/api/v1/users?filter=${encodeURIComponent('profile.login eq "bob@acme.example"')}`);
    expect(f.json).toHaveLength(1);
    expect((await api("GET", `/api/v1/users/${alice.id}`)).json.profile.login).toBe("alice@acme.example");
    expect((await api("GET", `/api/v1/users/${encodeURIComponent("alice@acme.example")}`)).json.id).toBe(alice.id);
    expect((await api("GET", `/api/v1/users/nobody`)).status).toBe(404);
    // an unescaped quote in a value is not a valid expression
    expect((await api("GET", `/api/v1/users?search=${encodeURIComponent('profile.login eq "o"brien@acme.example"')}`)).status).toBe(400);
  });

  it("computes appLinks from active apps assigned through groups", async () => {
    await start();
    const alice = emu!.seedUser({ login: "alice@acme.example" });
    const bob = emu!.seedUser({ login: "bob@acme.example" });
    const a1 = emu!.createBookmarkApp("One", "https://1.example");
    const a2 = emu!.createBookmarkApp("Two", "https://2.example");
    const g = emu!.createGroup("team");
    emu!.addUserToGroup(g.id, alice.id);
    emu!.addUserToGroup(g.id, bob.id);
    emu!.assignGroupToApp(a1.id, g.id);
    emu!.assignGroupToApp(a2.id, g.id);
    const links = await api("GET", `/api/v1/users/${alice.id}/appLinks`);
    expect(links.json.map((l: { label: string }) => l.label)).toEqual(["One", "Two"]);
    expect(links.json[0]).toMatchObject({ appName: "bookmark", appInstanceId: a1.id });
    emu!.setAppStatus(a2.id, "INACTIVE");
    expect(emu!.appLinksFor(alice.id).map((l) => l.label)).toEqual(["One"]);
    expect((await api("POST", `/api/v1/users/${bob.id}/lifecycle/suspend`)).status).toBe(200);
    expect((await api("GET", `/api/v1/users/${bob.id}/appLinks`)).json).toEqual([]);
  });

  it("serves the routes the real provider calls: users/me, well-known, access policies", async () => {
    await start();
    const me = await api("GET", "/api/v1/users/me");
    expect(me.status).toBe(200);
    expect(me.json.id).toMatch(/^00u\w{17}$/);
    expect((await api("GET", "/api/v1/users/me", undefined, "wrong")).status).toBe(401);
    expect(emu!.state.users.size).toBe(0); // the token's owner is not one of the seeded people
    const wk = await api("GET", "/.well-known/okta-organization", undefined, null);
    expect(wk).toMatchObject({ status: 200, json: { pipeline: "idx" } });
    const policies = await api("GET", "/api/v1/policies?type=ACCESS_POLICY");
    expect(policies.json).toHaveLength(1);
    expect(policies.json[0]).toMatchObject({ id: emu!.defaultAccessPolicyId, type: "ACCESS_POLICY", system: true });
    expect((await api("GET", "/api/v1/policies")).status).toBe(400);
    const app = emu!.createBookmarkApp("A", "https://a.example");
    expect((await api("PUT", `/api/v1/apps/${app.id}/policies/${emu!.defaultAccessPolicyId}`)).status).toBe(204);
    expect((await api("PUT", `/api/v1/apps/${app.id}/policies/rstmissing0000000000`)).status).toBe(404);
    expect((await api("PUT", `/api/v1/apps/0oamissing0000000000/policies/${emu!.defaultAccessPolicyId}`)).status).toBe(404);
    expect(emu!.countsByBucket()).toMatchObject({ "/api/v1/users/me": 2, "/": 1, "/api/v1": 2, "/api/v1/apps": 3 });
  });

  it("answers as a Classic org when asked: no access policies", async () => {
    await start({ pipeline: "v1" });
    expect((await api("GET", "/.well-known/okta-organization", undefined, null)).json.pipeline).toBe("v1");
    expect((await api("GET", "/api/v1/policies?type=ACCESS_POLICY")).status).toBe(400);
    const created = await api("POST", "/api/v1/apps?activate=true", bookmark("A"));
    expect(created.json._links.accessPolicy).toBeUndefined();
  });
});

describe("okta emulator: rate limits and faults", () => {
  it("classifies routes into Okta's buckets as apimutex does", () => {
    const id = "0oaabcdefghijklmnopq";
    const gid = "00gabcdefghijklmnopq";
    expect(bucketOfPath("GET", `/api/v1/apps/${id}`)).toBe("/api/v1/apps/{id}");
    expect(bucketOfPath("PUT", `/api/v1/apps/${id}`)).toBe("/api/v1/apps/{id}");
    expect(bucketOfPath("GET", `/api/v1/apps/${id}/groups`)).toBe("/api/v1/apps");
    expect(bucketOfPath("PUT", `/api/v1/apps/${id}/policies/rstabcdefghijklmnopq`)).toBe("/api/v1/apps");
    expect(bucketOfPath("POST", `/api/v1/apps/${id}/lifecycle/deactivate`)).toBe("/api/v1/apps");
    expect(bucketOfPath("GET", `/api/v1/groups/${gid}`)).toBe("/api/v1/groups/{id}");
    expect(bucketOfPath("PUT", `/api/v1/groups/${gid}/users/00uabcdefghijklmnopq`)).toBe("/api/v1/groups");
    expect(bucketOfPath("GET", "/api/v1/users")).toBe("/api/v1/users");
    expect(bucketOfPath("GET", "/api/v1/users/me")).toBe("/api/v1/users/me");
    expect(bucketOfPath("GET", "/api/v1/policies")).toBe("/api/v1");
    expect(bucketOfPath("GET", "/.well-known/okta-organization")).toBe("/");
    expect(bucketOfPath("GET", "/api/v1/somethingElse")).toBe("/");
    expect(bucketOfRoute("PUT", "/api/v1/apps/{id}/groups/{gid}")).toBe("/api/v1/apps");
    expect(bucketOfRoute("GET", "/api/v1/users/{id}")).toBe("/api/v1/users/{id:.+}");
  });

  it("off by default: never 429, and a limit no governor would ever wait on", async () => {
    await start();
    for (let i = 0; i < 120; i++) expect((await api("GET", "/api/v1/apps")).status).toBe(200);
    const r = await api("GET", "/api/v1/apps");
    expect(Number(r.headers.get("x-rate-limit-limit"))).toBeGreaterThanOrEqual(1_000_000);
    expect(Number(r.headers.get("x-rate-limit-remaining"))).toBe(1_000_000 - 121);
  });

  it("enforces each bucket's token share with 429 E0000047 and X-Rate-Limit headers, per window", async () => {
    const clock = freezeClock();
    await start({ rateLimits: { enforce: true, windowSeconds: 1.5, limits: { "/api/v1/apps": 8 } } });
    const app = emu!.createBookmarkApp("A", "https://a.example");
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await api("GET", `/api/v1/apps/${app.id}/groups`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429]); // 50% of 8
    expect(answers.map((a) => a.headers.get("x-rate-limit-limit"))).toEqual(["4", "4", "4", "4", "4"]);
    expect(answers.map((a) => a.headers.get("x-rate-limit-remaining"))).toEqual(["3", "2", "1", "0", "0"]);
    expect(answers[4]!.json).toMatchObject({ errorCode: "E0000047", errorSummary: "API call exceeded rate limit due to too many requests." });
    const reset = Number(answers[0]!.headers.get("x-rate-limit-reset"));
    // epoch seconds of the window's end: the window opened with the first request
    expect(reset).toBe(Math.ceil((started + 1500) / 1000));
    // GET /apps/{id} is a bucket of its own (500/min, 250 for a token)
    const single = await api("GET", `/api/v1/apps/${app.id}`);
    expect(single.status).toBe(200);
    expect(single.headers.get("x-rate-limit-limit")).toBe("250");
    clock.advance(1499);
    expect((await api("GET", `/api/v1/apps/${app.id}/groups`)).status).toBe(429);
    clock.advance(1);
    const fresh = await api("GET", `/api/v1/apps/${app.id}/groups`);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("x-rate-limit-remaining")).toBe("3");
  });

  it("per-token share is an option", async () => {
    await start({ rateLimits: { enforce: true, tokenSharePercent: 100, limits: { "/api/v1/groups": 3 } } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api("GET", "/api/v1/groups")).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await api("GET", "/api/v1/users")).headers.get("x-rate-limit-limit")).toBe("600");
  });

  it("serves at most the org's concurrent limit at once (75 by default): one more is answered 429 at once, naming that limit", async () => {
    // Answers held 5 s: every request below arrives while the first three are still being served, however busy the machine.
    await start({ rateLimits: { enforce: true, concurrentLimit: 3, latencyMs: 5000 } });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => api("GET", "/api/v1/users/me")));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 429, 429]);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(refused.json.errorCode).toBe("E0000047");
    expect(refused.headers.get("x-rate-limit-limit")).toBe("3");
    expect(refused.headers.get("x-rate-limit-remaining")).toBe("0");
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000); // the served ones waited their latency
    // Once they are answered, the org serves again.
    expect((await api("GET", "/api/v1/users/me")).status).toBe(200);
  });

  it("does not enforce the concurrent limit unless limits are enforced, and defaults it to Okta's 75", async () => {
    const relaxed = await start({ rateLimits: { concurrentLimit: 1, latencyMs: 300 } });
    expect((await Promise.all(Array.from({ length: 3 }, () => api("GET", "/api/v1/users/me")))).map((answer) => answer.status)).toEqual([200, 200, 200]);
    await relaxed.close();
    emu = undefined;
    const { RateLimiter, OKTA_CONCURRENT_LIMIT } = await import("../../harness/okta-emulator/rate-limits.ts");
    expect(OKTA_CONCURRENT_LIMIT).toBe(75);
    expect(new RateLimiter({ enforce: true }).concurrentLimit).toBe(75);
  });

  it("holds every answer for the latency set while it runs (setLatency)", async () => {
    await start();
    expect(() => emu!.setLatency(-1)).toThrow(/0 or more/);
    emu!.setLatency(400);
    const started = Date.now();
    expect((await api("GET", "/api/v1/users/me")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("answers 429 for the next N requests of one bucket only (setRateLimit)", async () => {
    freezeClock();
    await start();
    expect(() => emu!.setRateLimit("apps", { fail429Next: 1 })).toThrow(/unknown rate-limit bucket/);
    emu!.setRateLimit("/api/v1/apps", { fail429Next: 2, retryAfterSeconds: 3 });
    const r1 = await api("GET", "/api/v1/apps");
    expect(r1.status).toBe(429);
    expect(r1.json.errorCode).toBe("E0000047");
    expect(r1.headers.get("x-rate-limit-remaining")).toBe("0");
    expect(r1.headers.get("retry-after")).toBeNull(); // Okta does not send Retry-After
    expect(Number(r1.headers.get("x-rate-limit-reset"))).toBe(Math.ceil(Date.now() / 1000) + 3);
    expect((await api("GET", "/api/v1/groups")).status).toBe(200);
    const app = emu!.createBookmarkApp("A", "https://a.example");
    expect((await api("GET", `/api/v1/apps/${app.id}`)).status).toBe(200); // another bucket
    expect((await api("GET", "/api/v1/apps")).status).toBe(429);
    expect((await api("GET", "/api/v1/apps")).status).toBe(200);
    expect(emu!.requestCount({ status: 429 })).toBe(2);
  });

  it("injects faults on {method, route}: status, Okta error body, count, Retry-After", async () => {
    await start();
    const g = emu!.createGroup("team");
    const u = emu!.seedUser({ login: "alice@acme.example" });
    emu!.failNext({ method: "PUT", route: "/api/v1/groups/{id}/users/{uid}", status: 403, times: 2 });
    emu!.failNext({ route: "/api/v1/groups/{id}", status: 503, retryAfterSeconds: 7 });
    const first = await api("PUT", `/api/v1/groups/${g.id}/users/${u.id}`);
    expect(first.status).toBe(403);
    expect(first.json).toMatchObject({ errorCode: "E0000006", errorSummary: "You do not have permission to perform the requested action" });
    expect((await api("DELETE", `/api/v1/groups/${g.id}/users/${u.id}`)).status).toBe(204); // other method
    expect((await api("PUT", `/api/v1/groups/${g.id}/users/${u.id}`)).status).toBe(403);
    expect((await api("PUT", `/api/v1/groups/${g.id}/users/${u.id}`)).status).toBe(204);
    const unavailable = await api("GET", `/api/v1/groups/${g.id}`);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("retry-after")).toBe("7");
    expect((await api("GET", `/api/v1/groups/${g.id}`)).status).toBe(200);
    emu!.failNext({ method: "DELETE", route: "/api/v1/apps/{id}", status: 404, errorSummary: "Not found: Resource not found: x (AppInstance)" });
    const app = emu!.createBookmarkApp("A", "https://a.example");
    expect((await api("DELETE", `/api/v1/apps/${app.id}`)).json.errorSummary).toBe("Not found: Resource not found: x (AppInstance)");
    expect(emu!.state.apps.has(app.id)).toBe(true);
  });
});
