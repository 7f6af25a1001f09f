// Reads user status from Okta's Management API with plain fetch.
// Credentials (src/okta-api/credentials.ts): an API token, sent as
// `Authorization: SSWS <token>`; an access token (`Bearer`); or an OAuth
// service app, whose access tokens src/okta-api/oauth.ts fetches and renews.
// Okta answers a rate-limited request with 429 and these headers:
//   X-Rate-Limit-Limit: 600
//   X-Rate-Limit-Remaining: 0
//   X-Rate-Limit-Reset: 1740000060      (epoch seconds when the window resets)
import { HttpClient, type ApiClientOptions } from "../http/http-client.ts";
import { ExternalError } from "../errors.ts";
import { OKTA_STATUSES } from "../domain/model.ts";
import { OktaRateGovernor } from "./rate-governor.ts";
import type { OktaCredentials } from "./credentials.ts";
import { ServiceAppTokens } from "./oauth.ts";

export type OktaStatus = (typeof OKTA_STATUSES)[number];

export interface OktaUser {
  readonly id: string;
  readonly login: string;
  readonly status: OktaStatus;
}

/** The System Log event types that change whether a user sees anything (R7), and the status each leaves them in. */
export const LIFECYCLE_EVENT_STATUS: Readonly<Record<string, OktaStatus>> = {
  "user.lifecycle.deactivate": "DEPROVISIONED",
  "user.lifecycle.suspend": "SUSPENDED",
  "user.lifecycle.unsuspend": "ACTIVE",
  "user.lifecycle.reactivate": "ACTIVE",
  "user.lifecycle.activate": "ACTIVE",
};

/** One user lifecycle event of the System Log, reduced to what R7 needs. */
export interface LifecycleEvent {
  readonly uuid: string;
  readonly published: string;
  readonly eventType: string;
  /** The users it concerns: Okta ID and login (`alternateId`). */
  readonly users: readonly { readonly id: string; readonly login: string }[];
}

/** What one poll of the System Log brought, and where the next poll starts (Okta's last `rel="next"` link). */
export interface LogPoll {
  readonly events: readonly LifecycleEvent[];
  readonly next: string;
  /** Requests made: one per page. */
  readonly pages: number;
}

/** Events per System Log page asked for: Okta's maximum. */
const LOG_PAGE_SIZE = 1000;

/** `maxPages`: pages one `listAll` reads at most, default DEFAULT_MAX_OKTA_PAGES. */
export interface OktaClientOptions extends ApiClientOptions {
  /** `https://<orgName>.<baseUrl>` */
  readonly baseUrl: string;
  /** An SSWS API token; or `credentials`, of any kind. */
  readonly token?: string;
  readonly credentials?: OktaCredentials;
  /** The share of each rate-limit bucket to keep to, in percent (the workspace's `rateLimit.maxApiCapacity`); absent: not governed. */
  readonly maxApiCapacity?: number;
}

/** Pages one listing reads at most: 200,000 objects at Okta's `limit=200`. */
export const DEFAULT_MAX_OKTA_PAGES = 1_000;

export class OktaClient {
  readonly http: HttpClient;
  private readonly base: URL;
  private readonly maxPages: number;
  private readonly token: string;
  /** Under OAuth: the service app's tokens. */
  readonly serviceApp: ServiceAppTokens | undefined;

  constructor(options: OktaClientOptions) {
    const credentials: OktaCredentials = options.credentials ?? { kind: "api-token", token: options.token ?? "" };
    this.token = credentials.kind === "oauth" ? credentials.privateKey : credentials.token;
    this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.maxPages = options.maxPages ?? DEFAULT_MAX_OKTA_PAGES;
    this.serviceApp = credentials.kind === "oauth" ? ServiceAppTokens.for(this.base.href, credentials, options) : undefined;
    this.http = new HttpClient({
      system: "Okta",
      headers: credentials.kind === "oauth" ? {} : { Authorization: `${credentials.kind === "api-token" ? "SSWS" : "Bearer"} ${credentials.token}` },
      ...(this.serviceApp ? { authorization: this.serviceApp } : {}),
      clock: options.clock,
      policy: options.policy,
      concurrency: options.concurrency,
      rateLimitDelay: rateLimitResetDelay,
      defaultRateLimitDelayMs: 60_000,
      onWait: options.onWait,
      secrets: [this.token],
      unknownHostHint: options.unknownHostHint,
      fetch: options.fetch,
      ...(options.maxApiCapacity !== undefined ? { governor: new OktaRateGovernor(options.maxApiCapacity) } : {}),
    });
  }

