// Everything we assume about the Cerby API lives in this file: routes, paging
// parameters, envelope shape and the names of attributes. Cerby's public docs
// describe JSON:API-style envelopes (`data`, `links`, `meta`), paging with
// `page[number]` and `page[size]`, and the routes below, but not every field;
// where we guessed, the guess is a list of candidate names tried in order.
// When the real API differs, correct it here and in the emulator, harness/cerby-emulator/.
//
// An answer we read looks like (illustrative, shape per JSON:API):
//   {"data":[{"id":"u-1","type":"users","attributes":{"email":"a@x","role":"admin"}}],
//    "links":{"next":"...page[number]=2..."},"meta":{"page":{"total":250,"totalPages":3}}}
import { ExternalError } from "../errors.ts";
import { type User } from "../workspace/schema.ts";
import { ACCOUNT_ROLES, AccountRole, WORKSPACE_ROLES } from "../domain/model.ts";

// ---------------------------------------------------------------- routes

const enc = encodeURIComponent;

/** Paths relative to the API base URL (`https://<workspace>.cerby.com/api/v1/`). */
export const routes = {
  users: () => "/users",
  teams: () => "/teams",
  teamMembers: (teamId: string) => `/teams/${enc(teamId)}/members`,
  accounts: () => "/accounts",
  /** Users holding a role on the account: the account's user grants. */
  accountUsers: (accountId: string) => `/accounts/${enc(accountId)}/users`,
  /** Teams holding a role on the account: the account's team grants. */
  accountTeams: (accountId: string) => `/accounts/${enc(accountId)}/teams`,
  /** The workspace itself, with its own counts of accounts, users and teams. Assumed, not documented: a 404 means the API gives none. */
  workspace: () => "/workspace",
  /** DELETE removes the user from the workspace (deprovisioning, R7). Assumed, not documented. */
  workspaceUser: (userId: string) => `/users/${enc(userId)}`,
} as const;

/** The header carrying the API key. */
export const API_KEY_HEADER = "X-API-Key";

export function defaultBaseUrl(workspace: string): string {
  return `https://${workspace}.cerby.com/api/v1/`;
}

// ---------------------------------------------------------------- paging

export const PAGE_NUMBER_PARAM = "page[number]";
export const PAGE_SIZE_PARAM = "page[size]";
/** Page numbers start at 1. */
export const FIRST_PAGE = 1;

/** Where an item came from, for error messages: `GET /users page 2, item 7 (id u-x)`. */
export interface Where {
  readonly route: string;
  readonly page: number;
  readonly index?: number;
  readonly id?: string;
}

export function describeWhere(where: Where): string {
  let text = `GET ${where.route} page ${where.page}`;
  if (where.index !== undefined) text += `, item ${where.index + 1}`;
  if (where.id !== undefined) text += ` (id ${JSON.stringify(where.id)})`;
  return text;
}

export interface Page {
  readonly data: readonly unknown[];
  /** Number of pages, when the answer says (meta or `links.last`). */
  readonly totalPages?: number;
  /** Number of items over all pages, when the answer says. */
  readonly totalItems?: number;
  /** `links.next`; null or absent on the last page. */
  readonly next?: string;
}

const TOTAL_PAGE_NAMES = ["totalPages", "total_pages", "pageCount", "page_count", "lastPage", "last_page"];
const TOTAL_ITEM_NAMES = ["total", "totalCount", "total_count", "totalItems", "total_items", "recordCount", "record_count", "count"];

/** Reads one page envelope; throws naming the route and page when it is not one. */
export function readPage(body: unknown, where: Where): Page {
  if (!isObject(body)) throw mappingError(where, "the answer is not a JSON object");
  if (!Array.isArray(body.data)) throw mappingError(where, "the answer has no `data` list");
  const meta = isObject(body.meta) ? body.meta : {};
  const metaPage = isObject(meta.page) ? meta.page : {};
  const links = isObject(body.links) ? body.links : {};
  let totalPages = firstCount([metaPage, meta], TOTAL_PAGE_NAMES);
  if (totalPages === undefined && typeof links.last === "string") totalPages = pageNumberOf(links.last);
  const totalItems = firstCount([metaPage, meta], TOTAL_ITEM_NAMES);
  const next = typeof links.next === "string" && links.next !== "" ? links.next : undefined;
  return { data: body.data, totalPages, totalItems, next };
}

function pageNumberOf(link: string): number | undefined {
  try {
    const value = new URL(link, "https://placeholder.invalid/").searchParams.get(PAGE_NUMBER_PARAM);
    const number = Number(value);
    return value !== null && Number.isInteger(number) && number >= 1 ? number : undefined;
  } catch {
    return undefined;
  }
}

