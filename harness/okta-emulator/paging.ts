/** Cursor paging as Okta does it: `limit` and `after=<id of the last item>`, with Link rel="self"/"next". */

export interface PagingDefaults {
  defaultLimit: number;
  maxLimit: number;
}

export interface Page<T> {
  items: T[];
  /** Values for the Link header (one per relation). */
  links: string[];
}

export function page<T extends { id: string }>(baseUrl: string, url: URL, items: T[], defaults: PagingDefaults): Page<T> {
  const limitRaw = url.searchParams.get("limit");
  let limit = limitRaw ? Number(limitRaw) : defaults.defaultLimit;
  if (!Number.isInteger(limit) || limit <= 0) limit = defaults.defaultLimit;
  limit = Math.min(limit, defaults.maxLimit);
  const after = url.searchParams.get("after");
  let start = 0;
  if (after) {
    const idx = items.findIndex((i) => i.id === after);
    start = idx >= 0 ? idx + 1 : items.length;
  }
  const slice = items.slice(start, start + limit);
  const links = [`<${baseUrl}${url.pathname}${url.search}>; rel="self"`];
  if (start + limit < items.length && slice.length > 0) {
    const next = new URL(url.toString());
    next.searchParams.set("limit", String(limit));
    next.searchParams.set("after", slice[slice.length - 1]!.id);
    links.push(`<${baseUrl}${next.pathname}${next.search}>; rel="next"`);
  }
  return { items: slice, links };
}
