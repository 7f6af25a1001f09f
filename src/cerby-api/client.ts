// Reads and writes the Cerby API through HttpClient. Knows paging; what the
// routes and fields are called is in ./mapping.ts.
import { ExternalError } from "../errors.ts";
import { AbortedError, HttpClient, parseRetryAfter, type Clock, type RetryPolicy, type WaitEvent } from "../http/http-client.ts";
import {
  API_KEY_HEADER,
  FIRST_PAGE,
  PAGE_NUMBER_PARAM,
  PAGE_SIZE_PARAM,
  describeWhere,
  readPage,
  routes,
  type Page,
  type Where,
} from "./mapping.ts";

export interface CerbyClientOptions {
  /** e.g. `https://acme.cerby.com/api/v1/` */
  readonly baseUrl: string;
  /** Sent as X-API-Key; never logged. */
  readonly apiKey: string;
  /** @default 100 */
  readonly pageSize?: number;
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly policy?: Partial<RetryPolicy>;
  readonly onWait?: (event: WaitEvent) => void;
  /** Called after each page arrives. */
  readonly onPage?: (route: string, page: number, items: number) => void;
  readonly fetch?: typeof fetch;
}

/** Guards against an API whose `links.next` never ends. */
const MAX_PAGES = 100_000;

export class CerbyClient {
  readonly http: HttpClient;
  private readonly base: URL;
  private readonly pageSize: number;

  constructor(private readonly options: CerbyClientOptions) {
    this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.pageSize = options.pageSize ?? 100;
    this.http = new HttpClient({
      system: "Cerby API",
      headers: { [API_KEY_HEADER]: options.apiKey },
      clock: options.clock,
      policy: options.policy,
      concurrency: options.concurrency,
      // Cerby asks rate-limited clients to come back after about five minutes.
      // Retry-After is seconds or an HTTP date; a date is read against the server's own Date header.
      rateLimitDelay: (response) => {
        const serverNow = Date.parse(response.headers.get("date") ?? "");
        return parseRetryAfter(response.headers.get("retry-after"), Number.isNaN(serverNow) ? Date.now() : serverNow);
      },
      defaultRateLimitDelayMs: 5 * 60_000,
      onWait: options.onWait,
      secrets: [options.apiKey],
      fetch: options.fetch,
    });
  }

