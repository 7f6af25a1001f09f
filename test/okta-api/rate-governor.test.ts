// cerby-okta's own Okta reads keep to the rate-limit share as the provider's
// governor does: from each answer's X-Rate-Limit-* headers, per bucket.
import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/http/http-client.ts";
import { OktaClient } from "../../src/okta-api/client.ts";
import { oktaBucketOf } from "../../src/okta-api/rate-governor.ts";

/** A clock whose sleeps pass at once, recording how long each was. */
function fakeClock(): Clock & { slept: number[] } {
  let now = Date.parse("2026-03-01T00:00:00Z");
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
}

/** An Okta whose apps bucket allows `limit` a window of 60 s, counting every request of the token, and whose clock is `clock`. */
function oktaWithWindow(clock: Clock, limit: number, usedByOthers = 0) {
  let windowStart = clock.now();
  let used = usedByOthers;
  const sent: number[] = [];
  const fakeFetch: typeof globalThis.fetch = async (input) => {
    const now = clock.now();
    if (now >= windowStart + 60_000) {
      windowStart = now;
      used = 0;
    }
    used++;
    sent.push(now);
    const url = new URL(String(input));
    const body = url.pathname.endsWith("/groups") ? [] : [{ id: `0oa${sent.length}`, label: "x" }];
    return new Response(JSON.stringify(body), {
      status: used > limit ? 429 : 200,
      headers: {
        "content-type": "application/json",
        date: new Date(now).toUTCString(),
        "x-rate-limit-limit": String(limit),
        "x-rate-limit-remaining": String(Math.max(0, limit - used)),
        "x-rate-limit-reset": String(Math.ceil((windowStart + 60_000) / 1000)),
      },
    });
  };
  return { fetch: fakeFetch, sent };
}

describe("the rate governor of cerby-okta's own Okta reads", () => {
  it("names Okta's buckets as apimutex does for the routes it reads", () => {
    expect(oktaBucketOf("/api/v1/apps")).toBe("/api/v1/apps");
    expect(oktaBucketOf("/api/v1/apps/0oa1/groups")).toBe("/api/v1/apps");
    expect(oktaBucketOf("/api/v1/apps/0oa1")).toBe("/api/v1/apps/{id}");
    expect(oktaBucketOf("/api/v1/groups/00g1/users")).toBe("/api/v1/groups");
    expect(oktaBucketOf("/api/v1/users/00u1")).toBe("/api/v1/users/{id}");
  });

  it("stops at the share of a bucket until its window resets, and never meets a 429", async () => {
    const clock = fakeClock();
    const okta = oktaWithWindow(clock, 10);
    const client = new OktaClient({ baseUrl: "https://acme.okta.com", token: "t", clock, concurrency: 1, maxApiCapacity: 50, fetch: okta.fetch });
    for (let index = 0; index < 12; index++) await client.listAllUnlessGone(`api/v1/apps/0oa${index}/groups`);
    // 50% of 10: the request that finds 6 used waits for the next window, and so on.
    const start = okta.sent[0]!;
    const perWindow = new Map<number, number>();
    for (const at of okta.sent) perWindow.set(Math.floor((at - start) / 60_000), (perWindow.get(Math.floor((at - start) / 60_000)) ?? 0) + 1);
    expect([...perWindow.values()]).toEqual([6, 6]);
    expect(clock.slept.length).toBe(1);
    expect(clock.slept[0]).toBeGreaterThan(59_000);
  });

  it("counts what other clients of the token used, as the headers say", async () => {
    const clock = fakeClock();
    // Terraform's providers already used 5 of 10 in this window.
    const okta = oktaWithWindow(clock, 10, 5);
    const client = new OktaClient({ baseUrl: "https://acme.okta.com", token: "t", clock, concurrency: 1, maxApiCapacity: 50, fetch: okta.fetch });
    for (let index = 0; index < 3; index++) await client.listAllUnlessGone(`api/v1/apps/0oa${index}/groups`);
    expect(okta.sent[1]! - okta.sent[0]!).toBeGreaterThan(59_000);
  });

  it("does not govern at 100% or without a share", async () => {
    const clock = fakeClock();
    const okta = oktaWithWindow(clock, 1000);
    const client = new OktaClient({ baseUrl: "https://acme.okta.com", token: "t", clock, concurrency: 1, maxApiCapacity: 100, fetch: okta.fetch });
    for (let index = 0; index < 5; index++) await client.listAllUnlessGone(`api/v1/apps/0oa${index}/groups`);
    expect(clock.slept).toEqual([]);
  });
});