  /**
   * The user with this Okta ID or login (`GET /api/v1/users/{id}` accepts
   * both), or undefined when Okta does not know them (404).
   */
  async getUser(idOrLogin: string): Promise<OktaUser | undefined> {
    // Okta cannot take a login containing '/' in the path: search for it instead.
    if (idOrLogin.includes("/")) return this.searchByLogin(idOrLogin);
    const path = `api/v1/users/${encodeURIComponent(idOrLogin)}`;
    const response = await this.http.request({
      method: "GET",
      url: new URL(path, this.base),
      what: `GET /${path}`,
      accept: [404],
    });
    if (response.status === 404) return undefined;
    return this.readUser(response.body, path, idOrLogin);
  }

  /**
   * Whether Okta takes the token: `GET /api/v1/users/me`, the cheapest
   * authenticated route (the okta provider calls it too when it starts).
   * 401: the token is wrong, expired or revoked; 403: its owner may not read users.
   */
  async tokenCheck(): Promise<{ ok: true } | { ok: false; status: 401 | 403; summary: string }> {
    const path = "api/v1/users/me";
    const response = await this.http.request({ method: "GET", url: new URL(path, this.base), what: `GET /${path}`, accept: [401, 403] });
    if (response.status !== 401 && response.status !== 403) return { ok: true };
    const body = response.body as { errorCode?: unknown; errorSummary?: unknown } | undefined;
    const code = typeof body?.errorCode === "string" ? `${body.errorCode.slice(0, 20)} ` : "";
    const summary = typeof body?.errorSummary === "string" ? body.errorSummary.slice(0, 200) : "";
    // Quoted from Okta's answer: never with the token in it.
    return { ok: false, status: response.status, summary: `${code}${summary}`.trim().replaceAll(this.token, "***") };
  }

  /** The object at `path` (`api/v1/apps/{id}`), or undefined when Okta answers 404. */
  async getUnlessGone(path: string): Promise<unknown> {
    const response = await this.http.request({ method: "GET", url: new URL(path, this.base), what: `GET /${path}`, accept: [404] });
    return response.status === 404 ? undefined : response.body;
  }

  /**
   * Whether Okta holds the object at `api/v1/<kind>/<id>` (`users`, `groups`):
   * false on 404. The ID is sent as one path segment, whatever it holds.
   */
  async exists(kind: "users" | "groups", id: string): Promise<boolean> {
    const path = `api/v1/${kind}/${encodeURIComponent(id)}`;
    const response = await this.http.request({ method: "GET", url: new URL(path, this.base), what: `GET /${path}`, accept: [404] });
    return response.status !== 404;
  }

  /**
   * Every object of a listing (`api/v1/apps`, `api/v1/groups`), following
   * Okta's `Link: <...>; rel="next"` pages. Bounded: at most `maxPages`
   * pages; a next link back to a page already read, or a page of objects
   * already read, is a loop; a next link to another origin is refused (the
   * token would go along). Objects repeated across pages count once.
   */
  async listAll(path: string, params: Readonly<Record<string, string>> = {}): Promise<unknown[]> {
    return (await this.list(path, params, false))!;
  }

  /** Like listAll, but undefined when Okta answers 404: the app or group itself is gone. */
  async listAllUnlessGone(path: string, params: Readonly<Record<string, string>> = {}): Promise<unknown[] | undefined> {
    return this.list(path, params, true);
  }

