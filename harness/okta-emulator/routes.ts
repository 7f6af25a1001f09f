/**
 * The Okta Management API routes the emulator answers, as Okta answers them:
 * 404 for missing apps, groups, users, policies and assignments; 400 for
 * invalid bodies and search expressions; cursor paging on lists.
 */
import { blankField, HttpError, malformedBody, notFound } from "./errors.ts";
import { now } from "./ids.ts";
import { page, type PagingDefaults } from "./paging.ts";
import type { Router, RouteContext } from "./router.ts";
import { attributeOf, compileExpression } from "./search.ts";
import { appJson, assignmentJson, groupJson, organizationJson, policyJson, userJson } from "./shapes.ts";
import type { OktaOrg } from "./state.ts";
import type { OktaApp, OktaGroup, OktaUser } from "./types.ts";

const POLICY_TYPES = new Set(["OKTA_SIGN_ON", "PASSWORD", "MFA_ENROLL", "IDP_DISCOVERY", "ACCESS_POLICY", "PROFILE_ENROLLMENT", "POST_AUTH_SESSION", "ENTITY_RISK"]);

export function registerRoutes(router: Router, org: OktaOrg, paging: PagingDefaults): void {
  const on = router.on.bind(router);
  const paged = <T extends { id: string }>(ctx: RouteContext, items: T[]): T[] => {
    const p = page(org.baseUrl, ctx.url, items, paging);
    ctx.header("Link", p.links);
    return p.items;
  };
  const filtered = <T>(expr: string | null, items: T[], get: (item: T, attribute: string) => unknown): T[] => {
    if (!expr) return items;
    const test = compileExpression(expr, get);
    if (!test) throw new HttpError(400, "E0000031", "Invalid search criteria.");
    return items.filter(test);
  };

  // ---------------------------------------------------------------- well-known (public)

  on("GET", "/.well-known/okta-organization", () => organizationJson(org), { anonymous: true });

  // ---------------------------------------------------------------- apps

  on("GET", "/api/v1/apps", (ctx) => {
    let apps = [...org.state.apps.values()];
    const q = ctx.url.searchParams.get("q")?.toLowerCase();
    if (q) apps = apps.filter((a) => a.label.toLowerCase().startsWith(q) || a.name.toLowerCase().startsWith(q));
    apps = filtered(ctx.url.searchParams.get("filter"), apps, appAttribute(org));
    return paged(ctx, apps).map((a) => appJson(org, a));
  });
  on("POST", "/api/v1/apps", (ctx) => {
    const body = ctx.body;
    if (body?.name !== "bookmark" || (body.signOnMode !== undefined && body.signOnMode !== "BOOKMARK"))
      throw new HttpError(400, "E0000001", "Api validation failed: name", ["name: only bookmark apps are emulated"]);
    const { label, url } = appEssentials(body);
    const activate = ctx.url.searchParams.get("activate") !== "false";
    const a = org.createBookmarkApp(label, url, activate ? "ACTIVE" : "INACTIVE");
    applyAppBody(a, body);
    return appJson(org, a);
  });
  on("GET", "/api/v1/apps/{id}", (ctx) => appJson(org, org.getApp(ctx.params[0]!)));
  on("PUT", "/api/v1/apps/{id}", (ctx) => {
    const a = org.getApp(ctx.params[0]!);
    applyAppBody(a, ctx.body);
    return appJson(org, a);
  });
  on("DELETE", "/api/v1/apps/{id}", (ctx) => {
    const a = org.getApp(ctx.params[0]!);
    if (a.status === "ACTIVE")
      throw new HttpError(403, "E0000056", "Delete application forbidden.", ["The application must be deactivated before it can be deleted."]);
    org.deleteApp(a.id);
    ctx.status(204);
  });
  on("POST", "/api/v1/apps/{id}/lifecycle/deactivate", (ctx) => {
    setAppStatus(org.getApp(ctx.params[0]!), "INACTIVE");
    return {};
  });
  on("POST", "/api/v1/apps/{id}/lifecycle/activate", (ctx) => {
    setAppStatus(org.getApp(ctx.params[0]!), "ACTIVE");
    return {};
  });
  on("GET", "/api/v1/apps/{id}/groups", (ctx) => {
    const appId = org.getApp(ctx.params[0]!).id;
    const listed = org.listLag.read(`assignments:${appId}`, org.state.appGroups.get(appId)!.entries());
    return paged(ctx, listed).map((as) => assignmentJson(org, appId, as));
  });
  on("GET", "/api/v1/apps/{id}/groups/{gid}", (ctx) => {
    const appId = org.getApp(ctx.params[0]!).id;
    const as = org.state.appGroups.get(appId)!.get(ctx.params[1]!);
    if (!as) throw notFound(`${ctx.params[1]} (ApplicationGroupAssignment)`);
    return assignmentJson(org, appId, as);
  });
  on("PUT", "/api/v1/apps/{id}/groups/{gid}", (ctx) => {
    const body = ctx.body ?? {};
    if (typeof body !== "object" || Array.isArray(body)) throw malformedBody();
    if (body.priority !== undefined && !(Number.isInteger(body.priority) && body.priority >= 0))
      throw new HttpError(400, "E0000001", "Api validation failed: priority", ["priority: must be a non-negative integer"]);
    if (body.profile !== undefined && (typeof body.profile !== "object" || body.profile === null || Array.isArray(body.profile)))
      throw new HttpError(400, "E0000001", "Api validation failed: profile", ["profile: must be an object"]);
    const as = org.assignGroupToApp(ctx.params[0]!, ctx.params[1]!, body.priority, body.profile);
    return assignmentJson(org, ctx.params[0]!, as);
  });
  on("DELETE", "/api/v1/apps/{id}/groups/{gid}", (ctx) => {
    org.unassignGroupFromApp(ctx.params[0]!, ctx.params[1]!);
    ctx.status(204);
  });
  on("PUT", "/api/v1/apps/{id}/policies/{pid}", (ctx) => {
    const a = org.getApp(ctx.params[0]!);
    const policy = org.getPolicy(ctx.params[1]!);
    a.accessPolicyId = policy.id;
    a.lastUpdated = now();
    ctx.status(204);
  });

  // ---------------------------------------------------------------- groups

  on("GET", "/api/v1/groups", (ctx) => {
    let groups = [...org.state.groups.values()];
    const q = ctx.url.searchParams.get("q")?.toLowerCase();
    if (q) groups = groups.filter((g) => g.profile.name.toLowerCase().startsWith(q));
    groups = filtered(ctx.url.searchParams.get("search"), groups, groupAttribute);
    groups = filtered(ctx.url.searchParams.get("filter"), groups, groupAttribute);
    return paged(ctx, groups).map((g) => groupJson(org, g));
  });
  on("POST", "/api/v1/groups", (ctx) => {
    const profile = groupProfile(ctx.body);
    const g = org.createGroup(profile.name, profile.description);
    g.profile = profile;
    return groupJson(org, g);
  });
  on("GET", "/api/v1/groups/{id}", (ctx) => groupJson(org, org.getGroup(ctx.params[0]!)));
  on("PUT", "/api/v1/groups/{id}", (ctx) => {
    const g = org.getGroup(ctx.params[0]!);
    const profile = groupProfile(ctx.body);
    for (const other of org.state.groups.values()) {
      if (other.id !== g.id && other.profile.name === profile.name)
        throw new HttpError(400, "E0000001", "Api validation failed: name", ["name: An object with this field already exists in the current organization"]);
    }
    g.profile = profile;
    g.lastUpdated = now();
    return groupJson(org, g);
  });
  on("DELETE", "/api/v1/groups/{id}", (ctx) => {
    org.deleteGroup(ctx.params[0]!);
    ctx.status(204);
  });
  on("GET", "/api/v1/groups/{id}/users", (ctx) => {
    const g = org.getGroup(ctx.params[0]!);
    const listed = org.listLag.read(`members:${g.id}`, [...org.state.groupMembers.get(g.id)!].map((id) => [id, id] as const));
    const members = listed.map((id) => org.state.users.get(id)).filter((u): u is OktaUser => Boolean(u));
    return paged(ctx, members).map((u) => userJson(org, u));
  });
  on("PUT", "/api/v1/groups/{id}/users/{uid}", (ctx) => {
    org.addMember(ctx.params[0]!, ctx.params[1]!);
    ctx.status(204);
  });
  on("DELETE", "/api/v1/groups/{id}/users/{uid}", (ctx) => {
    org.removeMember(ctx.params[0]!, ctx.params[1]!);
    ctx.status(204);
  });
  on("GET", "/api/v1/groups/{id}/apps", (ctx) => {
    const g = org.getGroup(ctx.params[0]!);
    const apps = [...org.state.apps.values()].filter((a) => org.state.appGroups.get(a.id)?.has(g.id));
    return paged(ctx, apps).map((a) => appJson(org, a));
  });

  // ---------------------------------------------------------------- users

  on("GET", "/api/v1/users", (ctx) => {
    let users = [...org.state.users.values()];
    const search = ctx.url.searchParams.get("search");
    const filter = ctx.url.searchParams.get("filter");
    // Okta's list without a search leaves DEPROVISIONED users out.
    if (!search) users = users.filter((u) => u.status !== "DEPROVISIONED");
    // A search reads Okta's index: while it lags, a new user is missing and a changed login is found by its old value.
    if (search) users = filtered(search, org.searchLag.read("users", users.map((u) => [u.id, u] as const)), userAttribute).map((u) => org.state.users.get(u.id) ?? u);
    users = filtered(filter, users, userAttribute);
    const q = ctx.url.searchParams.get("q")?.toLowerCase();
    if (q)
      users = users.filter((u) =>
        [u.profile.login, u.profile.email, u.profile.firstName, u.profile.lastName].some((v) => String(v).toLowerCase().startsWith(q)),
      );
    return paged(ctx, users).map((u) => userJson(org, u));
  });
  on("GET", "/api/v1/users/me", () => userJson(org, org.tokenOwner));
  on("GET", "/api/v1/users/{id}", (ctx) => userJson(org, org.getUser(ctx.params[0]!)));
  on("GET", "/api/v1/users/{id}/appLinks", (ctx) => org.appLinksFor(ctx.params[0]!));
  on("GET", "/api/v1/users/{id}/groups", (ctx) => {
    const u = org.getUser(ctx.params[0]!);
    const groups = [...org.state.groups.values()].filter((g) => org.state.groupMembers.get(g.id)?.has(u.id));
    return paged(ctx, groups).map((g) => groupJson(org, g));
  });
  on("GET", "/api/v1/users/{id}/roles", (ctx) => {
    org.getUser(ctx.params[0]!);
    return [];
  });
  on("POST", "/api/v1/users/{id}/lifecycle/suspend", (ctx) => {
    const u = org.getUser(ctx.params[0]!);
    if (u.status !== "ACTIVE") throw new HttpError(400, "E0000001", "Api validation failed: Cannot suspend a user that is not active");
    org.setUserStatus(u.id, "SUSPENDED");
    return {};
  });
  on("POST", "/api/v1/users/{id}/lifecycle/unsuspend", (ctx) => {
    const u = org.getUser(ctx.params[0]!);
    if (u.status !== "SUSPENDED") throw new HttpError(400, "E0000001", "Api validation failed: Cannot unsuspend a user that is not suspended");
    org.setUserStatus(u.id, "ACTIVE");
    return {};
  });
  on("POST", "/api/v1/users/{id}/lifecycle/deactivate", (ctx) => {
    org.setUserStatus(org.getUser(ctx.params[0]!).id, "DEPROVISIONED");
    return {};
  });
  on("POST", "/api/v1/users/{id}/lifecycle/activate", (ctx) => {
    org.setUserStatus(org.getUser(ctx.params[0]!).id, "ACTIVE");
    return {};
  });

  // ---------------------------------------------------------------- system log

  on("GET", "/api/v1/logs", (ctx) => {
    const result = org.systemLog.query(org.baseUrl, ctx.url);
    ctx.header("Link", result.links);
    return result.items;
  });

  // ---------------------------------------------------------------- policies

  on("GET", "/api/v1/policies", (ctx) => {
    const type = ctx.url.searchParams.get("type");
    if (!type) throw blankField("type");
    if (!POLICY_TYPES.has(type) || (type === "ACCESS_POLICY" && !org.isIdentityEngine))
      throw new HttpError(400, "E0000001", "Api validation failed: type", [`type: Invalid policy type ${type}`]);
    return [...org.state.policies.values()].filter((p) => p.type === type).map((p) => policyJson(org, p));
  });
  on("GET", "/api/v1/policies/{id}", (ctx) => policyJson(org, org.getPolicy(ctx.params[0]!)));
}

