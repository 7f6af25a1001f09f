/**
 * In-memory emulator of the parts of the Okta Management API that cerby-okta
 * (and the stand-in okta/okta provider in ./provider) use. A real HTTP server
 * on 127.0.0.1 with an ephemeral port; every request is logged and counted.
 *
 * Shapes follow Okta's public API JSON closely enough for the provider and for
 * tests; fields that nobody reads are kept minimal.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

export type Bucket = "apps" | "groups" | "users" | "other";

export interface OktaApp {
  id: string;
  name: string;
  label: string;
  status: "ACTIVE" | "INACTIVE";
  signOnMode: string;
  created: string;
  lastUpdated: string;
  url: string;
  requestIntegration: boolean;
  accessibility: { selfService: boolean; errorRedirectUrl: string | null; loginRedirectUrl: string | null };
  visibility: { autoSubmitToolbar: boolean; hide: { iOS: boolean; web: boolean }; appLinks: Record<string, boolean> };
  notes: { admin: string | null; enduser: string | null };
}

export interface OktaGroupAssignment {
  id: string; // group id
  priority: number;
  profile: Record<string, unknown>;
  lastUpdated: string;
}

export interface OktaGroup {
  id: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  type: "OKTA_GROUP" | "APP_GROUP" | "BUILT_IN";
  profile: { name: string; description: string | null; [k: string]: unknown };
}

export type OktaUserStatus =
  | "STAGED"
  | "PROVISIONED"
  | "ACTIVE"
  | "RECOVERY"
  | "PASSWORD_EXPIRED"
  | "LOCKED_OUT"
  | "SUSPENDED"
  | "DEPROVISIONED";

export interface OktaUser {
  id: string;
  status: OktaUserStatus;
  created: string;
  lastUpdated: string;
  statusChanged: string | null;
  profile: { login: string; email: string; firstName: string; lastName: string; [k: string]: unknown };
}

export interface EmulatorState {
  apps: Map<string, OktaApp>;
  groups: Map<string, OktaGroup>;
  users: Map<string, OktaUser>;
  /** appId -> (groupId -> assignment); insertion order is the listing order. */
  appGroups: Map<string, Map<string, OktaGroupAssignment>>;
  /** groupId -> member user ids; insertion order is the listing order. */
  groupMembers: Map<string, Set<string>>;
}

export interface LoggedRequest {
  method: string;
  path: string; // path without query
  query: string; // raw query string, "" when none
  route: string; // route template, e.g. "/api/v1/apps/{id}/groups"
  bucket: Bucket;
  status: number;
}

export interface RequestFilter {
  method?: string;
  route?: string;
  bucket?: Bucket;
  path?: string | RegExp;
  status?: number;
}

export interface RateLimitOptions {
  /** X-Rate-Limit-Limit advertised for the bucket (per minute window). */
  limit?: number;
  /** Answer 429 to the next N requests of the bucket. */
  fail429Next?: number;
  /** Seconds from now put in X-Rate-Limit-Reset on 429 answers (default 1). */
  retryAfterSeconds?: number;
}

export interface SeedUserInput {
  id?: string;
  login: string;
  status?: OktaUserStatus;
  email?: string;
  firstName?: string;
  lastName?: string;
  profile?: Record<string, unknown>;
}

export interface EmulatorOptions {
  /** Token accepted in `Authorization: SSWS <token>` (default "test-token"). */
  token?: string;
  /** Default page size when a list request has no `limit` (default 200, Okta's is 20-200 by endpoint). */
  defaultLimit?: number;
  /** Max `limit` honoured (default 200). */
  maxLimit?: number;
  /** Per-bucket advertised limits (defaults: apps 100, groups 500, users 600, other 1200). */
  rateLimits?: Partial<Record<Bucket, number>>;
  /** Users to seed. */
  users?: SeedUserInput[];
}

export interface OktaEmulator {
  url: string;
  port: number;
  token: string;
  state: EmulatorState;
  requests: LoggedRequest[];
  requestCount(filter?: RequestFilter | ((r: LoggedRequest) => boolean)): number;
  /** Counts by "METHOD route" key. */
  countsByRoute(): Record<string, number>;
  countsByBucket(): Record<Bucket, number>;
  resetRequestLog(): void;
  setRateLimit(bucket: Bucket, options: RateLimitOptions): void;
  // ---- direct state helpers (simulate console edits / other admins) ----
  seedUser(input: SeedUserInput): OktaUser;
  createGroup(name: string, description?: string | null): OktaGroup;
  createBookmarkApp(label: string, url: string, status?: "ACTIVE" | "INACTIVE"): OktaApp;
  renameApp(appId: string, label: string): void;
  setAppUrl(appId: string, url: string): void;
  setAppStatus(appId: string, status: "ACTIVE" | "INACTIVE"): void;
  deleteApp(appId: string): void;
  renameGroup(groupId: string, name: string, description?: string | null): void;
  deleteGroup(groupId: string): void;
  assignGroupToApp(appId: string, groupId: string, priority?: number): void;
  unassignGroupFromApp(appId: string, groupId: string): void;
  addUserToGroup(groupId: string, userId: string): void;
  removeUserFromGroup(groupId: string, userId: string): void;
  setUserStatus(userId: string, status: OktaUserStatus): void;
  findUserByLogin(login: string): OktaUser | undefined;
  findAppsByLabel(label: string): OktaApp[];
  findGroupByName(name: string): OktaGroup | undefined;
  /** Same data as GET /api/v1/users/{id}/appLinks, without counting a request. */
  appLinksFor(userIdOrLogin: string): AppLink[];
  close(): Promise<void>;
}

