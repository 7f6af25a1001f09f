/**
 * Okta's per-minute rate limits, per bucket and API token: fixed windows,
 * `X-Rate-Limit-Limit` / `-Remaining` / `-Reset` (epoch seconds of the
 * window's end) on every answer, 429 once the token's share is used up.
 *
 * Off by default so tests run fast: then nothing is refused and the headers
 * advertise a limit so large that no client-side governor ever waits.
 *
 * The headers report the ceiling that applies to the token (its share of the
 * org's limit), as Okta's documentation says of `X-Rate-Limit-Limit`; the
 * estimates in src/domain/api-cost.ts use the same model. With `enforce`,
 * the org's concurrent limit (75 requests served at once) is enforced too.
 */
import { KNOWN_BUCKETS, WORKFORCE_LIMITS } from "../okta-rate-limit-buckets.ts";
import type { Bucket, RateLimitConfig, RateLimitOptions } from "./types.ts";

/** Okta's concurrent limit for API requests: transactions one org serves at once (Okta's "API rate limits" help page). */
export const OKTA_CONCURRENT_LIMIT = 75;

/** What the headers advertise when limits are not enforced. */
export const UNENFORCED_LIMIT = 1_000_000;

interface BucketWindow {
  start: number;
  used: number;
  forced429: number;
  forcedResetSeconds: number;
}

export interface RateLimitDecision {
  headers: Record<string, string>;
  limited: boolean;
}

export class RateLimiter {
  readonly enforce: boolean;
  readonly windowMs: number;
  readonly tokenSharePercent: number;
  readonly concurrentLimit: number;
  /** Milliseconds every answer waits (setLatency changes it while the org runs). */
  private latency: number;
  /** Requests being served now (arrived, not yet answered). */
  private inFlight = 0;
  private readonly limits = new Map<Bucket, number>();
  private readonly windows = new Map<Bucket, BucketWindow>();

  constructor(config: RateLimitConfig = {}) {
    this.enforce = config.enforce ?? false;
    this.windowMs = (config.windowSeconds ?? 60) * 1000;
    this.tokenSharePercent = config.tokenSharePercent ?? 50;
    this.concurrentLimit = config.concurrentLimit ?? OKTA_CONCURRENT_LIMIT;
    this.latency = config.latencyMs ?? 0;
    if (!(Number.isInteger(this.concurrentLimit) && this.concurrentLimit > 0)) throw new Error("rateLimits.concurrentLimit must be a positive integer");
    if (!(this.latency >= 0)) throw new Error("rateLimits.latencyMs must be 0 or more");
    if (!(this.windowMs > 0)) throw new Error("rateLimits.windowSeconds must be positive");
    if (!(this.tokenSharePercent > 0 && this.tokenSharePercent <= 100)) throw new Error("rateLimits.tokenSharePercent must be in (0, 100]");
    for (const [bucket, limit] of Object.entries(config.limits ?? {})) if (limit !== undefined) this.limits.set(bucket, limit);
  }

  /** The bucket's org-wide per-window limit. */
  limitOf(bucket: Bucket): number {
    return this.limits.get(bucket) ?? WORKFORCE_LIMITS[bucket] ?? WORKFORCE_LIMITS["/api/v1"]!;
  }

  /** What one API token may use of the bucket per window. */
  tokenLimitOf(bucket: Bucket): number {
    return Math.max(1, Math.floor((this.limitOf(bucket) * this.tokenSharePercent) / 100));
  }

  get latencyMs(): number {
    return this.latency;
  }

  setLatency(ms: number): void {
    if (!(ms >= 0)) throw new Error("latency must be 0 or more milliseconds");
    this.latency = ms;
  }

  set(bucket: Bucket, options: RateLimitOptions): void {
    if (!KNOWN_BUCKETS.includes(bucket)) throw new Error(`unknown rate-limit bucket ${JSON.stringify(bucket)}; known: ${KNOWN_BUCKETS.join(", ")}`);
    if (options.limit !== undefined) this.limits.set(bucket, options.limit);
    const w = this.window(bucket, Date.now());
    if (options.fail429Next !== undefined) w.forced429 = options.fail429Next;
    if (options.retryAfterSeconds !== undefined) w.forcedResetSeconds = options.retryAfterSeconds;
  }

  /**
   * Counts a request as being served until `done` is called, and decides
   * whether the org's concurrent limit refuses it: Okta answers the first
   * request past the limit with 429 at once, its headers naming the
   * concurrent limit, not a bucket's.
   */
  enter(at: number): RateLimitDecision & { done: () => void } {
    this.inFlight++;
    let left = false;
    const done = () => {
      if (!left) this.inFlight--;
      left = true;
    };
    const limited = this.enforce && this.inFlight > this.concurrentLimit;
    return { limited, done, headers: limited ? this.headers(this.concurrentLimit, 0, Math.ceil(at / 1000) + 1) : {} };
  }

  /** Counts one request in its bucket's window and decides whether it is refused. */
  account(bucket: Bucket, at: number): RateLimitDecision {
    const w = this.window(bucket, at);
    w.used++;
    const limit = this.enforce ? this.tokenLimitOf(bucket) : UNENFORCED_LIMIT;
    const resetSeconds = Math.ceil((w.start + this.windowMs) / 1000);
    if (w.forced429 > 0) {
      w.forced429--;
      return { limited: true, headers: this.headers(limit, 0, Math.ceil(at / 1000) + w.forcedResetSeconds) };
    }
    if (this.enforce && w.used > limit) {
      return { limited: true, headers: this.headers(limit, 0, resetSeconds) };
    }
    return { limited: false, headers: this.headers(limit, Math.max(0, limit - w.used), resetSeconds) };
  }

  private window(bucket: Bucket, at: number): BucketWindow {
    let w = this.windows.get(bucket);
    if (!w) {
      w = { start: at, used: 0, forced429: 0, forcedResetSeconds: 1 };
      this.windows.set(bucket, w);
    } else if (at >= w.start + this.windowMs) {
      w.start = at;
      w.used = 0;
    }
    return w;
  }

  private headers(limit: number, remaining: number, resetSeconds: number): Record<string, string> {
    return {
      "X-Rate-Limit-Limit": String(limit),
      "X-Rate-Limit-Remaining": String(remaining),
      "X-Rate-Limit-Reset": String(resetSeconds),
    };
  }
}
