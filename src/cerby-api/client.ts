// Reads and writes the Cerby API through HttpClient. Knows paging; what the
// routes and fields are called is in ./mapping.ts.
import { ExternalError } from "../errors.ts";
import { AbortedError, HttpClient, parseRetryAfter, type ApiClientOptions } from "../http/http-client.ts";
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

/** `maxPages`: pages read per route at most (announced or followed), default DEFAULT_MAX_PAGES. */
export interface CerbyClientOptions extends ApiClientOptions {
  /** e.g. `https://acme.cerby.com/api/v1/` */
  readonly baseUrl: string;
  /** Sent as X-API-Key; never logged. */
  readonly apiKey: string;
  /** @default 100 */
  readonly pageSize?: number;
  /** Called after each page arrives. */
  readonly onPage?: (route: string, page: number, items: number) => void;
}

/** Pages read per route at most, unless --max-pages says otherwise: 1,000,000 items at the default page size. */
export const DEFAULT_MAX_PAGES = 10_000;

export class CerbyClient {
  readonly http: HttpClient;
  private readonly base: URL;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(private readonly options: CerbyClientOptions) {
    this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.pageSize = options.pageSize ?? 100;
    this.maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
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
      unknownHostHint: options.unknownHostHint,
      fetch: options.fetch,
    });
  }

  /**
   * Every item of a paged route, mapped. Page 1 says how many pages there are
   * (meta or links.last); the rest are then fetched concurrently. Without
   * such a hint, pages are followed one by one (links.next, or full pages).
   * Items repeated across pages with the same content (data shifting while we
   * read) count once; the same ID with different content fails, and so does
   * a total announced on page 1 that did not arrive. At most `maxPages` pages
   * are read, and sequential paging that stops bringing new items is a loop.
   */
  async listAll<T>(route: string, map: (resource: unknown, where: Where) => T): Promise<T[]> {
    const items = new ItemCollector(route, map);
    const collect = (page: Page, number: number) => {
      items.add(page, number);
      this.options.onPage?.(route, number, page.data.length);
    };

    const first = await this.getPage(route, this.pageUrl(route, FIRST_PAGE), FIRST_PAGE);
    collect(first, FIRST_PAGE);
    const totalPages = this.announcedPages(route, first);

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
      await this.followPages(route, first, collect, items);
    }

    if (first.totalItems !== undefined && items.size !== first.totalItems) {
      throw new ExternalError(
        `Cerby API GET ${route}: got ${items.size} items over all pages but page 1 announced ${first.totalItems}; ` +
          `the data changed while paging or paging is broken, try again`,
      );
    }
    return items.values();
  }

  /**
   * How many pages page 1 announces, checked: a count the API cannot mean
   * (more pages than items, more than --max-pages) fails here rather than
   * making us queue a billion requests.
   */
  private announcedPages(route: string, first: Page): number | undefined {
    const where = `Cerby API ${describeWhere({ route, page: FIRST_PAGE })}`;
    if (first.totalPages !== undefined && first.totalItems !== undefined && first.totalPages > Math.max(1, first.totalItems)) {
      throw new ExternalError(
        `${where}: the paging metadata contradicts itself: ${first.totalPages} pages for ${first.totalItems} items; paging is broken, try again`,
      );
    }
    // A server may cap the page size below what we asked for: trust page 1's length then.
    const capped =
      first.data.length > 0 && first.totalItems !== undefined && first.data.length < Math.min(this.pageSize, first.totalItems);
    const effectiveSize = capped ? first.data.length : this.pageSize;
    const totalPages =
      first.totalPages ??
      (first.totalItems !== undefined ? Math.max(1, Math.ceil(first.totalItems / effectiveSize)) : undefined);
    if (totalPages !== undefined && totalPages > this.maxPages) {
      const said = first.totalPages !== undefined ? `${first.totalPages} pages` : `${first.totalItems} items (${totalPages} pages of ${effectiveSize})`;
      throw new ExternalError(
        `${where}: the API announces ${said}, more than --max-pages ${this.maxPages}; nothing more was read. ` +
          `If the workspace really is that large, raise --max-pages`,
      );
    }
    return totalPages;
  }

  /** Sequential paging, bounded: at most `maxPages` pages, and every page must bring something new. */
  private async followPages(route: string, first: Page, collect: (page: Page, number: number) => void, items: ItemCollector<unknown>): Promise<void> {
    let previous = first;
    const seen = new Set<string>();
    for (let number = FIRST_PAGE + 1; ; number++) {
      let url: URL;
      if (previous.next !== undefined) {
        url = this.followLink(route, number - 1, previous.next);
        if (seen.has(url.href)) throw new ExternalError(`Cerby API ${describeWhere({ route, page: number - 1 })}: links.next points back to a page already read; paging is going round in circles`);
        seen.add(url.href);
      } else if (previous.data.length >= this.pageSize) {
        url = this.pageUrl(route, number);
      } else return;
      if (number > this.maxPages) {
        throw new ExternalError(
          `Cerby API GET ${route}: page ${this.maxPages} still points to a next page (${previous.next !== undefined ? "links.next" : "a full page"}); ` +
            `stopped at --max-pages ${this.maxPages}: the API's paging does not seem to end. If the workspace really is that large, raise --max-pages`,
        );
      }
      const page = await this.getPage(route, url, number);
      const before = items.size;
      collect(page, number);
      if (page.data.length === 0) return;
      if (items.size === before) {
        throw new ExternalError(
          `Cerby API ${describeWhere({ route, page: number })}: the page repeats only items already read on earlier pages; ` +
            `paging is going round in circles (or the data shifted while paging), try again`,
        );
      }
      previous = page;
    }
  }

  /**
   * One resource the API may not have: undefined when it answers 404 (no such
   * route), 405 or 403 (not for this key). Other failures fail as any request.
   */
  async getOptional(route: string): Promise<unknown> {
    const absent = [403, 404, 405];
    const response = await this.http.request({ method: "GET", url: this.url(route), what: `GET ${route}`, accept: absent });
    return absent.includes(response.status) ? undefined : response.body;
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

/**
 * A route's items by ID, in the order first seen. The same ID twice is fine
 * when the content is the same (data shifting under the pages), and an error
 * naming both places when it is not.
 */
class ItemCollector<T> {
  private readonly byId = new Map<string, { value: T; content: string; where: Where }>();

  constructor(
    private readonly route: string,
    private readonly map: (resource: unknown, where: Where) => T,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  add(page: Page, number: number): void {
    page.data.forEach((resource, index) => {
      const where: Where = { route: this.route, page: number, index };
      const value = this.map(resource, where);
      // map has checked that the ID is a non-empty string.
      const id = (resource as { id: string }).id;
      const content = JSON.stringify(value);
      const earlier = this.byId.get(id);
      if (earlier === undefined) this.byId.set(id, { value, content, where });
      else if (earlier.content !== content) {
        throw new ExternalError(
          `Cerby API GET ${this.route}: id ${JSON.stringify(id)} is on ${placeOf(earlier.where)} and on ${placeOf(where)} ` +
            `with different content; the data changed while paging, or the API gives two items one ID; try again`,
        );
      }
    });
  }

  values(): T[] {
    return [...this.byId.values()].map((entry) => entry.value);
  }
}

function placeOf(where: Where): string {
  return `page ${where.page} (item ${(where.index ?? 0) + 1})`;
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