// ---------------------------------------------------------------- bodies

/**
 * Okta refuses app labels over 100 characters (its Apps API reference: label,
 * MaxLength 100). Counted in UTF-16 units, as Java's `String.length()`: the
 * stricter reading when an astral character counts as one. The cause's
 * wording is ours; the code and summary are Okta's validation answer.
 */
export const MAX_APP_LABEL = 100;

function appEssentials(body: any): { label: string; url: string } {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw malformedBody();
  if (typeof body.label !== "string" || body.label === "") throw blankField("label");
  if (body.label.length > MAX_APP_LABEL)
    throw new HttpError(400, "E0000001", "Api validation failed: label", [`label: The field cannot exceed ${MAX_APP_LABEL} characters`]);
  const url = body.settings?.app?.url;
  if (typeof url !== "string" || url === "") throw blankField("url");
  return { label: body.label, url };
}

/** A full-body PUT (or the POST) replaces what the body carries; absent sections take Okta's defaults. */
function applyAppBody(a: OktaApp, body: any): void {
  const { label, url } = appEssentials(body);
  if (body.name !== undefined && body.name !== a.name)
    throw new HttpError(400, "E0000001", "Api validation failed: name", ["name: The application name cannot be changed"]);
  a.label = label;
  a.url = url;
  a.requestIntegration = Boolean(body.settings?.app?.requestIntegration ?? false);
  a.accessibility = {
    selfService: Boolean(body.accessibility?.selfService ?? false),
    errorRedirectUrl: body.accessibility?.errorRedirectUrl || null,
    loginRedirectUrl: body.accessibility?.loginRedirectUrl || null,
  };
  a.visibility = {
    autoSubmitToolbar: Boolean(body.visibility?.autoSubmitToolbar ?? false),
    hide: { iOS: Boolean(body.visibility?.hide?.iOS ?? false), web: Boolean(body.visibility?.hide?.web ?? false) },
    appLinks: body.visibility?.appLinks ?? { login: true },
  };
  a.notes = { admin: body.settings?.notes?.admin ?? null, enduser: body.settings?.notes?.enduser ?? null };
  a.lastUpdated = now();
}