export interface AppLink {
  id: string;
  label: string;
  linkUrl: string;
  logoUrl: string;
  appName: string;
  appInstanceId: string;
  appAssignmentId: string;
  credentialsSetup: boolean;
  hidden: boolean;
  sortOrder: number;
}

const BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
function oktaId(prefix: string): string {
  const bytes = randomBytes(20);
  let s = prefix;
  for (let i = 0; s.length < 20; i++) s += BASE62[bytes[i]! % 62];
  return s;
}

const now = () => new Date().toISOString();

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly summary: string,
    readonly causes: string[] = [],
  ) {
    super(summary);
  }
}

const notFound = (what: string) =>
  new HttpError(404, "E0000007", `Not found: Resource not found: ${what}`);

function bucketOf(path: string): Bucket {
  if (path.startsWith("/api/v1/apps")) return "apps";
  if (path.startsWith("/api/v1/groups")) return "groups";
  if (path.startsWith("/api/v1/users")) return "users";
  return "other";
}

/** Turns a concrete path into its route template: ids become {id}, {gid}, {uid}. */
function routeOf(path: string): string {
  const parts = path.split("/");
  // /api/v1/<collection>/<id>/<sub>/<id2>/...
  const out = parts.map((p, i) => {
    if (i <= 3) return p;
    const prev = parts[i - 1];
    if (i === 4 && p !== "" && !["lifecycle"].includes(p)) {
      return parts[3] === "apps" ? "{id}" : parts[3] === "groups" ? "{id}" : parts[3] === "users" ? "{id}" : p;
    }
    if (i === 6 && (prev === "groups" || prev === "users")) return prev === "groups" ? "{gid}" : "{uid}";
    return p;
  });
  return out.join("/");
}

function parseSearchExpr(expr: string): ((u: OktaUser) => boolean) | null {
  // Supports: <attr> eq|sw|co "value" [and|or ...]; attr = profile.x | status | id
  const clauses = expr.split(/\s+(and|or)\s+/i);
  const tests: Array<(u: OktaUser) => boolean> = [];
  const ops: string[] = [];
  for (let i = 0; i < clauses.length; i++) {
    const c = clauses[i]!.trim();
    if (i % 2 === 1) {
      ops.push(c.toLowerCase());
      continue;
    }
    const m = /^\(?\s*([\w.]+)\s+(eq|sw|co|ne)\s+"((?:[^"\\]|\\.)*)"\s*\)?$/i.exec(c);
    if (!m) return null;
    const [, attr, op, rawValue] = m;
    const value = rawValue!.replace(/\\(.)/g, "$1");
    const get = (u: OktaUser): unknown => {
      if (attr === "status") return u.status;
      if (attr === "id") return u.id;
      if (attr!.startsWith("profile.")) return u.profile[attr!.slice("profile.".length)];
      return undefined;
    };
    const opl = op!.toLowerCase();
    tests.push((u) => {
      const v = get(u);
      if (typeof v !== "string") return opl === "ne";
      const a = v.toLowerCase();
      const b = value.toLowerCase();
      if (opl === "eq") return a === b;
      if (opl === "ne") return a !== b;
      if (opl === "sw") return a.startsWith(b);
      return a.includes(b);
    });
  }
  return (u) => {
    let result = tests[0]!(u);
    for (let i = 1; i < tests.length; i++) {
      result = ops[i - 1] === "or" ? result || tests[i]!(u) : result && tests[i]!(u);
    }
    return result;
  };
}

