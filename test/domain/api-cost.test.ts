// What one account costs in Okta requests, per okta/okta release, beside the
// fewest the Okta API allows for the same result (src/domain/api-cost.ts).
import { describe, expect, it } from "vitest";
import { accountCalls, ACCOUNT_CHANGES, BUCKETS, changeRunCalls, minimumCalls, totalCalls, type Bucket, type OktaProviderRelease } from "../../src/domain/api-cost.ts";

const RELEASES: readonly OktaProviderRelease[] = ["4.20.0", "6.12.0"];
const SHAPES = [
  { viewers: 0, teams: 1 },
  { viewers: 3, teams: 2 },
  { viewers: 250, teams: 0 },
];

describe("requests per account", () => {
  it.each(RELEASES)("never asks less than the Okta API's minimum, bucket by bucket, with okta/okta %s", (release) => {
    for (const shape of SHAPES) {
      for (const change of ACCOUNT_CHANGES) {
        const made = accountCalls(change, shape, release);
        const minimum = minimumCalls(change, shape);
        for (const bucket of Object.keys(BUCKETS) as Bucket[]) expect(made[bucket] ?? 0, `${change} ${JSON.stringify(shape)} ${bucket}`).toBeGreaterThanOrEqual(minimum[bucket] ?? 0);
      }
    }
  });

  it("costs a first sync one request less in the 100/min apps bucket with okta/okta 6.12.0's bookmarks, which skip the authentication policy", () => {
    const shape = { viewers: 1, teams: 1 };
    const old = accountCalls("firstSync", shape, "4.20.0");
    const six = accountCalls("firstSync", shape, "6.12.0");
    // POST the app, PUT its policy (4.20 only), PUT 2 groups, list them; the minimum: POST and 2 PUTs.
    expect([old.apps, six.apps, minimumCalls("firstSync", shape).apps]).toEqual([5, 4, 3]);
    expect(old.other).toBe(1); // GET /api/v1/policies
    expect(six.other).toBeUndefined();
  });

  it("costs a relabel the PUT and the read with 6.12.0, and the policy PUT besides with 4.20.0", () => {
    expect(accountCalls("relabel", SHAPES[0]!, "6.12.0")).toEqual({ app: 2 });
    expect(accountCalls("relabel", SHAPES[0]!, "4.20.0")).toEqual({ app: 2, apps: 1 });
    expect(minimumCalls("relabel", SHAPES[0]!)).toEqual({ app: 1 });
  });

  it("counts a one-account change with the runs' fixed costs: 14 requests with 4.20.0, 12 with 6.12.0", () => {
    const shape = { viewers: 0, teams: 1 };
    const changes = [
      { change: "relabel" as const, shape },
      { change: "viewerAdded" as const, shape },
    ];
    // 4.20.0: 2 x (2 credentials checks by the provider + cerby-okta's), the org kind, PUT app + policy + GET app,
    // PUT membership, cerby-okta's check of the new viewer's ID and its 2 reads after the apply.
    expect(totalCalls(changeRunCalls(changes, "4.20.0"))).toBe(6 + 1 + 3 + 1 + 1 + 2);
    expect(totalCalls(changeRunCalls(changes, "6.12.0"))).toBe(6 + 2 + 1 + 1 + 2);
  });
});
