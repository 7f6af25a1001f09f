/**
 * okta/okta 4.20.0's `max_api_capacity` (experimental): `apimutex` keeps, per
 * rate-limit bucket, the last known X-Rate-Limit-{Limit,Remaining,Reset};
 * `GovernedTransport` consults it before each request and, once the bucket's
 * used share is above the capacity, sleeps until the bucket's reset. It wraps
 * the retrying client, so it sees one request and its final answer, not
 * each retry. One governor per provider process.
 */
import { bucketOfPath } from "../../okta-rate-limit-buckets.ts";
import { log } from "../log.ts";

interface BucketStatus {
  limit: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export class ApiGovernor {
  private readonly status = new Map<string, BucketStatus>();

  constructor(readonly capacityPercent: number) {}

  private statusOf(method: string, path: string): { bucket: string; status: BucketStatus } {
    const bucket = bucketOfPath(method, path);
    let status = this.status.get(bucket);
    if (!status) {
      status = { limit: 0, remaining: 0, reset: 0 };
      this.status.set(bucket, status);
    }
    return { bucket, status };
  }

  hasCapacity(method: string, path: string): boolean {
    const { status } = this.statusOf(method, path);
    // Nothing heard for over a minute: assume capacity.
    if (status.reset + 60 < nowSeconds()) return true;
    const utilization = (100 * (status.limit - status.remaining)) / status.limit;
    return utilization <= this.capacityPercent;
  }

  /** Waits, if the bucket is above capacity, until its reset. */
  async beforeRequest(method: string, path: string, signal?: AbortSignal): Promise<void> {
    if (this.hasCapacity(method, path)) return;
    const { bucket, status } = this.statusOf(method, path);
    const seconds = status.reset - nowSeconds();
    log(`Throttling API requests; sleeping for ${seconds} seconds until rate limit reset (bucket "${bucket}": ${status.remaining} remaining of ${status.limit} total); current request "${method} ${path}"`);
    if (seconds <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, seconds * 1000);
      signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
    });
  }

  /** Records the answer's X-Rate-Limit headers (ignored when any is missing). */
  afterResponse(method: string, path: string, headers: Headers | undefined): void {
    if (!headers) return;
    const reset = parseInteger(headers.get("x-rate-limit-reset"));
    const limit = parseInteger(headers.get("x-rate-limit-limit"));
    const remaining = parseInteger(headers.get("x-rate-limit-remaining"));
    if (reset === null || limit === null || remaining === null) return;
    const { status } = this.statusOf(method, path);
    if (reset > status.reset) {
      // a new one-minute window
      status.reset = reset;
      status.remaining = remaining;
      status.limit = limit;
      return;
    }
    if (reset <= status.reset - 60) return; // from a previous window
    if (remaining < status.remaining) status.remaining = remaining;
  }
}

function parseInteger(v: string | null): number | null {
  return v !== null && /^-?\d+$/.test(v) ? Number(v) : null;
}
