/** The stand-in provider's building blocks, without Terraform: retries, governor, SDK errors, Go queries, SDKv2 planning. */
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ApiGovernor } from "../../harness/provider/http/governor.ts";
import { encodeGoValues, goQueryEscape, queryString } from "../../harness/provider/http/go-query.ts";
import { backoffMs, retryableDo, type RawResponse } from "../../harness/provider/http/retryable.ts";
import { formatSdkError, responseErr, SdkApiError, suppressErrorOn404 } from "../../harness/provider/http/sdk-errors.ts";
import { loadSchema } from "../../harness/provider/schema.ts";
import { resourceFacts } from "../../harness/provider/sdkv2/facts.ts";
import { setOrder } from "../../harness/provider/sdkv2/hashing.ts";
import { planResourceChange } from "../../harness/provider/sdkv2/plan.ts";
import { conform, UNKNOWN } from "../../harness/provider/values.ts";

const answer = (status: number, headers: Record<string, string> = {}, body: unknown = {}): RawResponse => ({
  status,
  statusLine: `${status} ${status === 429 ? "Too Many Requests" : status === 500 ? "Internal Server Error" : status === 502 ? "Bad Gateway" : status === 503 ? "Service Unavailable" : "OK"}`,
  headers: new Headers(headers),
  text: JSON.stringify(body),
});

process.env.OKTA_STANDIN_QUIET = "1"; // retry logs

const tooMany = { errorCode: "E0000047", errorSummary: "API call exceeded rate limit due to too many requests." };

