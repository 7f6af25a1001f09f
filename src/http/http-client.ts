// HTTP with the failure handling both remote APIs need: bounded concurrency,
// retries with backoff for 5xx and dropped connections, and a shared pause
// when the server rate-limits us (429). Every wait goes through a Clock so
// tests (and CERBY_OKTA_TIME_SCALE) can make minutes pass in milliseconds.
// Used by the Cerby client and by the Okta client in src/okta-api/.
import { ExternalError } from "../errors.ts";

/** Time as the HTTP layer sees it. `sleep` is the only way anything waits. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (so no timer outlives a failed run). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function timer(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(handle);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const handle = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => timer(ms, signal),
};

/**
 * A clock whose time runs `1 / scale` times faster than the wall clock: with
 * scale 0.001 a five-minute Retry-After passes in 300 ms, and `now()` agrees
 * with it, so deadlines computed from `now()` stay consistent.
 */
export function scaledClock(scale: number): Clock {
  if (!(scale > 0) || scale === 1) return realClock;
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) / scale,
    sleep: (ms, signal) => timer(ms * scale, signal),
  };
}

/** The clock for CLI runs: real, unless CERBY_OKTA_TIME_SCALE (tests only) speeds it up. */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const scale = Number(env.CERBY_OKTA_TIME_SCALE ?? "1");
  return Number.isFinite(scale) && scale > 0 ? scaledClock(scale) : realClock;
}

export interface RetryPolicy {
  /** Retries after a 5xx answer or a dropped connection, per request. @default 5 */
  readonly maxRetries: number;
  /** First backoff delay; doubles on each retry. @default 1000 */
  readonly baseDelayMs: number;
  /** Longest single backoff delay. @default 30000 */
  readonly maxDelayMs: number;
  /** Cap on all waiting (rate-limit pauses and backoff) over the client's life. @default 900000 */
  readonly maxTotalWaitMs: number;
  /** Per-request timeout (not scaled: it is not a wait we choose). @default 60000 */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxTotalWaitMs: 15 * 60_000,
  requestTimeoutMs: 60_000,
};

/** What the client tells its observer when it starts waiting. */
export interface WaitEvent {
  readonly what: string;
  readonly reason: "rate-limited" | "server-error" | "connection";
  readonly detail: string;
  readonly delayMs: number;
  readonly attempt: number;
}

export interface HttpClientOptions {
  /** Name of the remote system, used in messages: "Cerby API", "Okta". */
  readonly system: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly clock?: Clock;
  readonly policy?: Partial<RetryPolicy>;
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** How long a 429 asks us to wait, in ms; undefined when the answer does not say. */
  readonly rateLimitDelay?: (response: Response, now: number) => number | undefined;
  /** Delay when a 429 does not say how long to wait. @default 60000 */
  readonly defaultRateLimitDelayMs?: number;
  readonly onWait?: (event: WaitEvent) => void;
  /** Strings that must never appear in an error message (the credentials). */
  readonly secrets?: readonly string[];
  readonly fetch?: typeof fetch;
}

export interface HttpRequest {
  readonly method: "GET" | "DELETE";
  readonly url: URL;
  /** How errors name this request, e.g. `GET /accounts page 3`. */
  readonly what: string;
  /** Statuses besides 2xx handed back to the caller instead of failing (e.g. 404). */
  readonly accept?: readonly number[];
}

export interface HttpResponse {
  readonly status: number;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: unknown;
}

const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);

export class HttpClient {
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly limiter: Limiter;
  private readonly fetchImpl: typeof fetch;
  private readonly controller = new AbortController();
  /** Everyone waits until this instant after a 429 (one pause for all, not one per request). */
  private pausedUntil = 0;
  private waitedMs = 0;
  requests = 0;

  constructor(private readonly options: HttpClientOptions) {
    this.clock = options.clock ?? realClock;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.limiter = new Limiter(Math.max(1, options.concurrency ?? 4));
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Total time spent waiting so far (rate limits and backoff), in ms. */
  get totalWaitMs(): number {
    return this.waitedMs;
  }

  /** Stops every pending and future request; used when one failure dooms the whole run. */
  abort(): void {
    this.controller.abort();
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.attempts(req);
    } catch (error) {
      throw this.redacted(error);
    }
  }

