/** What every resource and data source implementation shares. */
import type { ProviderContext } from "../config.ts";
import type { ResourceData } from "../sdkv2/resource-data.ts";
import { deepEqual, type Obj, type Value } from "../values.ts";

/**
 * CRUD of one resource type, written like its SDKv2 functions: they work on
 * `d` and throw an Error whose message is the diagnostic the real provider
 * gives. What `d` holds when they return or throw is what Terraform records.
 */
export interface ResourceImpl {
  create(p: ProviderContext, d: ResourceData): Promise<void>;
  /** Leaves d.id empty when the object is gone. */
  read(p: ProviderContext, d: ResourceData): Promise<void>;
  update(p: ProviderContext, d: ResourceData, prior: Obj): Promise<void>;
  delete(p: ProviderContext, d: ResourceData): Promise<void>;
  /** The importer: d starts empty with the import id. */
  importState(p: ProviderContext, d: ResourceData, importId: string): Promise<void>;
}

export interface DataSourceImpl {
  read(p: ProviderContext, d: ResourceData): Promise<void>;
}

/** d.HasChange between the prior state and the plan. */
export const hasChange = (prior: Obj, d: ResourceData, key: string): boolean => !deepEqual(prior[key] ?? null, d.get(key));

/** Go's json.Marshal of decoded JSON: map keys sorted, <, > and & escaped. */
export function goJson(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x && typeof x === "object") return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])]));
    return x;
  };
  return JSON.stringify(sort(v) ?? null).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** The last path element of an href (path.Base). */
export const baseName = (href: string): string => href.replace(/\/+$/, "").split("/").pop() ?? "";

/** `%v` of a Go string value. */
export const str = (v: Value): string => (typeof v === "string" ? v : "");

/** Go map iteration: no order to rely on. */
export function goMapOrder<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