function firstCount(objects: Record<string, unknown>[], names: string[]): number | undefined {
  for (const object of objects) {
    for (const name of names) {
      const value = object[name];
      if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- resources

export interface CerbyUser {
  readonly id: string;
  readonly email: string;
  readonly workspaceRole: User["workspaceRole"];
  readonly oktaUserId?: string;
}

export interface CerbyTeam {
  readonly id: string;
  readonly name: string;
  /** Present for IdP-managed teams (pushed from this Okta group). */
  readonly oktaGroupId?: string;
}

export interface CerbyAccount {
  readonly id: string;
  readonly name: string;
  readonly app: string;
  /** Present when the account is extended to Okta. */
  readonly okta?: { readonly extendedBy: string; readonly extendedAt: string };
}

export interface CerbyUserGrant {
  readonly userId: string;
  readonly role: AccountRole;
}

export interface CerbyTeamGrant {
  readonly teamId: string;
  readonly role: AccountRole;
}

/** The workspace's own counts, whatever the key sees; each absent when the API does not give it. */
export interface WorkspaceCounts {
  readonly accounts?: number;
  readonly users?: number;
  readonly teams?: number;
}

const COUNT_NAMES = {
  accounts: ["accountCount", "account_count", "accountsCount", "accounts_count", "totalAccounts", "total_accounts"],
  users: ["userCount", "user_count", "usersCount", "users_count", "memberCount", "member_count", "totalUsers", "total_users"],
  teams: ["teamCount", "team_count", "teamsCount", "teams_count", "totalTeams", "total_teams"],
} as const;

/** `GET /workspace`: `{"data":{"id":..,"attributes":{"accountCount":120,"userCount":40,"teamCount":6}}}`. */
export function readWorkspaceCounts(body: unknown, where: Where): WorkspaceCounts {
  if (!isObject(body) || !isObject(body.data)) throw mappingError(where, "the answer has no `data` object");
  const attributes = isObject(body.data.attributes) ? body.data.attributes : {};
  const count = (names: readonly string[]) => firstCount([attributes], [...names]);
  const counts = { accounts: count(COUNT_NAMES.accounts), users: count(COUNT_NAMES.users), teams: count(COUNT_NAMES.teams) };
  return Object.fromEntries(Object.entries(counts).filter(([, value]) => value !== undefined));
}

/** `/users` item: a workspace member. */
export function mapUser(resource: unknown, where: Where): CerbyUser {
  const r = readResource(resource, where);
  const email = r.string(["email", "login", "username"]);
  const role = r.string(["workspaceRole", "workspace_role", "role"]);
  const workspaceRole = normalizeRole(role);
  if (!(WORKSPACE_ROLES as readonly string[]).includes(workspaceRole)) {
    throw mappingError(r.where, `attributes.role ${JSON.stringify(role)} is not a known workspace role (${WORKSPACE_ROLES.join(", ")})`);
  }
  const oktaUserId = r.optionalString(["oktaUserId", "okta_user_id", "oktaId", "okta_id"]);
  return { id: r.id, email, workspaceRole: workspaceRole as CerbyUser["workspaceRole"], ...(oktaUserId ? { oktaUserId } : {}) };
}

/** `/teams` item. A team pushed from Okta carries the Okta group's ID. */
export function mapTeam(resource: unknown, where: Where): CerbyTeam {
  const r = readResource(resource, where);
  const name = r.string(["name", "displayName", "display_name"]);
  const oktaGroupId = r.optionalString(["oktaGroupId", "okta_group_id", "idpGroupId", "idp_group_id", "externalId", "external_id"]);
  return { id: r.id, name, ...(oktaGroupId ? { oktaGroupId } : {}) };
}

/** `/teams/{id}/members` item: a user resource, or a membership pointing at one. */
export function mapTeamMember(resource: unknown, where: Where): string {
  const r = readResource(resource, where);
  return r.relationshipId("user") ?? r.optionalId(["userId", "user_id"]) ?? r.id;
}

/** `/accounts` item. */
export function mapAccount(resource: unknown, where: Where): CerbyAccount {
  const r = readResource(resource, where);
  const name = r.string(["name", "label"]);
  const app = r.appName();
  const okta = r.object(["okta", "oktaExtension", "okta_extension", "extendedAccountAccess", "extended_account_access"]);
  const extendedBy = okta
    ? pick(okta, ["extendedBy", "extended_by"])
    : r.optionalString(["extendedBy", "extended_by", "oktaExtendedBy", "okta_extended_by"]);
  const extendedAt = okta
    ? pick(okta, ["extendedAt", "extended_at"])
    : r.optionalString(["extendedAt", "extended_at", "oktaExtendedAt", "okta_extended_at"]);
  if ((extendedBy === undefined) !== (extendedAt === undefined) && (okta || extendedBy || extendedAt)) {
    throw mappingError(r.where, "the Okta extension names only one of extendedBy and extendedAt");
  }
  if (typeof extendedBy === "string" && typeof extendedAt === "string") {
    return { id: r.id, name, app, okta: { extendedBy, extendedAt } };
  }
  if (extendedBy !== undefined || extendedAt !== undefined) {
    throw mappingError(r.where, "extendedBy and extendedAt must be strings");
  }
  return { id: r.id, name, app };
}

/** `/accounts/{id}/users` item: a user with their role on the account. */
export function mapAccountUser(resource: unknown, where: Where): CerbyUserGrant {
  const r = readResource(resource, where);
  const userId = r.relationshipId("user") ?? r.optionalId(["userId", "user_id"]) ?? r.id;
  return { userId, role: r.accountRole() };
}

/** `/accounts/{id}/teams` item: a team with its role on the account. */
export function mapAccountTeam(resource: unknown, where: Where): CerbyTeamGrant {
  const r = readResource(resource, where);
  const teamId = r.relationshipId("team") ?? r.optionalId(["teamId", "team_id"]) ?? r.id;
  return { teamId, role: r.accountRole() };
}

/** "Super Admin", "super-admin" and "SUPER_ADMIN" all mean `super_admin`. */
export function normalizeRole(role: string): string {
  return role.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

// ---------------------------------------------------------------- helpers

function readResource(resource: unknown, where: Where) {
  if (!isObject(resource)) throw mappingError(where, "the item is not an object");
  const id = checkedId(resource.id, where, "`id`");
  const located: Where = { ...where, id };
  const attributes = isObject(resource.attributes) ? resource.attributes : {};
  const relationships = isObject(resource.relationships) ? resource.relationships : {};
  const optionalString = (names: string[]): string | undefined => {
    const value = pick(attributes, names);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number") return String(value);
    if (typeof value !== "string") throw mappingError(located, `attributes.${names[0]} must be a string`);
    return value === "" ? undefined : value;
  };
  return {
    id,
    where: located,
    optionalString,
    string(names: string[]): string {
      const value = optionalString(names);
      if (value === undefined) throw mappingError(located, `missing attributes.${names[0]}`);
      return value;
    },
    object(names: string[]): Record<string, unknown> | undefined {
      const value = pick(attributes, names);
      return isObject(value) ? value : undefined;
    },
    appName(): string {
      const app = pick(attributes, ["app", "appName", "app_name", "application"]);
      const name = isObject(app) ? pick(app, ["name", "displayName"]) : app;
      if (typeof name === "string" && name !== "") return name;
      throw mappingError(located, "missing attributes.app (the app name)");
    },
    accountRole(): AccountRole {
      const role = pick(attributes, ["role", "accountRole", "account_role"]);
      if (typeof role !== "string") throw mappingError(located, "missing attributes.role");
      const normalized = normalizeRole(role);
      if (!(ACCOUNT_ROLES as readonly string[]).includes(normalized)) {
        throw mappingError(located, `attributes.role ${JSON.stringify(role)} is not a known account role (${ACCOUNT_ROLES.join(", ")})`);
      }
      return normalized as AccountRole;
    },
    relationshipId(name: string): string | undefined {
      const relationship = relationships[name];
      const data = isObject(relationship) ? relationship.data : undefined;
      const relatedId = isObject(data) ? data.id : undefined;
      return relatedId === undefined || relatedId === null ? undefined : checkedId(relatedId, located, `relationships.${name}.data.id`);
    },
    /** An attribute holding another resource's ID: a string, like every ID. */
    optionalId(names: string[]): string | undefined {
      const value = pick(attributes, names);
      return value === undefined || value === null ? undefined : checkedId(value, located, `attributes.${names[0]}`);
    },
  };
}

/**
 * IDs are non-empty strings, as JSON:API requires. A number is refused rather
 * than turned into a string: 1 and "1" would then be one ID in the workspace
 * although the API calls them two.
 */
const MAX_ID_LENGTH = 200; // as the workspace format allows

function checkedId(value: unknown, where: Where, field: string): string {
  if (typeof value === "string" && value.length > MAX_ID_LENGTH) {
    // Quoting it whole would put a page-sized string in the message.
    throw mappingError(where, `${field} ${JSON.stringify(value.slice(0, 40))}... is ${value.length} characters long, more than ${MAX_ID_LENGTH}`);
  }
  if (typeof value === "string" && value !== "") return value;
  if (value === undefined || value === null || value === "") throw mappingError(where, `the item has no ${field}`);
  if (typeof value === "number") {
    throw mappingError(
      where,
      `${field} is the number ${value}, not a string: IDs must be strings (JSON:API), and the number ${value} ` +
        `would be confused with the ID ${JSON.stringify(String(value))}`,
    );
  }
  throw mappingError(where, `${field} must be a string, not ${Array.isArray(value) ? "a list" : typeof value}`);
}

function pick(object: Record<string, unknown>, names: string[]): unknown {
  for (const name of names) if (object[name] !== undefined) return object[name];
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function mappingError(where: Where, message: string): ExternalError {
  return new ExternalError(`Cerby API ${describeWhere(where)}: ${message}`);
}