describe("go-retryablehttp v0.7.7 as okta/config.go configures it", () => {
  const defaults = { minWaitSeconds: 30, maxWaitSeconds: 300, maxRetries: 5 };

  it("waits min × 2^attempt capped at max, or Retry-After on 429/503, never X-Rate-Limit-Reset", () => {
    const plain = answer(429, { "X-Rate-Limit-Reset": String(Math.floor(Date.now() / 1000) + 5) });
    expect([0, 1, 2, 3, 4].map((i) => backoffMs(defaults, i, plain) / 1000)).toEqual([30, 60, 120, 240, 300]);
    expect(backoffMs(defaults, 0, answer(429, { "Retry-After": "7" }))).toBe(7000);
    expect(backoffMs(defaults, 3, answer(503, { "Retry-After": "700" }))).toBe(700_000); // not capped
    expect(backoffMs(defaults, 0, answer(502, { "Retry-After": "7" }))).toBe(30_000); // only 429 and 503
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(backoffMs(defaults, 0, answer(429, { "Retry-After": inTenSeconds }))).toBeGreaterThan(8000);
    expect(backoffMs(defaults, 0, answer(429, { "Retry-After": new Date(Date.now() - 10_000).toUTCString() }))).toBe(0);
    expect(backoffMs(defaults, 0, answer(429, { "Retry-After": "-1" }))).toBe(30_000);
  });

  const fast = { minWaitSeconds: 0.001, maxWaitSeconds: 0.002, maxRetries: 2 };
  const run = async (answers: Array<RawResponse | Error>, retryOnStatus?: number[]) => {
    let calls = 0;
    const outcome = await retryableDo("GET", "http://127.0.0.1:9/api/v1/apps", async () => {
      const a = answers[Math.min(calls++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return a;
    }, fast, { retryOnStatus });
    return { ...outcome, calls };
  };

  it("retries 429 and gives up with the SDK error after max_retries", async () => {
    const ok = await run([answer(429, {}, tooMany), answer(200)]);
    expect(ok).toMatchObject({ calls: 2, attempts: 2, last: { status: 200 } });
    expect(ok.error).toBeUndefined();
    const gaveUp = await run([answer(429, {}, tooMany)]);
    expect(gaveUp.calls).toBe(3);
    expect(gaveUp.error?.message).toBe(
      'Get "http://127.0.0.1:9/api/v1/apps": the API returned an error: API call exceeded rate limit due to too many requests., giving up after 3 attempt(s)',
    );
  });

  it("retries 5xx except 500 and 501; a caller may ask to retry 500", async () => {
    expect((await run([answer(500)])).calls).toBe(1);
    expect((await run([answer(501)])).calls).toBe(1);
    const bad = await run([answer(502)]);
    expect(bad.calls).toBe(3);
    expect(bad.error?.message).toBe('Get "http://127.0.0.1:9/api/v1/apps": unexpected HTTP status 502 Bad Gateway');
    expect((await run([answer(500), answer(200)], [500])).calls).toBe(2);
  });

  it("retries network errors and reports them as Go does", async () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    const r = await run([refused]);
    expect(r.calls).toBe(3);
    expect(r.error?.message).toBe('Get "http://127.0.0.1:9/api/v1/apps": dial tcp 127.0.0.1:9: connect: connection refused');
  });
});

describe("apimutex governor", () => {
  const headers = (limit: number, remaining: number, reset: number) =>
    new Headers({ "X-Rate-Limit-Limit": String(limit), "X-Rate-Limit-Remaining": String(remaining), "X-Rate-Limit-Reset": String(reset) });
  const now = () => Math.floor(Date.now() / 1000);

  it("has capacity until the used share of the request's bucket is above the capacity", () => {
    const g = new ApiGovernor(50);
    const app = "/api/v1/apps/0oaabcdefghijklmnopq";
    expect(g.hasCapacity("GET", `${app}/groups`)).toBe(true);
    g.afterResponse("GET", `${app}/groups`, headers(100, 50, now() + 30));
    expect(g.hasCapacity("PUT", `${app}/groups/00gabcdefghijklmnopq`)).toBe(true); // 50 % used
    g.afterResponse("GET", `${app}/groups`, headers(100, 49, now() + 30));
    expect(g.hasCapacity("POST", "/api/v1/apps")).toBe(false); // same bucket, 51 %
    expect(g.hasCapacity("GET", app)).toBe(true); // /api/v1/apps/{id} is another bucket
    // an older window's numbers are ignored; a newer window resets
    g.afterResponse("GET", `${app}/groups`, headers(100, 99, now() - 60));
    expect(g.hasCapacity("POST", "/api/v1/apps")).toBe(false);
    g.afterResponse("GET", `${app}/groups`, headers(100, 99, now() + 90));
    expect(g.hasCapacity("POST", "/api/v1/apps")).toBe(true);
  });

  it("assumes capacity when nothing was heard for over a minute", () => {
    const g = new ApiGovernor(10);
    g.afterResponse("GET", "/api/v1/groups", headers(100, 0, now() - 61));
    expect(g.hasCapacity("GET", "/api/v1/groups")).toBe(true);
  });
});

describe("SDK texts and Go query strings", () => {
  it("formats errors as sdk.Error, with the provider's responseErr and suppressErrorOn404", () => {
    const body = { errorSummary: "Api validation failed: name", errorCauses: [{ errorSummary: "name: already exists" }] };
    expect(formatSdkError(body)).toBe("the API returned an error: Api validation failed: name. Causes: errorSummary: name: already exists");
    expect(formatSdkError({})).toBe("the API returned an unknown error");
    const notFound = new SdkApiError(404, "404 Not Found", { errorSummary: "Not found: Resource not found: x (AppInstance)" });
    expect(suppressErrorOn404(notFound)).toBeNull();
    expect(responseErr(notFound).message).toBe("the API returned an error: Not found: Resource not found: x (AppInstance), Status: 404 Not Found");
  });

  it("encodes queries as url.Values.Encode: sorted keys, Go's escaping", () => {
    expect(queryString({ search: 'profile.login sw "a"', limit: 200, sortOrder: "0" })).toBe("?limit=200&search=profile.login+sw+%22a%22&sortOrder=0");
    expect(goQueryEscape("a~b*c'd(e)!f g")).toBe("a~b%2Ac%27d%28e%29%21f+g");
    expect(encodeGoValues([["b", "2"], ["a", "1"]])).toBe("a=1&b=2");
    expect(queryString({})).toBe("");
  });

  it("orders string sets by SDKv2 hash code", () => {
    const ids = ["00ualice", "00ubob", "00ucarol"];
    const expected = [...ids].sort((a, b) => (String(crc32(a)) < String(crc32(b)) ? -1 : 1));
    expect(setOrder(ids)).toEqual(expected);
  });
});

describe("SDKv2 planning", () => {
  const schema = loadSchema(`${import.meta.dirname}/../../harness/provider`);
  const block = (type: string) => schema.resources[type]!.block;

  it("puts defaults in the plan of a create, computed attributes unknown", () => {
    const config = conform(block("okta_app_bookmark"), { label: "A", url: "https://a.example/" });
    const { planned, requiresReplace } = planResourceChange(block("okta_app_bookmark"), resourceFacts(false).okta_app_bookmark, null, config);
    expect(planned).toMatchObject({ status: "ACTIVE", hide_ios: false, hide_web: false, auto_submit_toolbar: false, request_integration: false, accessibility_self_service: false });
    expect(planned.id).toBe(UNKNOWN);
    expect(planned.authentication_policy).toBe(UNKNOWN);
    expect(requiresReplace).toEqual([]);
  });

  it("keeps API-set priority and JSON-equal profile; a new app_id forces replacement", () => {
    const b = block("okta_app_group_assignments");
    const facts = resourceFacts(false).okta_app_group_assignments;
    const prior = conform(b, { id: "0oa1", app_id: "0oa1", group: [{ id: "00g1", priority: 3, profile: '{"a":1,"b":2}' }] });
    const same = planResourceChange(b, facts, prior, conform(b, { app_id: "0oa1", group: [{ id: "00g1", profile: '{"b":2,"a":1}' }] }));
    expect(same.planned.group).toEqual([{ id: "00g1", priority: 3, profile: '{"a":1,"b":2}' }]);
    expect(same.requiresReplace).toEqual([]);
    const moved = planResourceChange(b, facts, prior, conform(b, { app_id: "0oa2", group: [{ id: "00g1" }] }));
    expect(moved.requiresReplace).toEqual(["app_id"]);
    expect(moved.planned.id).toBe(UNKNOWN);
    expect(moved.planned.group).toEqual([{ id: "00g1", priority: null, profile: "{}" }]);
  });
});
