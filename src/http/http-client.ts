// HTTP with the failure handling both remote APIs need: bounded concurrency,
// retries with backoff for 5xx and dropped connections, and a shared pause
// when the server rate-limits us (429). Every wait goes through a Clock so
// tests (and CERBY_OKTA_TIME_SCALE) can make minutes pass in milliseconds.
// Nothing a server does can make it run forever or read without end: every
// loop has a count and a wait budget, every wait a floor, every request a
// timeout that covers its whole body, every body a size cap.
// Used by the Cerby client and by the Okta client in src/okta-api/.
import { ExternalError } from "../errors.ts";
import { Limiter } from "../limiter.ts";
import { readBodyText } from "./read-body.ts";
import { redactError, redactor, type Redact } from "./redact.ts";

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
    // Longer than setTimeout can hold (it would fire at once): callers re-check the time and sleep again.
    const handle = setTimeout(done, Math.min(Math.max(0, ms), 2 ** 31 - 1));
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
  /** Retries after a 5xx answer, a dropped connection or a timeout, per request. @default 5 */
  readonly maxRetries: number;
  /** Retries after a 429, per request: a server that never stops rate-limiting is given up on. @default 10 */
  readonly maxRateLimitRetries: number;
  /** First backoff delay; doubles on each retry. @default 1000 */
  readonly baseDelayMs: number;
  /** Longest single backoff delay. @default 30000 */
  readonly maxDelayMs: number;
  /** Shortest wait before any retry, whatever the server says (`Retry-After: 0` must not make us hammer it). @default 1000 */
  readonly minDelayMs: number;
  /** Cap on all waiting (rate-limit pauses and backoff) over the client's life. @default 900000 */
  readonly maxTotalWaitMs: number;
  /** Per-request timeout, from sending to the last byte of the body (not scaled: it is not a wait we choose). @default 60000 */
  readonly requestTimeoutMs: number;
  /** Largest body of one answer, counted after decompression. @default 16 MiB */
  readonly maxBodyBytes: number;
  /** Largest sum of all bodies read over the client's life, after decompression: bounds memory. @default 512 MiB */
  readonly maxTotalBodyBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 5,
  maxRateLimitRetries: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  minDelayMs: 1_000,
  maxTotalWaitMs: 15 * 60_000,
  requestTimeoutMs: 60_000,
  maxBodyBytes: 16 * MiB,
  maxTotalBodyBytes: 512 * MiB,
};

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Of an error answer only the start is read: enough for its message. */
const ERROR_BODY_BYTES = 64 * 1024;

/**
 * Connection failures that another attempt cannot cure: a host DNS does not
 * know, a certificate that does not fit. Retrying them only makes the user wait.
 */