export async function startOktaEmulator(options: EmulatorOptions = {}): Promise<OktaEmulator> {
  const token = options.token ?? "test-token";
  const defaultLimit = options.defaultLimit ?? 200;
  const maxLimit = options.maxLimit ?? 200;
  const state: EmulatorState = {
    apps: new Map(),
    groups: new Map(),
    users: new Map(),
    appGroups: new Map(),
    groupMembers: new Map(),
  };
  const requests: LoggedRequest[] = [];
  const limits: Record<Bucket, { limit: number; used: number; windowStart: number; fail429: number; retryAfter: number }> = {
    apps: { limit: options.rateLimits?.apps ?? 100, used: 0, windowStart: Date.now(), fail429: 0, retryAfter: 1 },
    groups: { limit: options.rateLimits?.groups ?? 500, used: 0, windowStart: Date.now(), fail429: 0, retryAfter: 1 },
    users: { limit: options.rateLimits?.users ?? 600, used: 0, windowStart: Date.now(), fail429: 0, retryAfter: 1 },
    other: { limit: options.rateLimits?.other ?? 1200, used: 0, windowStart: Date.now(), fail429: 0, retryAfter: 1 },
  };
  let baseUrl = "";
  const defaultAccessPolicyId = oktaId("rst");

  // ---------------------------------------------------------------- shapes
  const appJson = (a: OktaApp) => ({
    id: a.id,
    name: a.name,
    label: a.label,
    status: a.status,
    lastUpdated: a.lastUpdated,
    created: a.created,
    accessibility: { ...a.accessibility },
    visibility: { autoSubmitToolbar: a.visibility.autoSubmitToolbar, hide: { ...a.visibility.hide }, appLinks: { ...a.visibility.appLinks } },
    features: [],
    signOnMode: a.signOnMode,
    credentials: { userNameTemplate: { template: "${source.login}", type: "BUILT_IN" }, signing: {} },
    settings: {
      app: { requestIntegration: a.requestIntegration, url: a.url },
      notifications: { vpn: { network: { connection: "DISABLED" }, message: null, helpUrl: null } },
      manualProvisioning: false,
      implicitAssignment: false,
      notes: { ...a.notes },
    },
    _links: {
      help: { href: `${baseUrl}/app/bookmark/${a.id}/setup/help/SAML_2_0/external-doc`, type: "text/html" },
      metadata: { href: `${baseUrl}/api/v1/apps/${a.id}/sso/saml/metadata`, type: "application/xml" },
      appLinks: [{ name: "login", href: `${baseUrl}/home/bookmark/${a.id}/2557`, type: "text/html" }],
      groups: { href: `${baseUrl}/api/v1/apps/${a.id}/groups` },
      logo: [{ name: "medium", href: `${baseUrl}/assets/img/logos/default.png`, type: "image/png" }],
      users: { href: `${baseUrl}/api/v1/apps/${a.id}/users` },
      accessPolicy: { href: `${baseUrl}/api/v1/policies/${defaultAccessPolicyId}` },
      ...(a.status === "ACTIVE"
        ? { deactivate: { href: `${baseUrl}/api/v1/apps/${a.id}/lifecycle/deactivate` } }
        : { activate: { href: `${baseUrl}/api/v1/apps/${a.id}/lifecycle/activate` } }),
    },
  });

  const assignmentJson = (appId: string, as: OktaGroupAssignment) => ({
    id: as.id,
    lastUpdated: as.lastUpdated,
    priority: as.priority,
    profile: { ...as.profile },
    _links: {
      app: { href: `${baseUrl}/api/v1/apps/${appId}` },
      self: { href: `${baseUrl}/api/v1/apps/${appId}/groups/${as.id}` },
      group: { href: `${baseUrl}/api/v1/groups/${as.id}` },
    },
  });

  const groupJson = (g: OktaGroup) => ({
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: ["okta:user_group"],
    type: g.type,
    profile: { ...g.profile },
    _links: {
      logo: [{ name: "medium", href: `${baseUrl}/assets/img/logos/groups/okta-medium.png`, type: "image/png" }],
      users: { href: `${baseUrl}/api/v1/groups/${g.id}/users` },
      apps: { href: `${baseUrl}/api/v1/groups/${g.id}/apps` },
    },
  });

  const userJson = (u: OktaUser) => ({
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.status === "ACTIVE" ? u.created : null,
    statusChanged: u.statusChanged,
    lastLogin: null,
    lastUpdated: u.lastUpdated,
    passwordChanged: null,
    type: { id: "oty00000000000000000" },
    profile: { ...u.profile },
    credentials: { provider: { type: "OKTA", name: "OKTA" } },
    _links: { self: { href: `${baseUrl}/api/v1/users/${u.id}` } },
  });

  // ---------------------------------------------------------------- lookups
  const getApp = (id: string) => {
    const a = state.apps.get(id);
    if (!a) throw notFound(`${id} (AppInstance)`);
    return a;
  };
  const getGroup = (id: string) => {
    const g = state.groups.get(id);
    if (!g) throw notFound(`${id} (UserGroup)`);
    return g;
  };
  const findUserByLogin = (login: string) => {
    const l = login.toLowerCase();
    for (const u of state.users.values()) if (u.profile.login.toLowerCase() === l) return u;
    return undefined;
  };
  const getUser = (idOrLogin: string) => {
    const u = state.users.get(idOrLogin) ?? findUserByLogin(idOrLogin);
    if (!u) throw notFound(`${idOrLogin} (User)`);
    return u;
  };

  // ---------------------------------------------------------------- mutations
  const seedUser = (input: SeedUserInput): OktaUser => {
    const id = input.id ?? oktaId("00u");
    const [first, last] = input.login.split("@")[0]!.split(".");
    const user: OktaUser = {
      id,
      status: input.status ?? "ACTIVE",
      created: now(),
      lastUpdated: now(),
      statusChanged: null,
      profile: {
        login: input.login,
        email: input.email ?? input.login,
        firstName: input.firstName ?? first ?? "Test",
        lastName: input.lastName ?? last ?? "User",
        ...(input.profile ?? {}),
      },
    };
    state.users.set(id, user);
    return user;
  };

  const createGroup = (name: string, description: string | null = null): OktaGroup => {
    for (const g of state.groups.values()) {
      if (g.profile.name === name && g.type === "OKTA_GROUP") {
        throw new HttpError(400, "E0000001", "Api validation failed: name", [
          "name: An object with this field already exists in the current organization",
        ]);
      }
    }
    const t = now();
    const g: OktaGroup = {
      id: oktaId("00g"),
      created: t,
      lastUpdated: t,
      lastMembershipUpdated: t,
      type: "OKTA_GROUP",
      profile: { name, description },
    };
    state.groups.set(g.id, g);
    state.groupMembers.set(g.id, new Set());
    return g;
  };

  const createBookmarkApp = (label: string, url: string, status: "ACTIVE" | "INACTIVE" = "ACTIVE"): OktaApp => {
    const t = now();
    const a: OktaApp = {
      id: oktaId("0oa"),
      name: "bookmark",
      label,
      status,
      signOnMode: "BOOKMARK",
      created: t,
      lastUpdated: t,
      url,
      requestIntegration: false,
      accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
      visibility: { autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { login: true } },
      notes: { admin: null, enduser: null },
    };
    state.apps.set(a.id, a);
    state.appGroups.set(a.id, new Map());
    return a;
  };

  const assignGroupToApp = (appId: string, groupId: string, priority?: number, profile?: Record<string, unknown>) => {
    getApp(appId);
    getGroup(groupId);
    const m = state.appGroups.get(appId)!;
    const existing = m.get(groupId);
    const as: OktaGroupAssignment = {
      id: groupId,
      priority: priority ?? existing?.priority ?? m.size,
      profile: profile ?? existing?.profile ?? {},
      lastUpdated: now(),
    };
    m.set(groupId, as);
    return as;
  };

  const deleteGroup = (groupId: string) => {
    getGroup(groupId);
    state.groups.delete(groupId);
    state.groupMembers.delete(groupId);
    for (const m of state.appGroups.values()) m.delete(groupId);
  };

  const appLinksFor = (idOrLogin: string): AppLink[] => {
    const u = getUser(idOrLogin);
    if (u.status === "SUSPENDED" || u.status === "DEPROVISIONED") return [];
    const links: AppLink[] = [];
    const seen = new Set<string>();
    for (const a of state.apps.values()) {
      if (a.status !== "ACTIVE" || seen.has(a.id)) continue;
      const assigned = [...(state.appGroups.get(a.id)?.keys() ?? [])].some((gid) =>
        state.groupMembers.get(gid)?.has(u.id),
      );
      if (!assigned) continue;
      seen.add(a.id);
      links.push({
        id: oktaId("00a"),
        label: a.label,
        linkUrl: `${baseUrl}/home/bookmark/${a.id}/2557`,
        logoUrl: `${baseUrl}/assets/img/logos/default.png`,
        appName: a.name,
        appInstanceId: a.id,
        appAssignmentId: `0ua${a.id.slice(3, 10)}${u.id.slice(3, 13)}`,
        credentialsSetup: false,
        hidden: false,
        sortOrder: links.length,
      });
    }
    return links;
  };

  // ---------------------------------------------------------------- paging
  function page<T extends { id: string }>(
    req: { url: URL },
    res: http.ServerResponse,
    items: T[],
  ): T[] {
    const limitRaw = req.url.searchParams.get("limit");
    let limit = limitRaw ? Number(limitRaw) : defaultLimit;
    if (!Number.isFinite(limit) || limit <= 0) limit = defaultLimit;
    limit = Math.min(limit, maxLimit);
    const after = req.url.searchParams.get("after");
    let start = 0;
    if (after) {
      const idx = items.findIndex((i) => i.id === after);
      start = idx >= 0 ? idx + 1 : items.length;
    }
    const slice = items.slice(start, start + limit);
    const links = [`<${baseUrl}${req.url.pathname}${req.url.search}>; rel="self"`];
    if (start + limit < items.length && slice.length > 0) {
      const next = new URL(req.url.toString());
      next.searchParams.set("limit", String(limit));
      next.searchParams.set("after", slice[slice.length - 1]!.id);
      links.push(`<${baseUrl}${next.pathname}${next.search}>; rel="next"`);
    }
    res.setHeader("Link", links);
    return slice;
  }

  // ---------------------------------------------------------------- router
  type Handler = (ctx: { url: URL; params: string[]; body: any; res: http.ServerResponse }) => unknown;
  const routes: Array<{ method: string; re: RegExp; handler: Handler }> = [];
  const on = (method: string, pattern: string, handler: Handler) => {
    const re = new RegExp("^" + pattern.replace(/\{[a-z]+\}/g, "([^/]+)") + "/?$");
    routes.push({ method, re, handler });
  };
  const status = (res: http.ServerResponse, code: number) => {
    res.statusCode = code;
    return undefined;
  };
  const bodyApp = (body: any) => {
    if (!body || typeof body !== "object") throw new HttpError(400, "E0000003", "The request body was not well-formed.");
    if (typeof body.label !== "string" || body.label === "")
      throw new HttpError(400, "E0000001", "Api validation failed: label", ["label: The field cannot be left blank"]);
    const url = body.settings?.app?.url;
    if (typeof url !== "string" || url === "")
      throw new HttpError(400, "E0000001", "Api validation failed: url", ["url: The field cannot be left blank"]);
    return { label: body.label as string, url };
  };
  const applyAppBody = (a: OktaApp, body: any) => {
    const { label, url } = bodyApp(body);
    a.label = label;
    a.url = url;
    a.requestIntegration = Boolean(body.settings?.app?.requestIntegration ?? false);
    if (body.accessibility) {
      a.accessibility = {
        selfService: Boolean(body.accessibility.selfService ?? false),
        errorRedirectUrl: body.accessibility.errorRedirectUrl ?? null,
        loginRedirectUrl: body.accessibility.loginRedirectUrl ?? null,
      };
    }
    if (body.visibility) {
      a.visibility = {
        autoSubmitToolbar: Boolean(body.visibility.autoSubmitToolbar ?? false),
        hide: { iOS: Boolean(body.visibility.hide?.iOS ?? false), web: Boolean(body.visibility.hide?.web ?? false) },
        appLinks: body.visibility.appLinks ?? { login: true },
      };
    }
    if (body.settings?.notes) {
      a.notes = { admin: body.settings.notes.admin ?? null, enduser: body.settings.notes.enduser ?? null };
    }
    a.lastUpdated = now();
  };

  // apps
  on("GET", "/api/v1/apps", ({ url, res }) => {
    const q = url.searchParams.get("q")?.toLowerCase();
    const filter = url.searchParams.get("filter");
    let apps = [...state.apps.values()];
    if (q) apps = apps.filter((a) => a.label.toLowerCase().startsWith(q) || a.name.toLowerCase().startsWith(q));
    if (filter) {
      const m = /status\s+eq\s+"(\w+)"/i.exec(filter);
      if (m) apps = apps.filter((a) => a.status === m[1]);
      const n = /name\s+eq\s+"([^"]+)"/i.exec(filter);
      if (n) apps = apps.filter((a) => a.name === n[1]);
    }
    return page({ url }, res, apps).map(appJson);
  });
  on("POST", "/api/v1/apps", ({ url, body, res }) => {
    if (body?.name !== "bookmark" && body?.signOnMode !== "BOOKMARK")
      throw new HttpError(400, "E0000001", "Api validation failed: name", ["name: only bookmark apps are emulated"]);
    const { label, url: appUrl } = bodyApp(body);
    const activate = url.searchParams.get("activate") !== "false";
    const a = createBookmarkApp(label, appUrl, activate ? "ACTIVE" : "INACTIVE");
    applyAppBody(a, body);
    status(res, 200);
    return appJson(a);
  });
  on("GET", "/api/v1/apps/{id}", ({ params }) => appJson(getApp(params[0]!)));
  on("PUT", "/api/v1/apps/{id}", ({ params, body }) => {
    const a = getApp(params[0]!);
    applyAppBody(a, body);
    return appJson(a);
  });
  on("DELETE", "/api/v1/apps/{id}", ({ params, res }) => {
    const a = getApp(params[0]!);
    if (a.status === "ACTIVE")
      throw new HttpError(403, "E0000056", "Delete application forbidden.", [
        "The application must be deactivated before it can be deleted.",
      ]);
    state.apps.delete(a.id);
    state.appGroups.delete(a.id);
    return status(res, 204);
  });
  on("POST", "/api/v1/apps/{id}/lifecycle/deactivate", ({ params }) => {
    const a = getApp(params[0]!);
    a.status = "INACTIVE";
    a.lastUpdated = now();
    return {};
  });
  on("POST", "/api/v1/apps/{id}/lifecycle/activate", ({ params }) => {
    const a = getApp(params[0]!);
    a.status = "ACTIVE";
    a.lastUpdated = now();
    return {};
  });
  on("GET", "/api/v1/apps/{id}/groups", ({ params, url, res }) => {
    getApp(params[0]!);
    const items = [...state.appGroups.get(params[0]!)!.values()];
    return page({ url }, res, items).map((as) => assignmentJson(params[0]!, as));
  });
  on("GET", "/api/v1/apps/{id}/groups/{gid}", ({ params }) => {
    getApp(params[0]!);
    const as = state.appGroups.get(params[0]!)!.get(params[1]!);
    if (!as) throw notFound(`${params[1]} (ApplicationGroupAssignment)`);
    return assignmentJson(params[0]!, as);
  });
  on("PUT", "/api/v1/apps/{id}/groups/{gid}", ({ params, body }) => {
    const as = assignGroupToApp(
      params[0]!,
      params[1]!,
      typeof body?.priority === "number" ? body.priority : undefined,
      body?.profile && typeof body.profile === "object" ? body.profile : undefined,
    );
    return assignmentJson(params[0]!, as);
  });
  on("DELETE", "/api/v1/apps/{id}/groups/{gid}", ({ params, res }) => {
    getApp(params[0]!);
    const m = state.appGroups.get(params[0]!)!;
    if (!m.has(params[1]!)) throw notFound(`${params[1]} (ApplicationGroupAssignment)`);
    m.delete(params[1]!);
    return status(res, 204);
  });

  // groups
  on("GET", "/api/v1/groups", ({ url, res }) => {
    const q = url.searchParams.get("q")?.toLowerCase();
    let groups = [...state.groups.values()];
    if (q) groups = groups.filter((g) => g.profile.name.toLowerCase().startsWith(q));
    const search = url.searchParams.get("search") ?? url.searchParams.get("filter");
    if (search) {
      const m = /type\s+eq\s+"(\w+)"/i.exec(search);
      if (m) groups = groups.filter((g) => g.type === m[1]);
      const n = /profile\.name\s+eq\s+"([^"]+)"/i.exec(search);
      if (n) groups = groups.filter((g) => g.profile.name === n[1]);
    }
    return page({ url }, res, groups).map(groupJson);
  });
  on("POST", "/api/v1/groups", ({ body }) => {
    const name = body?.profile?.name;
    if (typeof name !== "string" || name === "")
      throw new HttpError(400, "E0000001", "Api validation failed: name", ["name: The field cannot be left blank"]);
    const g = createGroup(name, body.profile.description ?? null);
    for (const [k, v] of Object.entries(body.profile)) if (k !== "name" && k !== "description") g.profile[k] = v;
    return groupJson(g);
  });
  on("GET", "/api/v1/groups/{id}", ({ params }) => groupJson(getGroup(params[0]!)));
  on("PUT", "/api/v1/groups/{id}", ({ params, body }) => {
    const g = getGroup(params[0]!);
    const name = body?.profile?.name;
    if (typeof name !== "string" || name === "")
      throw new HttpError(400, "E0000001", "Api validation failed: name", ["name: The field cannot be left blank"]);
    g.profile = { ...body.profile, name, description: body.profile.description ?? null };
    g.lastUpdated = now();
    return groupJson(g);
  });
  on("DELETE", "/api/v1/groups/{id}", ({ params, res }) => {
    deleteGroup(params[0]!);
    return status(res, 204);
  });
  on("GET", "/api/v1/groups/{id}/users", ({ params, url, res }) => {
    getGroup(params[0]!);
    const members = [...state.groupMembers.get(params[0]!)!].map((id) => state.users.get(id)!).filter(Boolean);
    return page({ url }, res, members).map(userJson);
  });
  on("PUT", "/api/v1/groups/{gid}/users/{uid}", ({ params, res }) => {
    const g = getGroup(params[0]!);
    const u = getUser(params[1]!);
    state.groupMembers.get(g.id)!.add(u.id);
    g.lastMembershipUpdated = now();
    return status(res, 204);
  });
  on("DELETE", "/api/v1/groups/{gid}/users/{uid}", ({ params, res }) => {
    const g = getGroup(params[0]!);
    const u = getUser(params[1]!);
    state.groupMembers.get(g.id)!.delete(u.id);
    g.lastMembershipUpdated = now();
    return status(res, 204);
  });
  on("GET", "/api/v1/groups/{id}/apps", ({ params, url, res }) => {
    getGroup(params[0]!);
    const apps = [...state.apps.values()].filter((a) => state.appGroups.get(a.id)?.has(params[0]!));
    return page({ url }, res, apps).map(appJson);
  });

  // users
  on("GET", "/api/v1/users", ({ url, res }) => {
    let users = [...state.users.values()];
    const expr = url.searchParams.get("search") ?? url.searchParams.get("filter");
    if (expr) {
      const test = parseSearchExpr(expr);
      if (!test) throw new HttpError(400, "E0000031", "Invalid search criteria.");
      users = users.filter(test);
    } else {
      // Okta's list without search omits DEPROVISIONED users.
      users = users.filter((u) => u.status !== "DEPROVISIONED");
    }
    const q = url.searchParams.get("q")?.toLowerCase();
    if (q)
      users = users.filter((u) =>
        [u.profile.login, u.profile.email, u.profile.firstName, u.profile.lastName].some((v) =>
          String(v).toLowerCase().startsWith(q),
        ),
      );
    return page({ url }, res, users).map(userJson);
  });
  on("GET", "/api/v1/users/{id}", ({ params }) => userJson(getUser(decodeURIComponent(params[0]!))));
  on("GET", "/api/v1/users/{id}/appLinks", ({ params }) => appLinksFor(decodeURIComponent(params[0]!)));
  on("GET", "/api/v1/users/{id}/groups", ({ params }) => {
    const u = getUser(decodeURIComponent(params[0]!));
    return [...state.groups.values()].filter((g) => state.groupMembers.get(g.id)?.has(u.id)).map(groupJson);
  });
  on("GET", "/api/v1/users/{id}/roles", ({ params }) => {
    getUser(decodeURIComponent(params[0]!));
    return [];
  });
  on("POST", "/api/v1/users/{id}/lifecycle/suspend", ({ params }) => {
    const u = getUser(params[0]!);
    if (u.status !== "ACTIVE") throw new HttpError(400, "E0000001", "Api validation failed: Cannot suspend a user that is not active");
    setUserStatus(u.id, "SUSPENDED");
    return {};
  });
  on("POST", "/api/v1/users/{id}/lifecycle/unsuspend", ({ params }) => {
    const u = getUser(params[0]!);
    setUserStatus(u.id, "ACTIVE");
    return {};
  });
  on("POST", "/api/v1/users/{id}/lifecycle/deactivate", ({ params }) => {
    const u = getUser(params[0]!);
    setUserStatus(u.id, "DEPROVISIONED");
    return {};
  });
  on("POST", "/api/v1/users/{id}/lifecycle/activate", ({ params }) => {
    const u = getUser(params[0]!);
    setUserStatus(u.id, "ACTIVE");
    return {};
  });

  function setUserStatus(userId: string, s: OktaUserStatus) {
    const u = getUser(userId);
    u.status = s;
    u.statusChanged = now();
    u.lastUpdated = now();
  }

  // ---------------------------------------------------------------- server
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", baseUrl);
      const method = (req.method ?? "GET").toUpperCase();
      const bucket = bucketOf(url.pathname);
      const entry: LoggedRequest = {
        method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ""),
        route: routeOf(url.pathname),
        bucket,
        status: 0,
      };
      requests.push(entry);
      const send = (code: number, payload: unknown) => {
        entry.status = code;
        res.statusCode = code;
        if (payload === undefined || code === 204) {
          res.end();
          return;
        }
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify(payload));
      };
      const sendError = (e: HttpError) =>
        send(e.status, {
          errorCode: e.errorCode,
          errorSummary: e.summary,
          errorLink: e.errorCode,
          errorId: oktaId("oae"),
          errorCauses: e.causes.map((c) => ({ errorSummary: c })),
        });

      // rate limit bookkeeping
      const rl = limits[bucket];
      const t = Date.now();
      if (t - rl.windowStart >= 60_000) {
        rl.windowStart = t;
        rl.used = 0;
      }
      rl.used++;
      res.setHeader("X-Rate-Limit-Limit", String(rl.limit));
      if (rl.fail429 > 0) {
        rl.fail429--;
        res.setHeader("X-Rate-Limit-Remaining", "0");
        res.setHeader("X-Rate-Limit-Reset", String(Math.ceil(t / 1000) + rl.retryAfter));
        sendError(new HttpError(429, "E0000047", "API call exceeded rate limit due to too many requests."));
        return;
      }
      res.setHeader("X-Rate-Limit-Remaining", String(Math.max(0, rl.limit - rl.used)));
      res.setHeader("X-Rate-Limit-Reset", String(Math.ceil((rl.windowStart + 60_000) / 1000)));

      const auth = req.headers.authorization;
      if (auth !== `SSWS ${token}`) {
        sendError(new HttpError(401, "E0000011", "Invalid token provided"));
        return;
      }
      let body: unknown = undefined;
      if (chunks.length) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          sendError(new HttpError(400, "E0000003", "The request body was not well-formed."));
          return;
        }
      }
      const candidates = routes.filter((r) => r.re.test(url.pathname));
      if (candidates.length === 0) {
        sendError(new HttpError(404, "E0000022", `The endpoint does not support the provided HTTP method`));
        return;
      }
      const route = candidates.find((r) => r.method === method);
      if (!route) {
        sendError(new HttpError(405, "E0000022", "The endpoint does not support the provided HTTP method"));
        return;
      }
      try {
        res.statusCode = 200;
        const params = route.re.exec(url.pathname)!.slice(1);
        const result = route.handler({ url, params, body, res });
        send(res.statusCode, result);
      } catch (e) {
        if (e instanceof HttpError) sendError(e);
        else {
          entry.status = 500;
          res.statusCode = 500;
          res.end(JSON.stringify({ errorCode: "E0000009", errorSummary: String(e) }));
        }
      }
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  for (const u of options.users ?? []) seedUser(u);

  const matches = (r: LoggedRequest, f: RequestFilter) =>
    (f.method === undefined || f.method.toUpperCase() === r.method) &&
    (f.route === undefined || f.route === r.route) &&
    (f.bucket === undefined || f.bucket === r.bucket) &&
    (f.status === undefined || f.status === r.status) &&
    (f.path === undefined || (typeof f.path === "string" ? f.path === r.path : f.path.test(r.path)));

  const wrap = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof HttpError) throw new Error(`emulator: ${e.summary}`);
      throw e;
    }
  };

  return {
    url: baseUrl,
    port,
    token,
    state,
    requests,
    requestCount(filter) {
      if (!filter) return requests.length;
      if (typeof filter === "function") return requests.filter(filter).length;
      return requests.filter((r) => matches(r, filter)).length;
    },
    countsByRoute() {
      const out: Record<string, number> = {};
      for (const r of requests) out[`${r.method} ${r.route}`] = (out[`${r.method} ${r.route}`] ?? 0) + 1;
      return out;
    },
    countsByBucket() {
      const out: Record<Bucket, number> = { apps: 0, groups: 0, users: 0, other: 0 };
      for (const r of requests) out[r.bucket]++;
      return out;
    },
    resetRequestLog() {
      requests.length = 0;
    },
    setRateLimit(bucket, o) {
      const rl = limits[bucket];
      if (o.limit !== undefined) rl.limit = o.limit;
      if (o.fail429Next !== undefined) rl.fail429 = o.fail429Next;
      if (o.retryAfterSeconds !== undefined) rl.retryAfter = o.retryAfterSeconds;
    },
    seedUser,
    createGroup: (name, description) => {
      let g!: OktaGroup;
      wrap(() => (g = createGroup(name, description ?? null)));
      return g;
    },
    createBookmarkApp,
    renameApp: (id, label) =>
      wrap(() => {
        const a = getApp(id);
        a.label = label;
        a.lastUpdated = now();
      }),
    setAppUrl: (id, url) =>
      wrap(() => {
        getApp(id).url = url;
      }),
    setAppStatus: (id, s) =>
      wrap(() => {
        getApp(id).status = s;
      }),
    deleteApp: (id) =>
      wrap(() => {
        getApp(id);
        state.apps.delete(id);
        state.appGroups.delete(id);
      }),
    renameGroup: (id, name, description) =>
      wrap(() => {
        const g = getGroup(id);
        g.profile.name = name;
        if (description !== undefined) g.profile.description = description;
      }),
    deleteGroup: (id) => wrap(() => deleteGroup(id)),
    assignGroupToApp: (appId, groupId, priority) => wrap(() => void assignGroupToApp(appId, groupId, priority)),
    unassignGroupFromApp: (appId, groupId) =>
      wrap(() => {
        getApp(appId);
        state.appGroups.get(appId)!.delete(groupId);
      }),
    addUserToGroup: (gid, uid) =>
      wrap(() => {
        getGroup(gid);
        state.groupMembers.get(gid)!.add(getUser(uid).id);
      }),
    removeUserFromGroup: (gid, uid) =>
      wrap(() => {
        getGroup(gid);
        state.groupMembers.get(gid)!.delete(getUser(uid).id);
      }),
    setUserStatus: (uid, s) => wrap(() => setUserStatus(uid, s)),
    findUserByLogin,
    findAppsByLabel: (label) => [...state.apps.values()].filter((a) => a.label === label),
    findGroupByName: (name) => [...state.groups.values()].find((g) => g.profile.name === name),
    appLinksFor: (idOrLogin) => {
      let out: AppLink[] = [];
      wrap(() => (out = appLinksFor(idOrLogin)));
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
