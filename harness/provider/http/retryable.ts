/**
 * The HTTP client okta/okta 4.20.0 builds in `okta/config.go`: go-retryablehttp
 * v0.7.7 with the provider's `checkRetry` and `errHandler`.
 *
 * - Retried: network errors, 429, and 5xx except 500 (never retried) and 501
 *   (retryablehttp's own exception); plus any status the caller asks for
 *   (okta_app_group_assignment retries 500 on create).
 * - Wait before retry i (0-based): `Retry-After` (seconds or HTTP date) on a
 *   429 or 503 when present, uncapped; else min_wait × 2^i capped at
 *   max_wait. `X-Rate-Limit-Reset` is never read.
 * - After max_retries retries it gives up: a 429 (or a caller-retried status)
 *   becomes the SDK error with ", giving up after N attempt(s)" appended; a
 *   5xx becomes "unexpected HTTP status <status>"; a network error stays itself.
 */
import { log } from "../log.ts";
import { errorBodyOf, formatSdkError, TransportError } from "./sdk-errors.ts";

export interface RetrySettings {
  minWaitSeconds: number;
  maxWaitSeconds: number;
  maxRetries: number;
}

export interface RawResponse {
  status: number;
  /** Go's resp.Status, e.g. "429 Too Many Requests". */
  statusLine: string;
  headers: Headers;
  text: string;
}

export interface RetryOutcome {
  /** The last answer received, if any (the governor reads its headers even on failure). */
  last?: RawResponse;
  /** Set when the request failed for good. */
  error?: Error;
  /** Number of attempts made. */
  attempts: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** retryablehttp.DefaultBackoff, in milliseconds. */
export function backoffMs(settings: RetrySettings, attempt: number, resp: RawResponse | undefined): number {
  if (resp && (resp.status === 429 || resp.status === 503)) {
    const retryAfter = retryAfterMs(resp.headers.get("retry-after"));
    if (retryAfter !== null) return retryAfter;
  }
  const min = settings.minWaitSeconds * 1000;
  const max = settings.maxWaitSeconds * 1000;
  const mult = 2 ** attempt * min;
  return Number.isFinite(mult) && mult <= max ? mult : max;
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  if (/^-?\d+$/.test(header)) {
    const seconds = Number(header);
    return seconds < 0 ? null : seconds * 1000;
  }
  // RFC 1123 date, e.g. "Mon, 02 Jan 2006 15:04:05 GMT"
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [A-Z]{3,4}$/.test(header)) return null;
  const at = Date.parse(header);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - Date.now());
}

type Check = { retry: boolean; error?: string };

/** The provider's checkRetry, then retryablehttp's DefaultRetryPolicy. */
function checkRetry(resp: RawResponse | undefined, networkError: string | undefined, retryOnStatus: number[]): Check {
  if (resp && retryOnStatus.includes(resp.status)) return { retry: true };
  if (resp && resp.status === 500) return { retry: false };
  if (networkError !== undefined) return { retry: !/unsupported protocol scheme|stopped after \d+ redirects|certificate/.test(networkError) };
  if (resp!.status === 429) return { retry: true };
  if (resp!.status === 0 || (resp!.status >= 500 && resp!.status !== 501)) return { retry: true, error: `unexpected HTTP status ${resp!.statusLine}` };
  return { retry: false };
}

/** Go's wording of the network errors fetch reports. */
export function networkErrorText(e: unknown, url: string): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const host = new URL(url).host;
  if (cause?.code === "ECONNREFUSED") return `dial tcp ${host}: connect: connection refused`;
  if (cause?.code === "ECONNRESET") return `read tcp ${host}: read: connection reset by peer`;
  if (cause?.code === "ENOTFOUND") return `dial tcp: lookup ${new URL(url).hostname}: no such host`;
  return cause?.message ?? (e instanceof Error ? e.message : String(e));
}

export async function retryableDo(
  method: string,
  url: string,
  send: () => Promise<RawResponse>,
  settings: RetrySettings,
  options: { retryOnStatus?: number[]; signal?: AbortSignal } = {},
): Promise<RetryOutcome> {
  const retryOnStatus = options.retryOnStatus ?? [];
  let last: RawResponse | undefined;
  let attempts = 0;
  let check: Check = { retry: false };
  let networkError: string | undefined;
  for (let i = 0; ; i++) {
    attempts++;
    if (options.signal?.aborted) return { last, attempts, error: new TransportError(method, url, "context deadline exceeded") };
    networkError = undefined;
    let resp: RawResponse | undefined;
    try {
      resp = await send();
      last = resp;
    } catch (e) {
      if (options.signal?.aborted) return { last, attempts, error: new TransportError(method, url, "context deadline exceeded") };
      networkError = networkErrorText(e, url);
    }
    check = checkRetry(resp, networkError, retryOnStatus);
    if (!check.retry) break;
    if (settings.maxRetries - i <= 0) break;
    const wait = backoffMs(settings, i, resp);
    log(`${method} ${new URL(url).pathname}${resp ? ` (status: ${resp.status})` : ""}: retrying in ${wait / 1000}s (${settings.maxRetries - i} left)`);
    try {
      await sleep(wait, options.signal);
    } catch {
      return { last, attempts, error: new TransportError(method, url, "context deadline exceeded") };
    }
  }
  if (networkError === undefined && check.error === undefined && !check.retry) return { last, attempts };
  // errHandler: an error stays as it is; an answer becomes the SDK error, "giving up".
  if (check.error !== undefined) return { last, attempts, error: new TransportError(method, url, check.error) };
  if (networkError !== undefined) return { last, attempts, error: new TransportError(method, url, networkError) };
  const body = errorBodyOf(last!.status, last!.text, last!.headers.get("x-okta-request-id"));
  body.errorSummary = `${body.errorSummary ?? ""}, giving up after ${attempts} attempt(s)`;
  return { last, attempts, error: new TransportError(method, url, formatSdkError(body)) };
}