  /**
   * Every item of a paged route, mapped. Page 1 says how many pages there are
   * (meta or links.last); the rest are then fetched concurrently. Without
   * such a hint, pages are followed one by one (links.next, or full pages).
   * Items repeated across pages (data shifting while we read) count once; if
   * the API announced a total and we did not get exactly that many, it fails.
   */
  async listAll<T>(route: string, map: (resource: unknown, where: Where) => T): Promise<T[]> {
    const byId = new Map<string, T>();
    const ids: string[] = [];
    const collect = (page: Page, number: number) => {
      page.data.forEach((resource, index) => {
        const value = map(resource, { route, page: number, index });
        const id = idOf(resource);
        if (byId.has(id)) return;
        byId.set(id, value);
        ids.push(id);
      });
      this.options.onPage?.(route, number, page.data.length);
    };

    const first = await this.getPage(route, this.pageUrl(route, FIRST_PAGE), FIRST_PAGE);
    collect(first, FIRST_PAGE);
    // A server may cap the page size below what we asked for: trust page 1's length then.
    const capped =
      first.data.length > 0 && first.totalItems !== undefined && first.data.length < Math.min(this.pageSize, first.totalItems);
    const effectiveSize = capped ? first.data.length : this.pageSize;
    const totalPages =
      first.totalPages ??
      (first.totalItems !== undefined ? Math.max(1, Math.ceil(first.totalItems / effectiveSize)) : undefined);

    if (totalPages !== undefined) {
      const numbers = Array.from({ length: Math.max(0, totalPages - FIRST_PAGE) }, (_, i) => FIRST_PAGE + 1 + i);
      const pages = await settleAll(
        this.http,
        numbers.map(async (number) => {
          const page = await this.getPage(route, this.pageUrl(route, number), number);
          if (page.data.length === 0) {
            throw new ExternalError(
              `Cerby API ${describeWhere({ route, page: number })}: the page is empty although the API announced ${totalPages} pages`,
            );
          }
          return page;
        }),
      );
      pages.forEach((page, i) => collect(page, numbers[i]!));
    } else {
      let previous = first;
      const seen = new Set<string>();
      for (let number = FIRST_PAGE + 1; ; number++) {
        let url: URL;
        if (previous.next !== undefined) {
          url = this.followLink(route, number - 1, previous.next);
          if (seen.has(url.href)) throw new ExternalError(`Cerby API ${describeWhere({ route, page: number - 1 })}: links.next points back to a page already read`);
          seen.add(url.href);
        } else if (previous.data.length >= this.pageSize) {
          url = this.pageUrl(route, number);
        } else break;
        if (number > MAX_PAGES) throw new ExternalError(`Cerby API GET ${route}: more than ${MAX_PAGES} pages; giving up`);
        const page = await this.getPage(route, url, number);
        collect(page, number);
        if (page.data.length === 0) break;
        previous = page;
      }
    }

    if (first.totalItems !== undefined && ids.length !== first.totalItems) {
      throw new ExternalError(
        `Cerby API GET ${route}: got ${ids.length} items over all pages but page 1 announced ${first.totalItems}; ` +
          `the data changed while paging or paging is broken, try again`,
      );
    }
    return ids.map((id) => byId.get(id)!);
  }

  /** Removes a user from the workspace. A user already gone is not an error. */
  async deleteWorkspaceUser(userId: string): Promise<"deleted" | "already-gone"> {
    const route = routes.workspaceUser(userId);
    const response = await this.http.request({
      method: "DELETE",
      url: this.url(route),
      what: `DELETE ${route}`,
      accept: [404],
    });
    return response.status === 404 ? "already-gone" : "deleted";
  }

  private async getPage(route: string, url: URL, number: number): Promise<Page> {
    const where = { route, page: number };
    const response = await this.http.request({ method: "GET", url, what: describeWhere(where) });
    return readPage(response.body, where);
  }

  private url(route: string): URL {
    return new URL(route.replace(/^\/+/, ""), this.base);
  }

  private pageUrl(route: string, number: number): URL {
    const url = this.url(route);
    url.searchParams.set(PAGE_NUMBER_PARAM, String(number));
    url.searchParams.set(PAGE_SIZE_PARAM, String(this.pageSize));
    return url;
  }

  /** links.next may be relative; it must stay on the API's origin (the key goes with it). */
  private followLink(route: string, page: number, link: string): URL {
    const url = new URL(link, this.url(route));
    if (url.origin !== this.base.origin) {
      throw new ExternalError(
        `Cerby API ${describeWhere({ route, page })}: links.next leaves ${this.base.origin}; refusing to send the API key there`,
      );
    }
    return url;
  }
}

function idOf(resource: unknown): string {
  return String((resource as { id: unknown }).id);
}

/**
 * Like Promise.all, but on the first failure stops every other request of the
 * client and waits for them to settle, so that nothing is left running and
 * the error reported is the first real one.
 */
export async function settleAll<T>(http: HttpClient, promises: Promise<T>[]): Promise<T[]> {
  try {
    return await Promise.all(promises);
  } catch (error) {
    http.abort();
    await Promise.allSettled(promises);
    throw error instanceof AbortedError ? (await firstRealError(promises)) ?? error : error;
  }
}

async function firstRealError(promises: Promise<unknown>[]): Promise<unknown> {
  for (const result of await Promise.allSettled(promises)) {
    if (result.status === "rejected" && !(result.reason instanceof AbortedError)) return result.reason;
  }
  return undefined;
}
