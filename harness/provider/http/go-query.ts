/** Query strings as Go's net/url builds them (the okta SDK's `query.Params.String()`). */

/** url.QueryEscape: only A-Z a-z 0-9 - _ . ~ stay; space becomes "+". */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

/** url.Values.Encode: keys sorted, each pair escaped, joined with "&". */
export function encodeGoValues(values: Array<[string, string]>): string {
  return [...values]
    .map((pair, index) => ({ pair, index }))
    .sort((a, b) => (a.pair[0] < b.pair[0] ? -1 : a.pair[0] > b.pair[0] ? 1 : a.index - b.index))
    .map(({ pair: [k, v] }) => `${goQueryEscape(k)}=${goQueryEscape(v)}`)
    .join("&");
}

/** "?" + encoded values, or "" when there are none (query.Params.String()). */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const values = Object.entries(params)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined && entry[1] !== "")
    .map(([k, v]) => [k, String(v)] as [string, string]);
  return values.length ? `?${encodeGoValues(values)}` : "";
}