  private async list(path: string, params: Readonly<Record<string, string>>, goneIsUndefined: boolean): Promise<unknown[] | undefined> {
    let url: URL | undefined = new URL(path, this.base);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const what = `GET /${path}`;
    const objects: unknown[] = [];
    const ids = new Set<string>();
    const visited = new Set<string>();
    for (let page = 1; url !== undefined; page++) {
      if (page > this.maxPages) {
        throw new ExternalError(`Okta ${what}: page ${this.maxPages} still links to a next page; stopped after ${this.maxPages} pages: Okta's paging does not seem to end`);
      }
      visited.add(url.href);
      const response = await this.http.request({ method: "GET", url, what: `${what} page ${page}`, ...(goneIsUndefined && page === 1 ? { accept: [404] } : {}) });
      if (response.status === 404) return undefined;
      if (!Array.isArray(response.body)) throw new ExternalError(`Okta ${what} page ${page}: the answer is not a list`);
      let added = 0;
      for (const object of response.body) {
        const id = (object as { id?: unknown } | null)?.id;
        if (typeof id === "string" && ids.has(id)) continue;
        if (typeof id === "string") ids.add(id);
        objects.push(object);
        added++;
      }
      if (response.body.length > 0 && added === 0) {
        throw new ExternalError(`Okta ${what} page ${page}: the page repeats only objects already read; Okta's paging is going round in circles`);
      }
      url = this.nextPage(response.headers.get("link"), `${what} page ${page}`);
      if (url !== undefined && visited.has(url.href)) {
        throw new ExternalError(`Okta ${what} page ${page}: the next link points back to a page already read; Okta's paging is going round in circles`);
      }
    }
    return objects;
  }

  /** The `rel="next"` target of a Link header, checked to stay on the org's origin. */
  private nextPage(link: string | null, where: string): URL | undefined {
    const target = link?.split(/,\s*(?=<)/).find((part) => /;\s*rel="?next"?/i.test(part))?.match(/^\s*<([^>]*)>/)?.[1];
    if (target === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(target, this.base);
    } catch {
      throw new ExternalError(`Okta ${where}: the next link is not a URL`);
    }
    if (url.origin !== this.base.origin) {
      throw new ExternalError(`Okta ${where}: the next link leaves ${this.base.origin}; refusing to send the token there`);
    }
    return url;
  }

  /**
   * The first poll of the user lifecycle events published since `since`:
   * `GET /api/v1/logs` with `since`, `sortOrder=ASCENDING`, Okta's largest
   * page, and a filter on the event types of LIFECYCLE_EVENT_STATUS.
   */
  lifecyclePollStart(since: Date): string {
    const url = new URL("api/v1/logs", this.base);
    url.searchParams.set("since", since.toISOString());
    url.searchParams.set("sortOrder", "ASCENDING");
    url.searchParams.set("limit", String(LOG_PAGE_SIZE));
    url.searchParams.set("filter", Object.keys(LIFECYCLE_EVENT_STATUS).map((type) => `eventType eq ${JSON.stringify(type)}`).join(" or "));
    return url.href;
  }

  /**
   * Polls the System Log from `start` (a first poll, or the `next` link a
   * previous poll returned): follows `rel="next"` while pages come back full,
   * and returns the events with the last next link, where the next poll
   * starts. Okta links on from every page of a poll, an empty one too.
   * `refused` when Okta answers the first page 400 (a cursor it no longer
   * takes), 403 (a token whose admin role may not read the log) or 404: the
   * caller reads every user instead.
   */
  async pollSystemLog(start: string): Promise<LogPoll | { readonly refused: string }> {
    let url = new URL(start);
    if (url.origin !== this.base.origin) throw new ExternalError(`Okta System Log: the poll cursor ${url.origin} is not ${this.base.origin}; refusing to send the token there`);
    const events: LifecycleEvent[] = [];
    for (let page = 1; ; page++) {
      if (page > this.maxPages) throw new ExternalError(`Okta GET /api/v1/logs: ${this.maxPages} full pages in one poll; stopped there`);
      const what = `GET /api/v1/logs page ${page}`;
      const response = await this.http.request({ method: "GET", url, what, ...(page === 1 ? { accept: [400, 403, 404] } : {}) });
      if (response.status >= 400) {
        const summary = (response.body as { errorSummary?: unknown } | null)?.errorSummary;
        return { refused: `HTTP ${response.status}${typeof summary === "string" ? `: ${summary.slice(0, 200)}` : ""}` };
      }
      if (!Array.isArray(response.body)) throw new ExternalError(`Okta ${what}: the answer is not a list of events`);
      events.push(...response.body.map((event, index) => readLifecycleEvent(event, `${what}, event ${index + 1}`)));
      const next = this.nextPage(response.headers.get("link"), what);
      if (next === undefined) throw new ExternalError(`Okta ${what}: a poll of the System Log came back without a rel="next" link to poll from`);
      const limit = Number(url.searchParams.get("limit") ?? 100);
      if (response.body.length < limit) return { events, next: next.href, pages: page };
      if (next.href === url.href) throw new ExternalError(`Okta ${what}: a full page links to itself; the System Log's paging is going round in circles`);
      url = next;
    }
  }

