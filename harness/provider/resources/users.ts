/** Users as okta/okta 4.20.0's data sources read them (user.go, data_source_okta_user(s).go). */
import type { ProviderContext } from "../config.ts";
import { errorText, responseErr, SdkApiError } from "../http/sdk-errors.ts";
import type { SdkResponse } from "../okta-client.ts";
import { setOrderOfObjects } from "../sdkv2/hashing.ts";
import type { ResourceData } from "../sdkv2/resource-data.ts";
import type { Obj, Value } from "../values.ts";
import { goJson, str } from "./common.ts";

/** Profile keys with attributes of their own; every other key is a custom attribute. */
const PROFILE_KEYS = new Set([
  "city", "cost_center", "country_code", "custom_profile_attributes", "department", "display_name", "division", "email",
  "employee_number", "first_name", "honorific_prefix", "honorific_suffix", "last_name", "locale", "login", "manager",
  "manager_id", "middle_name", "mobile_phone", "nick_name", "organization", "postal_address", "preferred_language",
  "primary_phone", "profile_url", "second_email", "state", "street_address", "timezone", "title", "user_type", "zip_code",
  "password", "recovery_question", "recovery_answer",
]);

/** camelCaseToUnderscore: every rune that is not a lower-case letter becomes "_" + its lower case. */
export const camelCaseToUnderscore = (s: string): string =>
  [...s].map((r) => (r.toLowerCase() === r && r.toUpperCase() !== r ? r : `_${r.toLowerCase()}`)).join("");

/** PASSWORD_EXPIRED and RECOVERY read as ACTIVE. */
const mapStatus = (status: string) => (status === "PASSWORD_EXPIRED" || status === "RECOVERY" ? "ACTIVE" : status);

/** flattenUser: the attributes a user sets on a data source (more in 6.x). */
export function flattenUser(user: any, isV6: boolean): Obj {
  const attrs: Obj = {};
  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(user.profile ?? {})) {
    if (v === null || v === undefined) continue;
    const key = camelCaseToUnderscore(k);
    if (PROFILE_KEYS.has(key)) attrs[key] = typeof v === "string" ? v : String(v);
    else custom[k] = v;
  }
  attrs.status = mapStatus(String(user.status ?? ""));
  if (isV6) Object.assign(attrs, userFieldsSince5(user));
  attrs.custom_profile_attributes = goJson(custom);
  return attrs;
}

/** Go's time.Format(time.RFC3339): whole seconds, UTC as "Z". */
const rfc3339 = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z");

/** What flattenUser sets in 5.x/6.x besides the profile: the realm, the timestamps it has, and the user type. */
function userFieldsSince5(user: any): Obj {
  const fields: Obj = {};
  if (typeof user.realmId === "string") fields.realm_id = user.realmId;
  const stamps = { created: user.created, activated: user.activated, status_changed: user.statusChanged, last_login: user.lastLogin, last_updated: user.lastUpdated, password_changed: user.passwordChanged };
  for (const [key, value] of Object.entries(stamps)) if (typeof value === "string") fields[key] = rfc3339(value);
  if (user.type && typeof user.type.id === "string") fields.type = [{ id: user.type.id }];
  return fields;
}

/** getSearchCriteria: the search blocks (in the SDK's set order) joined with the compound operator. */
export function searchCriteria(d: ResourceData): string {
  const blocks = setOrderOfObjects(d.getList("search") as Array<Record<string, Value>>, {
    comparison: "string",
    expression: "string",
    name: "string",
    value: "string",
  });
  const clauses = blocks.map((b) => {
    const expression = typeof b.expression === "string" ? b.expression : "";
    if (expression !== "") return expression;
    const clause = `${str(b.name ?? null)} ${str(b.comparison ?? null)}`;
    // the value goes in as it is: a quote inside it is not escaped
    return typeof b.value === "string" && b.value !== "" ? `${clause} "${b.value}"` : clause;
  });
  const operator = d.getString("compound_search_operator");
  return clauses.join(operator !== "" ? ` ${operator} ` : " and ");
}

/** Every page of a list answer. */
export async function allPages(p: ProviderContext, first: SdkResponse): Promise<any[]> {
  const items: any[] = [...(first.body ?? [])];
  let resp = first;
  while (resp.nextPage) {
    resp = await p.client.next(resp);
    items.push(...(resp.body ?? []));
  }
  return items;
}

/** getGroupsForUser: ids of the user's groups, all pages. */
export async function groupsOfUser(p: ProviderContext, userId: string): Promise<string[]> {
  try {
    return (await allPages(p, await p.client.call("GET", `/api/v1/users/${userId}/groups`))).map((g) => g.id);
  } catch (e) {
    throw new Error(`failed to list user groups: ${errorText(e)}`);
  }
}

/** getAdminRoles: the user's own (USER-assigned, non-custom) role types. */
export async function adminRolesOf(p: ProviderContext, userId: string): Promise<string[]> {
  const roles: any[] = (await p.client.call("GET", `/api/v1/users/${userId}/roles`)).body ?? [];
  return roles.filter((r) => r.assignmentType === "USER" && r.type !== "CUSTOM").map((r) => r.type);
}

/** setAdminRoles (data okta_user): a 403 reads as no roles. */
export async function adminRolesSuppressing403(p: ProviderContext, userId: string): Promise<string[]> {
  try {
    return await adminRolesOf(p, userId);
  } catch (e) {
    if (e instanceof SdkApiError && e.status === 403) return [];
    throw new Error(`failed to get admin roles: ${responseErr(e).message}`);
  }
}

/** getRoles: every role type; a 403 still ends in an error (4.20 returns it after its no-op). */
export async function rolesOf(p: ProviderContext, userId: string): Promise<string[]> {
  try {
    const roles: any[] = (await p.client.call("GET", `/api/v1/users/${userId}/roles`)).body ?? [];
    return roles.map((r) => r.type);
  } catch (e) {
    throw new Error(`failed to get roles: ${errorText(e)}`);
  }
}

/** delay_read_seconds, when it is an integer. */
export async function delayRead(d: ResourceData): Promise<void> {
  const n = d.getOk("delay_read_seconds");
  if (typeof n === "string" && /^[+-]?\d+$/.test(n)) await new Promise((r) => setTimeout(r, Number(n) * 1000));
}