  private async attempts(req: HttpRequest): Promise<HttpResponse> {
    // Rate-limit pauses are bounded by the wait budget, not by the retry count.
    for (let attempt = 1, failures = 0; ; attempt++) {
      await this.waitForPause();
      const outcome = await this.limiter.run(() => this.once(req));
      if (outcome.kind === "done") return outcome.response;
      if (outcome.kind === "rate-limited") {
        this.pause(req, outcome.delayMs, outcome.detail, attempt);
        continue;
      }
      failures++;
      if (failures > this.policy.maxRetries) {
        throw new ExternalError(
          `${this.options.system} ${req.what}: ${outcome.detail}, still failing after ${attempt} attempts`,
        );
      }
      const delayMs = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (failures - 1));
      this.charge(req, delayMs, outcome.detail);
      this.options.onWait?.({ what: req.what, reason: outcome.kind, detail: outcome.detail, delayMs, attempt });
      await this.sleep(delayMs);
    }
  }

  private async once(req: HttpRequest): Promise<Outcome> {
    this.checkAborted();
    this.requests++;
    let response: Response;
    try {
      response = await this.fetchImpl(req.url, {
        method: req.method,
        headers: { accept: "application/json", ...this.options.headers },
        redirect: "error",
        signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.policy.requestTimeoutMs)]),
      });
    } catch (error) {
      this.checkAborted();
      return { kind: "connection", detail: `connection failed (${describeCause(error)})` };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      this.checkAborted();
      return { kind: "connection", detail: `connection dropped while reading the answer (${describeCause(error)})` };
    }
    if (response.status === 429) {
      const hinted = this.options.rateLimitDelay?.(response, this.clock.now());
      const delayMs = hinted ?? this.options.defaultRateLimitDelayMs ?? 60_000;
      return { kind: "rate-limited", delayMs, detail: `HTTP 429 (rate limited)` };
    }
    if (RETRYABLE_STATUSES.has(response.status)) {
      return { kind: "server-error", detail: `HTTP ${response.status}${errorSummary(text)}` };
    }
    const accepted = (response.status >= 200 && response.status < 300) || req.accept?.includes(response.status);
    if (!accepted) {
      throw new ExternalError(
        `${this.options.system} ${req.what}: HTTP ${response.status} ${response.statusText}${errorSummary(text)}`,
      );
    }
    if (text.trim() === "") return { kind: "done", response: { status: response.status, body: undefined } };
    try {
      return { kind: "done", response: { status: response.status, body: JSON.parse(text) } };
    } catch (error) {
      throw new ExternalError(
        `${this.options.system} ${req.what}: the answer is not valid JSON (${(error as Error).message}); ` +
          `it starts with ${JSON.stringify(text.slice(0, 80))}`,
      );
    }
  }

  private pause(req: HttpRequest, delayMs: number, detail: string, attempt: number): void {
    const until = this.clock.now() + delayMs;
    if (until > this.pausedUntil) {
      const added = until - Math.max(this.pausedUntil, this.clock.now());
      this.charge(req, added, detail);
      this.pausedUntil = until;
      this.options.onWait?.({ what: req.what, reason: "rate-limited", detail, delayMs, attempt });
    }
  }

  private charge(req: HttpRequest, delayMs: number, detail: string): void {
    if (this.waitedMs + delayMs > this.policy.maxTotalWaitMs) {
      throw new ExternalError(
        `${this.options.system} ${req.what}: ${detail}; waiting ${formatDuration(delayMs)} more would exceed ` +
          `the cap of ${formatDuration(this.policy.maxTotalWaitMs)} of total waiting ` +
          `(already waited ${formatDuration(this.waitedMs)}); try again later or raise --max-wait`,
      );
    }
    this.waitedMs += delayMs;
  }

  private async waitForPause(): Promise<void> {
    for (;;) {
      this.checkAborted();
      const remaining = this.pausedUntil - this.clock.now();
      if (remaining <= 0) return;
      await this.sleep(remaining);
    }
  }

  private async sleep(ms: number): Promise<void> {
    await this.clock.sleep(ms, this.controller.signal);
    this.checkAborted();
  }

  private checkAborted(): void {
    if (this.controller.signal.aborted) throw new AbortedError();
  }

  private redacted(error: unknown): unknown {
    const secrets = (this.options.secrets ?? []).filter((secret) => secret.length > 0);
    if (!(error instanceof Error) || secrets.length === 0) return error;
    for (const secret of secrets) {
      if (error.message.includes(secret)) error.message = error.message.split(secret).join("***");
    }
    return error;
  }
}

/** Thrown into requests still pending after `abort()`; callers report the first real error instead. */
export class AbortedError extends Error {
  override name = "AbortedError";
  constructor() {
    super("aborted because another request failed");
  }
}

type Outcome =
  | { kind: "done"; response: HttpResponse }
  | { kind: "rate-limited"; delayMs: number; detail: string }
  | { kind: "server-error" | "connection"; detail: string };

/** A counting semaphore: at most `size` tasks run at once, the rest queue in order. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Seconds or an HTTP date, as RFC 9110 allows for Retry-After. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes}m` : `${minutes}m${String(rest).padStart(2, "0")}s`;
}

function describeCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === "string" ? `${current.message} [${code}]` : current.message);
    current = current.cause;
  }
  return parts.join(": ") || String(error);
}

/** A short reason from an error body (JSON:API `errors[].detail`/`title`, Okta `errorSummary`). */
function errorSummary(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const errors = Array.isArray(body.errors) ? (body.errors as Record<string, unknown>[]) : [];
    const first = errors[0];
    const message =
      (first && (first.detail ?? first.title)) ?? body.errorSummary ?? body.message ?? body.error ?? undefined;
    return typeof message === "string" ? `: ${message.slice(0, 200)}` : "";
  } catch {
    return "";
  }
}
