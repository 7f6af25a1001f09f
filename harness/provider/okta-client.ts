/**
 * The Okta Management API client of the stand-in provider, behaving like the
 * okta/okta 4.20.0 v2 SDK request executor over the provider's HTTP client:
 * SSWS, Bearer or OAuth service-app auth, governor (max_api_capacity) around go-retryablehttp, errors
 * formatted as the SDK formats them, `Link: rel="next"` paging.
 */
import { ApiGovernor } from "./http/governor.ts";
import { encodeGoValues } from "./http/go-query.ts";
import { retryableDo, type RawResponse, type RetrySettings } from "./http/retryable.ts";
import { errorBodyOf, SdkApiError, TransportError } from "./http/sdk-errors.ts";
import { PrivateKeyAuth, type ServiceAppSettings } from "./http/oauth.ts";

/** How requests authenticate: the SDK's authorization modes SSWS, Bearer and PrivateKey. */
export type Credentials = { kind: "ssws" | "bearer"; token: string } | ({ kind: "oauth" } & ServiceAppSettings);

export interface ClientConfig {
  /** e.g. http://127.0.0.1:1234 or https://acme.okta.com */
  baseUrl: string;
  credentials: Credentials;
  retry: RetrySettings;
  /** Set when max_api_capacity is between 1 and 99. */
  governor: ApiGovernor | null;
  /** 0 = none; else a deadline over the whole request, retries included. */
  requestTimeoutSeconds: number;
  /** Aborted when the process this client stands for has ended: a killed provider sends nothing more. */
  ended?: AbortSignal;
}

export interface SdkResponse {
  status: number;
  statusLine: string;
  headers: Headers;
  body: any;
  /** Path and query of the next page, as the SDK computes it; null on the last page. */
  nextPage: string | null;
}

const USER_AGENT = "okta-sdk-golang/2.20.0 golang/go1.23 linux/amd64 okta-terraform/4.20.0";

export class OktaClient {
  private readonly serviceApp: PrivateKeyAuth | null;

  constructor(readonly cfg: ClientConfig) {
    this.serviceApp = cfg.credentials.kind === "oauth" ? new PrivateKeyAuth(cfg.baseUrl, cfg.credentials) : null;
  }

  /** The SDK's Authorize, per request; a token it cannot get fails the request as Go's url.Error would. */
  private async authorization(method: string, url: string): Promise<string> {
    const credentials = this.cfg.credentials;
    if (credentials.kind !== "oauth") return `${credentials.kind === "ssws" ? "SSWS" : "Bearer"} ${credentials.token}`;
    try {
      return await this.serviceApp!.header();
    } catch (e) {
      throw new TransportError(method, url, (e as Error).message);
    }
  }

  /** One SDK call. Throws SdkApiError for answers of 400 and more, TransportError when there is no usable answer. */
  async call(method: string, pathAndQuery: string, body?: unknown, options: { retryOnStatus?: number[] } = {}): Promise<SdkResponse> {
    const url = this.cfg.baseUrl + pathAndQuery;
    const path = new URL(url).pathname;
    const ended = this.cfg.ended;
    if (ended?.aborted) throw new TransportError(method, url, "the provider process has ended");
    const deadline = this.cfg.requestTimeoutSeconds > 0 ? AbortSignal.timeout(this.cfg.requestTimeoutSeconds * 1000) : undefined;
    const signal = deadline && ended ? AbortSignal.any([deadline, ended]) : (deadline ?? ended);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // Authorized once per call, before the retrying client: its retries resend the same header.
    const authorization = await this.authorization(method, url);
    const send = async (): Promise<RawResponse> => {
      const res = await fetch(url, {
        method,
        headers: {
          Authorization: authorization,
          Accept: "application/json",
          ...(payload === undefined ? {} : { "Content-Type": "application/json" }),
          "User-Agent": USER_AGENT,
        },
        body: payload,
        signal,
      });
      return { status: res.status, statusLine: `${res.status} ${res.statusText}`, headers: res.headers, text: await res.text() };
    };
    try {
      await this.cfg.governor?.beforeRequest(method, path, signal);
    } catch {
      throw new TransportError(method, url, "context deadline exceeded");
    }
    const outcome = await retryableDo(method, url, send, this.cfg.retry, { retryOnStatus: options.retryOnStatus, signal });
    this.cfg.governor?.afterResponse(method, path, outcome.last?.headers);
    if (outcome.error) throw outcome.error;
    const raw = outcome.last!;
    if (raw.status >= 400) throw new SdkApiError(raw.status, raw.statusLine, errorBodyOf(raw.status, raw.text, raw.headers.get("x-okta-request-id")));
    let json: unknown = undefined;
    if (raw.text) {
      if (!(raw.headers.get("content-type") ?? "").includes("application/json")) throw new Error(`could not build a response for type: ${raw.headers.get("content-type") ?? ""}`);
      json = JSON.parse(raw.text);
    }
    return { status: raw.status, statusLine: raw.statusLine, headers: raw.headers, body: json, nextPage: nextPageOf(raw.headers, pathAndQuery) };
  }

  /** The next page of a list answer (the SDK's `resp.Next`). */
  next(resp: SdkResponse): Promise<SdkResponse> {
    if (!resp.nextPage) throw new Error("no next page");
    return this.call("GET", resp.nextPage);
  }
}

/**
 * The SDK's NextPage: the `rel="next"` link without scheme and host, its
 * query merged over the request's own query (link values win), re-encoded.
 */
function nextPageOf(headers: Headers, requestPathAndQuery: string): string | null {
  const link = headers.get("link");
  if (!link) return null;
  for (const part of link.split(/,\s*(?=<)/)) {
    if (!part.includes('rel="next"')) continue;
    const m = /^\s*<([^>]*)>/.exec(part);
    if (!m) continue;
    const next = new URL(m[1]!, "http://placeholder");
    const merged = new Map<string, string>(new URL(requestPathAndQuery, "http://placeholder").searchParams);
    for (const [k, v] of new Map(next.searchParams)) merged.set(k, v);
    const query = encodeGoValues([...merged]);
    return next.pathname + (query ? `?${query}` : "");
  }
  return null;
}
