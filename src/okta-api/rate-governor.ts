// cerby-okta's own Okta requests keep to the workspace's rate-limit share
// (`rateLimit.maxApiCapacity`) the way okta/okta 4.20's `max_api_capacity`
// governor (internal/apimutex) does: per bucket, from the last answer's
//   X-Rate-Limit-Limit: 50
//   X-Rate-Limit-Remaining: 21
//   X-Rate-Limit-Reset: 1740000060      (epoch seconds when the window resets)
// once the bucket's used share is above the capacity, wait until its reset.
// Okta counts every request of the token in those headers, Terraform's
// providers' included, so processes sharing a token keep to one share
// together, each seeing the others' use.
import type { HttpRequest, RequestGovernor } from "../http/http-client.ts";

interface BucketStatus {
  limit: number;
  remaining: number;
  /** Epoch seconds of the server's window end, as sent. */
  reset: number;
  /** That instant on our clock (the server's Date header corrects for skew), plus a second of both clocks' resolution. */
  resetAt: number;
}

/**
 * Okta's bucket of a path, as apimutex's endpoint table has it for the
 * routes cerby-okta reads: `/api/v1/apps` (the list and every `/apps/{id}/*`
 * sub-route), `/api/v1/apps/{id}` (one app), and the same for groups and users.
 */
export function oktaBucketOf(pathname: string): string {
  const at = pathname.indexOf("/api/v1/");
  if (at < 0) return "/";
  const segments = pathname.slice(at + "/api/v1/".length).split("/").filter(Boolean);
  if (segments.length === 0) return "/api/v1";
  return segments.length === 2 ? `/api/v1/${segments[0]}/{id}` : `/api/v1/${segments[0]}`;
}

export class OktaRateGovernor implements RequestGovernor {
  private readonly buckets = new Map<string, BucketStatus>();

  /** `capacityPercent`: the share of each bucket to keep to, 1 to 100 (100: no governing, as the provider). */
  constructor(readonly capacityPercent: number) {}

  delayBefore(req: HttpRequest, now: number): number {
    if (this.capacityPercent >= 100) return 0;
    const status = this.buckets.get(oktaBucketOf(req.url.pathname));
    if (!status || status.limit <= 0 || now >= status.resetAt) return 0;
    const used = (100 * (status.limit - status.remaining)) / status.limit;
    return used > this.capacityPercent ? status.resetAt - now : 0;
  }

  observe(req: HttpRequest, headers: Headers, now: number): void {
    const limit = integer(headers.get("x-rate-limit-limit"));
    const remaining = integer(headers.get("x-rate-limit-remaining"));
    const reset = integer(headers.get("x-rate-limit-reset"));
    if (limit === undefined || remaining === undefined || reset === undefined) return;
    const bucket = oktaBucketOf(req.url.pathname);
    const status = this.buckets.get(bucket);
    if (!status || reset > status.reset) {
      // A new window.
      const date = Date.parse(headers.get("date") ?? "");
      const serverNow = Number.isNaN(date) ? now : date;
      this.buckets.set(bucket, { limit, remaining, reset, resetAt: now + Math.max(0, reset * 1000 - serverNow) + 1000 });
      return;
    }
    // An answer of this window that left less: answers arrive out of order.
    if (reset === status.reset && remaining < status.remaining) status.remaining = remaining;
  }
}

function integer(value: string | null): number | undefined {
  return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}
