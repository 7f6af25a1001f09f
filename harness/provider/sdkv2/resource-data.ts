/**
 * A small `schema.ResourceData`: the values an operation works on (the plan
 * for create/update, the state for read/delete), what it sets, and its id.
 * What the SDK records afterwards, on success or error, is `state()`: an
 * empty id means no object (not created, or gone).
 */
import { isObj, UNKNOWN, type Obj, type Value } from "../values.ts";
import { setOrder } from "./hashing.ts";

export class ResourceData {
  private readonly values: Obj;
  id: string;

  constructor(values: Obj, id?: string) {
    this.values = { ...values };
    this.id = id ?? (typeof values.id === "string" ? values.id : "");
  }

  /** The value, with unknown (not yet computed) read as null. */
  get(key: string): Value {
    const v = this.values[key];
    return v === undefined || v === UNKNOWN ? null : v;
  }

  /** d.Get(key).(string): "" when unset. */
  getString(key: string): string {
    const v = this.get(key);
    return typeof v === "string" ? v : "";
  }

  /** d.Get(key).(bool): false when unset. */
  getBool(key: string): boolean {
    return this.get(key) === true;
  }

  /** d.Get(key).(int): 0 when unset. */
  getInt(key: string): number {
    const v = this.get(key);
    return typeof v === "number" ? v : 0;
  }

  /** A set of strings, in the SDK's iteration order. */
  getStringSet(key: string): string[] {
    const v = this.get(key);
    return Array.isArray(v) ? setOrder(v.filter((x): x is string => typeof x === "string")) : [];
  }

  /** A list of nested objects. */
  getList(key: string): Obj[] {
    const v = this.get(key);
    return Array.isArray(v) ? v.filter(isObj) : [];
  }

  /** d.GetOk: the value unless it is unset or the zero value of its type. */
  getOk(key: string): Value {
    const v = this.get(key);
    if (v === null || v === "" || v === false || v === 0 || (Array.isArray(v) && v.length === 0)) return null;
    return v;
  }

  set(key: string, value: Value): void {
    this.values[key] = value;
  }

  setId(id: string): void {
    this.id = id;
  }

  /** What Terraform records: null without an id; unknowns left become null. */
  state(): Obj | null {
    if (this.id === "") return null;
    return withoutUnknowns({ ...this.values, id: this.id }) as Obj;
  }
}

export function withoutUnknowns(v: Value): Value {
  if (v === UNKNOWN) return null;
  if (Array.isArray(v)) return v.map(withoutUnknowns);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutUnknowns(x)]));
  return v;
}