  private async searchByLogin(login: string): Promise<OktaUser | undefined> {
    const url = new URL("api/v1/users", this.base);
    url.searchParams.set("search", `profile.login eq ${JSON.stringify(login)}`);
    const path = `api/v1/users?search=profile.login eq ${JSON.stringify(login)}`;
    const response = await this.http.request({ method: "GET", url, what: `GET /${path}` });
    if (!Array.isArray(response.body)) throw new ExternalError(`Okta GET /${path}: the answer is not a list of users`);
    return response.body.length === 0 ? undefined : this.readUser(response.body[0], path, login);
  }

  private readUser(answer: unknown, path: string, idOrLogin: string): OktaUser {
    const body = answer as { id?: unknown; status?: unknown; profile?: { login?: unknown } } | undefined;
    const status = body?.status;
    if (typeof body?.id !== "string" || typeof status !== "string") {
      throw new ExternalError(`Okta GET /${path}: the answer has no user id or status`);
    }
    if (!(OKTA_STATUSES as readonly string[]).includes(status)) {
      throw new ExternalError(`Okta GET /${path}: unknown user status ${JSON.stringify(status.slice(0, 40))}`);
    }
    const login = typeof body.profile?.login === "string" ? body.profile.login : idOrLogin;
    return { id: body.id, login, status: status as OktaStatus };
  }
}

function readLifecycleEvent(answer: unknown, where: string): LifecycleEvent {
  const event = answer as { uuid?: unknown; published?: unknown; eventType?: unknown; target?: unknown } | null;
  if (typeof event?.uuid !== "string" || typeof event.published !== "string" || typeof event.eventType !== "string" || Number.isNaN(Date.parse(event.published))) {
    throw new ExternalError(`Okta ${where}: the event has no uuid, published time or eventType`);
  }
  const targets = Array.isArray(event.target) ? (event.target as { id?: unknown; type?: unknown; alternateId?: unknown }[]) : [];
  const users = targets.flatMap((target) =>
    target?.type === "User" && typeof target.id === "string" ? [{ id: target.id, login: typeof target.alternateId === "string" ? target.alternateId : "" }] : [],
  );
  return { uuid: event.uuid, published: event.published, eventType: event.eventType, users };
}

/**
 * Time until X-Rate-Limit-Reset. The reset is the server's clock, so it is
 * compared with the server's Date header when there is one (no skew), plus a
 * second because both have a one-second resolution.
 */
export function rateLimitResetDelay(response: Response): number | undefined {
  const reset = Number(response.headers.get("x-rate-limit-reset"));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  const date = Date.parse(response.headers.get("date") ?? "");
  const serverNow = Number.isNaN(date) ? Date.now() : date;
  return Math.max(0, reset * 1000 - serverNow) + 1000;
}

/** `https://<orgName>.<baseUrl>`, the org's API host. */
export function oktaOrgUrl(okta: { orgName: string; baseUrl: string }): string {
  return `https://${okta.orgName}.${okta.baseUrl}/`;
}