function setAppStatus(a: OktaApp, status: "ACTIVE" | "INACTIVE"): void {
  a.status = status;
  a.lastUpdated = now();
}

function groupProfile(body: any): OktaGroup["profile"] {
  if (!body || typeof body !== "object" || typeof body.profile !== "object" || body.profile === null) throw malformedBody();
  const name = body.profile.name;
  if (typeof name !== "string" || name === "") throw blankField("name");
  const profile: OktaGroup["profile"] = { name, description: body.profile.description ?? null };
  for (const [k, v] of Object.entries(body.profile)) if (k !== "name" && k !== "description" && v !== null) profile[k] = v;
  return profile;
}

// ---------------------------------------------------------------- search attributes

/** Filterable app attributes; `group.id` is every group assigned to the app. */
const appAttribute = (org: OktaOrg) => (a: OktaApp, attribute: string): unknown => {
  if (attribute === "group.id") return [...(org.state.appGroups.get(a.id)?.keys() ?? [])];
  return ({ id: a.id, name: a.name, label: a.label, status: a.status, signOnMode: a.signOnMode } as Record<string, unknown>)[attribute];
};

const groupAttribute = (g: OktaGroup, attribute: string) => attributeOf(g, attribute);

const userAttribute = (u: OktaUser, attribute: string) => attributeOf(u, attribute);
