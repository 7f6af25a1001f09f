/**
 * The stand-in provider's HTTP behaviour through real Terraform, as okta/okta
 * 4.20.0 configures go-retryablehttp v0.7.7 and its max_api_capacity governor:
 * the backoff schedule, Retry-After, giving up, which statuses are retried,
 * zero-valued settings ignored, throttling ahead of a bucket's reset; and
 * import by id.
 */
import { afterEach, describe, expect, it } from "vitest";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { gapsSeconds, retryWaits, startStand, type Stand } from "./terraform-stand.ts";

const POST_GROUPS = ["POST", "/api/v1/groups"] as const;
const output = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`.replace(/\s+/g, " ");
const groups = (n: number, from = 0) => ({
  resource: { okta_group: Object.fromEntries(Array.from({ length: n }, (_, i) => [`g${from + i}`, { name: `cerby-okta/ws/g-${from + i}` }])) },
});

/** Each gap between attempts lasted at least the wait announced before it (the emulator's clock is in milliseconds). */
function expectWaited(gaps: number[], waits: number[]): void {
  expect(gaps).toHaveLength(waits.length);
  gaps.forEach((gap, index) => expect(gap).toBeGreaterThanOrEqual(waits[index]! - 0.05));
}

describe.skipIf(shouldSkipTerraformTests())("stand-in okta provider: retries, backoff and the governor", () => {
  let s: Stand | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it("waits min_wait × 2^attempt capped at max_wait, and never reads X-Rate-Limit-Reset", async () => {
    s = await startStand();
    s.write(groups(1), { min_wait_seconds: 1, max_wait_seconds: 2, max_retries: 3 });
    // three 429s whose X-Rate-Limit-Reset says "in 60 s": the provider does not wait for it
    s.emu.setRateLimit("/api/v1/groups", { fail429Next: 3, retryAfterSeconds: 60 });
    await s.ok("apply", "-auto-approve");
    expect(s.emu.requestCount({ status: 429 })).toBe(3);
    // The schedule is what the provider says it waits (1 s, 2 s, then 4 s capped at 2 s); the
    // emulator's clock shows it waited at least that long. No upper bound: a busy machine adds to any wait.
    expect(retryWaits(s)).toEqual([1, 2, 2]);
    expectWaited(gapsSeconds(s.emu, ...POST_GROUPS), [1, 2, 2]);
    expect(s.emu.state.groups.size).toBe(1);
  }, 60_000);

  it("honours Retry-After on 429 and 503, above max_wait and below min_wait", async () => {
    s = await startStand();
    s.write(groups(1), { min_wait_seconds: 1, max_wait_seconds: 1 });
    s.emu.failNext({ method: "POST", route: "/api/v1/groups", status: 429, retryAfterSeconds: 2 });
    s.emu.failNext({ method: "POST", route: "/api/v1/groups", status: 503, retryAfterSeconds: 0 });
    await s.ok("apply", "-auto-approve");
    expect(retryWaits(s)).toEqual([2, 0]);
    expectWaited(gapsSeconds(s.emu, ...POST_GROUPS), [2, 0]);
    expect(s.emu.requestCount({ method: "POST", route: "/api/v1/groups" })).toBe(3);
  }, 60_000);

  it("gives up after max_retries with the SDK's error, and leaves nothing in state", async () => {
    s = await startStand();
    s.write(groups(1), { min_wait_seconds: 1, max_wait_seconds: 1, max_retries: 2 });
    s.emu.failNext({ method: "POST", route: "/api/v1/groups", status: 429, times: 3 });
    const r = await s.tf("apply", "-auto-approve");
    expect(r.exitCode).toBe(1);
    expect(output(r)).toContain(
      `failed to create group: Post "${s.emu.url}/api/v1/groups": the API returned an error: API call exceeded rate limit due to too many requests., giving up after 3 attempt(s)`,
    );
    expect(s.emu.requestCount({ method: "POST", route: "/api/v1/groups" })).toBe(3);
    expect((await s.state()).size).toBe(0);
  }, 60_000);

  it("retries 5xx but not 500", async () => {
    s = await startStand();
    s.write(groups(1), { min_wait_seconds: 1, max_wait_seconds: 1 });
    s.emu.failNext({ method: "POST", route: "/api/v1/groups", status: 502 });
    await s.ok("apply", "-auto-approve");
    expect(s.emu.requestCount({ method: "POST", route: "/api/v1/groups" })).toBe(2);

    s.write(groups(2), { min_wait_seconds: 1, max_wait_seconds: 1 });
    s.emu.failNext({ method: "POST", route: "/api/v1/groups", status: 500 });
    s.emu.resetRequestLog();
    const r = await s.tf("apply", "-auto-approve");
    expect(r.exitCode).toBe(1);
    expect(output(r)).toMatch(/failed to create group: the API returned an error: Internal Server Error, x-okta-request-id=req\w+/);
    expect(s.emu.requestCount({ method: "POST", route: "/api/v1/groups" })).toBe(1);
  }, 60_000);

  it("ignores zero-valued settings as d.GetOk does: backoff = false, max_retries = 0, min_wait_seconds = 0", async () => {
    s = await startStand();
    s.write(groups(1), { backoff: false, max_retries: 0, min_wait_seconds: 1, max_wait_seconds: 1 });
    s.emu.failNext({ method: "POST", route: "/api/v1/groups", status: 429, times: 2 });
    await s.ok("apply", "-auto-approve"); // still retried: backoff stays on, 5 retries
    expect(s.emu.requestCount({ method: "POST", route: "/api/v1/groups" })).toBe(3);

    // min_wait_seconds = 0 leaves the 30 s default: the retry would come after the 3 s request timeout
    s.write(groups(2), { min_wait_seconds: 0, request_timeout: 3 });
    s.emu.failNext({ method: "POST", route: "/api/v1/groups", status: 429 });
    s.emu.resetRequestLog();
    const r = await s.tf("apply", "-auto-approve");
    expect(r.exitCode).toBe(1);
    expect(output(r)).toContain(`failed to create group: Post "${s.emu.url}/api/v1/groups": context deadline exceeded`);
    expect(s.emu.requestCount({ method: "POST", route: "/api/v1/groups" })).toBe(1);
  }, 60_000);

  it("max_api_capacity sleeps until the bucket's reset once its used share is above the capacity", async () => {
    // /api/v1/groups allows 4 requests per 4 s window to this token
    s = await startStand({ rateLimits: { enforce: true, windowSeconds: 4, tokenSharePercent: 100, limits: { "/api/v1/groups": 4 } } });
    s.write(groups(4), { max_api_capacity: 50 });
    await s.ok("apply", "-auto-approve", "-parallelism=1");
    expect(s.emu.requestCount({ status: 429 })).toBe(0);
    const posts = s.emu.requests.filter((r) => r.method === "POST" && r.route === "/api/v1/groups");
    expect(posts).toHaveLength(4);
    // 3 of 4 used (75 % > 50 %): the 4th waits for the window to end. By the emulator's counts
    // (1, 2, 3, then 1 in the next window), no request went out once an answer showed more than half
    // the window used: a 4th in one window would show 4. The governor says so each time it waits.
    const used = posts.map((post) => post.rateLimit!.limit - post.rateLimit!.remaining);
    expect(Math.max(...used)).toBeLessThanOrEqual(3);
    const heldBack = used.slice(0, -1).filter((count) => count === 3).length;
    expect(s.providerLog().filter((line) => line.startsWith("Throttling API requests; sleeping for"))).toHaveLength(heldBack);
    expect(posts[3]!.at - posts[0]!.at).toBeGreaterThanOrEqual(4000);

    // without the governor, a burst of 5 more at once runs into Okta's 429
    await new Promise((r) => setTimeout(r, 4100));
    s.emu.resetRequestLog();
    s.write(groups(9), { min_wait_seconds: 1, max_wait_seconds: 1 });
    await s.ok("apply", "-auto-approve", "-parallelism=5");
    expect(s.emu.requestCount({ status: 429, route: "/api/v1/groups" })).toBeGreaterThan(0);
  }, 90_000);

  it("imports a bookmark by id into a fresh state (okta/okta 4.20; 6.12 plans skip_authentication_policy's default once, unless imported as <id>/skip_authentication_policy)", async () => {
    s = await startStand({}, "4.20.0");
    s.write({ resource: { okta_app_bookmark: { a: { label: "A", url: "https://a.example/" } } } });
    await s.ok("apply", "-auto-approve");
    const id = s.emu.findAppsByLabel("A")[0]!.id;
    await s.ok("state", "rm", "okta_app_bookmark.a");
    await s.ok("import", "okta_app_bookmark.a", id);
    expect((await s.tf("plan", "-detailed-exitcode")).exitCode).toBe(0);
    expect((await s.state()).get("okta_app_bookmark.a")).toMatchObject({ id, status: "ACTIVE", hide_ios: false, authentication_policy: s.emu.defaultAccessPolicyId });
  }, 60_000);
});