const PERMANENT_CONNECTION_CODES = new Set([
  "ENOTFOUND",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** What the client tells its observer when it starts waiting. */
export interface WaitEvent {
  readonly what: string;
  readonly reason: "rate-limited" | "server-error" | "connection";
  readonly detail: string;
  readonly delayMs: number;
  readonly attempt: number;
}

/** What a caller of an API client may set about its HTTP (the Cerby and Okta clients alike). */
export interface ApiClientOptions {
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Pages one listing reads at most. */
  readonly maxPages?: number;
  readonly clock?: Clock;
  readonly policy?: Partial<RetryPolicy>;
  readonly onWait?: (event: WaitEvent) => void;
  /** Added to the message when the API's host does not exist, e.g. which flag names it. */
  readonly unknownHostHint?: string;
  readonly fetch?: typeof fetch;
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
  /** Strings that must never appear in an error message or a wait notice (the credentials). */
  readonly secrets?: readonly string[];
  /** Added to the message when the host does not exist (DNS), e.g. which flag sets it. */
  readonly unknownHostHint?: string;
  readonly fetch?: typeof fetch;
  /** Paces requests by what the server says of its rate limits (Okta's X-Rate-Limit-* headers). */
  readonly governor?: RequestGovernor;
  /** An `Authorization` header made per request (an OAuth access token), renewed once after a 401. */
  readonly authorization?: Authorization;
}

/** Credentials that change over a run: an OAuth access token, fetched when needed and renewed when refused. */
export interface Authorization {
  /** The `Authorization` header for the next request. */
  header(): Promise<string>;
  /** Okta answered 401 to a request sent with `header`: forget it; true when another attempt may succeed with a new one. */
  refused(header: string): boolean;
}

/** Keeps a client within a share of the server's rate limits, from what its answers' headers say. */
export interface RequestGovernor {
  /** Milliseconds to wait before sending this request (0: now). Asked again after the wait. */
  delayBefore(req: HttpRequest, now: number): number;
  /** Learns from an answer's headers (every answer, 429s included), received at `now`. */
  observe(req: HttpRequest, headers: Headers, now: number): void;
}

export interface HttpRequest {
  readonly method: "GET" | "DELETE" | "POST";
  readonly url: URL;
  /** How errors name this request, e.g. `GET /accounts page 3`. */
  readonly what: string;
  /** Statuses besides 2xx handed back to the caller instead of failing (e.g. 404). */
  readonly accept?: readonly number[];
  /** A form body (`application/x-www-form-urlencoded`), for POST. */
  readonly form?: URLSearchParams;
}

export interface HttpResponse {
  readonly status: number;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: unknown;
  /** The answer's headers (Okta pages through `Link`). */
  readonly headers: Headers;
}

const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);

export class HttpClient {
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private readonly limiter: Limiter;
  private readonly fetchImpl: typeof fetch;
  private readonly controller = new AbortController();
  private readonly redact: Redact;
  /** Everyone waits until this instant after a 429 (one pause for all, not one per request). */
  private pausedUntil = 0;
  private waitedMs = 0;
  private bodyBytes = 0;
  requests = 0;

  constructor(private readonly options: HttpClientOptions) {
    this.clock = options.clock ?? realClock;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.limiter = new Limiter(Math.max(1, options.concurrency ?? 4));
    this.fetchImpl = options.fetch ?? fetch;
    this.redact = redactor(options.secrets ?? []);
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
      throw redactError(error, this.redact);
    }
  }

  private async attempts(req: HttpRequest): Promise<HttpResponse> {
    // Two budgets per request (failures, 429s) and one for the client (total waiting) bound this loop;
    // a refused access token is renewed once per request.
    for (let attempt = 1, failures = 0, rateLimited = 0, renewed = false; ; attempt++) {
      await this.waitForPause();
      const outcome = await this.limiter.run(async () => {
        await this.waitForGovernor(req, attempt);
        return this.once(req, renewed);
      });
      if (outcome.kind === "done") return outcome.response;
      if (outcome.kind === "renew") {
        renewed = true;
        continue;
      }
      if (outcome.kind === "rate-limited") {
        rateLimited++;
        if (rateLimited > this.policy.maxRateLimitRetries) {
          throw new ExternalError(
            `${this.options.system} ${req.what}: ${outcome.detail} ${rateLimited} times for this request; giving up ` +
              `(the server keeps refusing us); try again later`,
          );
        }
        this.pause(req, Math.max(this.policy.minDelayMs, outcome.delayMs), outcome.detail, attempt);
        continue;
      }
      failures++;
      if (failures > this.policy.maxRetries) {
        throw new ExternalError(
          `${this.options.system} ${req.what}: ${outcome.detail}, still failing after ${attempt} attempts`,
        );
      }
      const backoffMs = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (failures - 1));
      const delayMs = Math.max(this.policy.minDelayMs, backoffMs);
      this.charge(req, delayMs, outcome.detail);
      this.options.onWait?.({ what: req.what, reason: outcome.kind, detail: outcome.detail, delayMs, attempt });
      await this.sleep(delayMs);
    }
  }

  private async once(req: HttpRequest, renewed: boolean): Promise<Outcome> {
    this.checkAborted();
    this.requests++;
    // One signal for the whole exchange, body included; a plain timer that we
    // hold and clear (AbortSignal.timeout inside AbortSignal.any can be
    // collected and never fire while a large body keeps the GC busy).
    const request = new AbortController();
    const stop = () => request.abort();
    this.controller.signal.addEventListener("abort", stop, { once: true });
    let timedOut = false;
    // setTimeout fires at once past 2^31-1 ms; a timeout that long means "none to speak of".
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort();
    }, Math.min(this.policy.requestTimeoutMs, MAX_TIMER_MS));
    try {
      return await this.exchange(req, request.signal, renewed);
    } catch (error) {
      this.checkAborted();
      if (timedOut && !(error instanceof ExternalError)) {
        return {
          kind: "connection",
          detail: `no complete answer within ${formatDuration(this.policy.requestTimeoutMs)} (--timeout)`,
        };
      }
      throw error;
    } finally {
      clearTimeout(timer);
      this.controller.signal.removeEventListener("abort", stop);
    }
  }

  private async exchange(req: HttpRequest, signal: AbortSignal, renewed: boolean): Promise<Outcome> {
    const prefix = `${this.options.system} ${req.what}`;
    const authorization = await this.options.authorization?.header();
    let response: Response;
    try {
      response = await this.fetchImpl(req.url, {
        method: req.method,
        headers: {
          accept: "application/json",
          ...this.options.headers,
          ...(authorization !== undefined ? { authorization } : {}),
          ...(req.form !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        ...(req.form !== undefined ? { body: req.form.toString() } : {}),
        // Followed by hand never: the credentials would go along to wherever it points.
        redirect: "manual",
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const code = causeCode(error);
      if (code !== undefined && PERMANENT_CONNECTION_CODES.has(code)) throw this.permanentConnectionError(req, code, error);
      return { kind: "connection", detail: `connection failed (${this.redact(describeCause(error))})` };
    }
    this.options.governor?.observe(req, response.headers, this.clock.now());
    // An access token can expire or be revoked mid-run: a new one, once, before the 401 counts.
    if (response.status === 401 && authorization !== undefined && !renewed && this.options.authorization!.refused(authorization)) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: "renew" };
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get("location");
      throw new ExternalError(
        `${prefix}: HTTP ${response.status} redirect${location ? ` to ${this.redact(location).slice(0, 200)}` : ""}, ` +
          `not followed (the credentials would go along); check the URL`,
      );
    }
    const accepted = (response.status >= 200 && response.status < 300) || req.accept?.includes(response.status);
    const limit = accepted ? this.policy.maxBodyBytes : ERROR_BODY_BYTES;
    let body: Awaited<ReturnType<typeof readBodyText>>;
    try {
      body = await readBodyText(response, limit);
    } catch (error) {
      if (signal.aborted) throw error;
      return { kind: "connection", detail: `connection dropped while reading the answer (${this.redact(describeCause(error))})` };
    }
    this.countBody(prefix, body.bytes);
    // Everything quoted from the body below is masked first, before any excerpt cuts a secret in two.
    const text = this.redact(body.text);
    if (response.status === 429) {
      const hinted = this.options.rateLimitDelay?.(response, this.clock.now());
      const delayMs = hinted ?? this.options.defaultRateLimitDelayMs ?? 60_000;
      return { kind: "rate-limited", delayMs, detail: `HTTP 429 (rate limited)` };
    }
    if (RETRYABLE_STATUSES.has(response.status)) {
      return { kind: "server-error", detail: `HTTP ${response.status}${errorSummary(text, this.redact)}` };
    }
    if (!accepted) {
      throw new ExternalError(
        `${prefix}: HTTP ${response.status} ${this.redact(response.statusText).slice(0, 100)}${errorSummary(text, this.redact)}${missingScope(response.headers)}`,
      );
    }
    if (body.truncated) {
      const encoding = response.headers.get("content-encoding");
      throw new ExternalError(
        `${prefix}: the answer is larger than ${formatBytes(this.policy.maxBodyBytes)}` +
          (encoding && encoding !== "identity" ? ` once decompressed (${this.redact(encoding).slice(0, 40)})` : "") +
          `, the most one answer may hold; stopped reading it. Ask for smaller pages (--page-size) or check the URL`,
      );
    }
    if (text.trim() === "") return { kind: "done", response: { status: response.status, body: undefined, headers: response.headers } };
    try {
      return { kind: "done", response: { status: response.status, body: JSON.parse(body.text), headers: response.headers } };
    } catch (error) {
      throw new ExternalError(
        `${prefix}: the answer is not valid JSON (${this.redact((error as Error).message).slice(0, 200)}); ` +
          `it starts with ${JSON.stringify(text.slice(0, 80))}`,
      );
    }
  }

  /** Bounds memory over a whole run: many pages of large answers add up. */
  private countBody(prefix: string, bytes: number): void {
    this.bodyBytes += bytes;
    if (this.bodyBytes > this.policy.maxTotalBodyBytes) {
      throw new ExternalError(
        `${prefix}: read more than ${formatBytes(this.policy.maxTotalBodyBytes)} from ${this.options.system} in this run, ` +
          `the most one run may read; giving up`,
      );
    }
  }

  private permanentConnectionError(req: HttpRequest, code: string, error: unknown): ExternalError {
    const host = req.url.host;
    if (code === "ENOTFOUND") {
      return new ExternalError(
        `${this.options.system} ${req.what}: the host ${host} does not exist (DNS: ${code}); not retried` +
          (this.options.unknownHostHint ? `; ${this.options.unknownHostHint}` : ""),
      );
    }
    return new ExternalError(
      `${this.options.system} ${req.what}: the TLS certificate of ${host} is not accepted ` +
        `(${this.redact(describeCause(error))}); not retried`,
    );
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

  /** Waits while the governor says the share is used up (until the server's window resets): pacing, not a failure, so not charged to the wait cap. */
  private async waitForGovernor(req: HttpRequest, attempt: number): Promise<void> {
    for (let delayMs = this.options.governor?.delayBefore(req, this.clock.now()) ?? 0; delayMs > 0; delayMs = this.options.governor!.delayBefore(req, this.clock.now())) {
      this.options.onWait?.({ what: req.what, reason: "rate-limited", detail: "keeping to the rate-limit share", delayMs, attempt });
      await this.sleep(delayMs);
    }
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
  | { kind: "renew" }
  | { kind: "rate-limited"; delayMs: number; detail: string }
  | { kind: "server-error" | "connection"; detail: string };

/** Seconds or an HTTP date, as RFC 9110 allows for Retry-After. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function formatDuration(ms: number): string {
  // A sub-second --timeout must not read as "0s" or "1s".
  if (ms > 0 && ms < 1000) return `${Math.round(ms)}ms`;
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

/** The first error code along an error's cause chain (`ENOTFOUND`, `ECONNRESET`, ...). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * What an OAuth 403 means, from its `WWW-Authenticate: Bearer ...,
 * error="insufficient_scope", scope="okta.groups.manage"` (Okta sends no body then).
 */
function missingScope(headers: Headers): string {
  const challenge = headers.get("www-authenticate") ?? "";
  if (!/error="insufficient_scope"/.test(challenge)) return "";
  const scope = /\bscope="([\w.: -]{1,200})"/.exec(challenge)?.[1];
  return `: the access token lacks the scope ${scope ?? "this request needs"} (insufficient_scope); grant it to the service app and add it to OKTA_API_SCOPES`;
}

/**
 * A short reason from an error body (JSON:API `errors[].detail`/`title`, Okta
 * `errorSummary`), masked before it is cut short so no secret survives in part.
 */
function errorSummary(text: string, redact: Redact): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const errors = Array.isArray(body.errors) ? (body.errors as Record<string, unknown>[]) : [];
    const first = errors[0];
    const message =
      (first && (first.detail ?? first.title)) ?? body.errorSummary ?? body.message ?? body.error ?? undefined;
    return typeof message === "string" ? `: ${redact(message).slice(0, 200)}` : "";
  } catch {
    return "";
  }
}
