/**
 * Resource and data source behaviour of the stand-in okta/okta provider,
 * implemented against the Okta Management API (in tests: the emulator).
 *
 * Conventions:
 * - create/update receive the planned state and return it with unknowns
 *   resolved from the API (known planned values are never changed);
 * - read returns null when the object is gone (404), so Terraform drops it;
 *   otherwise current remote values, so drift shows in the next plan;
 * - optional attributes left null in state stay null while the remote value
 *   is the API's default, so an unconfigured attribute never shows a diff.
 */
import { OktaApiError, type OktaClient } from "./okta-client.ts";
import { resolveUnknowns, type Obj, type Value } from "./values.ts";

export interface ResourceImpl {
  /** Top-level attributes whose change forces replacement. */
  forceNew: string[];
  create(c: OktaClient, planned: Obj): Promise<Obj>;
  read(c: OktaClient, state: Obj): Promise<Obj | null>;
  update(c: OktaClient, prior: Obj, planned: Obj): Promise<Obj>;
  delete(c: OktaClient, prior: Obj): Promise<void>;
}

export interface DataSourceImpl {
  read(c: OktaClient, config: Obj): Promise<Obj>;
}

const str = (v: Value | undefined): string | null => (typeof v === "string" ? v : null);
const bool = (v: Value | undefined): boolean | null => (typeof v === "boolean" ? v : null);
const num = (v: Value | undefined): number | null => (typeof v === "number" ? v : null);

/** Keep null when state had null and the remote holds the default. */
function keepNull<T extends Value>(stateValue: Value | undefined, remote: T, dflt: Value): Value {
  if ((stateValue === null || stateValue === undefined) && (remote === dflt || remote === null || remote === undefined)) return null;
  return remote ?? null;
}

const enc = encodeURIComponent;

// ---------------------------------------------------------------- okta_app_bookmark

function bookmarkBody(p: Obj) {
  return {
    name: "bookmark",
    label: str(p.label),
    signOnMode: "BOOKMARK",
    accessibility: {
      selfService: bool(p.accessibility_self_service) ?? false,
      errorRedirectUrl: str(p.accessibility_error_redirect_url),
      loginRedirectUrl: str(p.accessibility_login_redirect_url),
    },
    visibility: {
      autoSubmitToolbar: bool(p.auto_submit_toolbar) ?? false,
      hide: { iOS: bool(p.hide_ios) ?? false, web: bool(p.hide_web) ?? false },
      appLinks: { login: true },
    },
    settings: {
      app: { url: str(p.url), requestIntegration: bool(p.request_integration) ?? false },
      notes: { admin: str(p.admin_note), enduser: str(p.enduser_note) },
    },
  };
}

function lastSegment(href: unknown): string | null {
  return typeof href === "string" ? (href.split("/").pop() ?? null) : null;
}

function bookmarkFromRemote(state: Obj, app: any): Obj {
  return {
    ...state,
    id: app.id,
    name: app.name,
    label: app.label,
    url: app.settings?.app?.url ?? null,
    status: keepNull(state.status, app.status, "ACTIVE"),
    sign_on_mode: app.signOnMode,
    logo_url: app._links?.logo?.[0]?.href ?? null,
    authentication_policy:
      lastSegment(app._links?.accessPolicy?.href) ?? (typeof state.authentication_policy === "string" ? state.authentication_policy : ""),
    request_integration: keepNull(state.request_integration, app.settings?.app?.requestIntegration ?? false, false),
    accessibility_self_service: keepNull(state.accessibility_self_service, app.accessibility?.selfService ?? false, false),
    accessibility_error_redirect_url: keepNull(state.accessibility_error_redirect_url, app.accessibility?.errorRedirectUrl ?? null, null),
    accessibility_login_redirect_url: keepNull(state.accessibility_login_redirect_url, app.accessibility?.loginRedirectUrl ?? null, null),
    auto_submit_toolbar: keepNull(state.auto_submit_toolbar, app.visibility?.autoSubmitToolbar ?? false, false),
    hide_ios: keepNull(state.hide_ios, app.visibility?.hide?.iOS ?? false, false),
    hide_web: keepNull(state.hide_web, app.visibility?.hide?.web ?? false, false),
    admin_note: keepNull(state.admin_note, app.settings?.notes?.admin ?? null, null),
    enduser_note: keepNull(state.enduser_note, app.settings?.notes?.enduser ?? null, null),
  };
}

const appBookmark: ResourceImpl = {
  forceNew: [],
  async create(c, planned) {
    const activate = str(planned.status) !== "INACTIVE";
    const { json: app } = await c.request("POST", `/api/v1/apps?activate=${activate}`, bookmarkBody(planned));
    return resolveUnknowns(planned, bookmarkFromRemote(planned, app)) as Obj;
  },
  async read(c, state) {
    const app = await c.getOrNull(`/api/v1/apps/${enc(String(state.id))}`);
    if (!app) return null;
    return bookmarkFromRemote(state, app);
  },
  async update(c, prior, planned) {
    const id = enc(String(prior.id));
    const { json: app } = await c.request("PUT", `/api/v1/apps/${id}`, bookmarkBody(planned));
    const wanted = str(planned.status) ?? "ACTIVE";
    if (app.status !== wanted) {
      await c.request("POST", `/api/v1/apps/${id}/lifecycle/${wanted === "ACTIVE" ? "activate" : "deactivate"}`);
      app.status = wanted;
    }
    return resolveUnknowns(planned, bookmarkFromRemote(planned, app)) as Obj;
  },
  async delete(c, prior) {
    const id = enc(String(prior.id));
    const app = await c.getOrNull(`/api/v1/apps/${id}`);
    if (!app) return;
    if (app.status === "ACTIVE") await c.request("POST", `/api/v1/apps/${id}/lifecycle/deactivate`);
    await c.deleteIgnoring404(`/api/v1/apps/${id}`);
  },
};

// ---------------------------------------------------------------- okta_group

const groupResource: ResourceImpl = {
  forceNew: [],
  async create(c, planned) {
    const { json: g } = await c.request("POST", `/api/v1/groups`, {
      profile: { name: str(planned.name), description: str(planned.description) },
    });
    return resolveUnknowns(planned, { ...planned, id: g.id }) as Obj;
  },
  async read(c, state) {
    const g = await c.getOrNull(`/api/v1/groups/${enc(String(state.id))}`);
    if (!g) return null;
    const description = g.profile?.description ?? null;
    return {
      ...state,
      id: g.id,
      name: g.profile?.name ?? null,
      description: state.description === null && (description === null || description === "") ? null : description,
    };
  },
  async update(c, prior, planned) {
    await c.request("PUT", `/api/v1/groups/${enc(String(prior.id))}`, {
      profile: { name: str(planned.name), description: str(planned.description) },
    });
    return resolveUnknowns(planned, { ...planned, id: prior.id ?? null }) as Obj;
  },
  async delete(c, prior) {
    await c.deleteIgnoring404(`/api/v1/groups/${enc(String(prior.id))}`);
  },
};

// ---------------------------------------------------------------- okta_group_memberships

const stringSet = (v: Value | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

const groupMemberships: ResourceImpl = {
  forceNew: ["group_id"],
  async create(c, planned) {
    const gid = enc(String(planned.group_id));
    for (const u of stringSet(planned.users)) await c.request("PUT", `/api/v1/groups/${gid}/users/${enc(u)}`);
    return resolveUnknowns(planned, { ...planned, id: planned.group_id ?? null }) as Obj;
  },
  async read(c, state) {
    const gid = String(state.group_id ?? state.id);
    let members: any[];
    try {
      members = await c.listAll(`/api/v1/groups/${enc(gid)}/users`);
    } catch (e) {
      if (e instanceof OktaApiError && e.status === 404) return null;
      throw e;
    }
    const ids = members.map((u) => u.id as string);
    const tracked = new Set(stringSet(state.users));
    const users = state.track_all_users === true ? ids : ids.filter((id) => tracked.has(id));
    return { ...state, id: state.id ?? gid, group_id: gid, users };
  },
  async update(c, prior, planned) {
    const gid = enc(String(planned.group_id));
    const before = new Set(stringSet(prior.users));
    const after = new Set(stringSet(planned.users));
    for (const u of before) if (!after.has(u)) await c.deleteIgnoring404(`/api/v1/groups/${gid}/users/${enc(u)}`);
    for (const u of after) if (!before.has(u)) await c.request("PUT", `/api/v1/groups/${gid}/users/${enc(u)}`);
    return resolveUnknowns(planned, { ...planned, id: prior.id ?? null }) as Obj;
  },
  async delete(c, prior) {
    const gid = enc(String(prior.group_id));
    for (const u of stringSet(prior.users)) await c.deleteIgnoring404(`/api/v1/groups/${gid}/users/${enc(u)}`);
  },
};

// ---------------------------------------------------------------- okta_app_group_assignments

function assignmentBody(g: Obj): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (typeof g.priority === "number") body.priority = g.priority;
  if (typeof g.profile === "string" && g.profile !== "") body.profile = JSON.parse(g.profile);
  return body;
}

const groupBlocks = (v: Value | undefined): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

const appGroupAssignments: ResourceImpl = {
  forceNew: ["app_id"],
  async create(c, planned) {
    const app = enc(String(planned.app_id));
    for (const g of groupBlocks(planned.group)) {
      await c.request("PUT", `/api/v1/apps/${app}/groups/${enc(String(g.id))}`, assignmentBody(g));
    }
    return resolveUnknowns(planned, { ...planned, id: planned.app_id ?? null }) as Obj;
  },
  async read(c, state) {
    const appId = String(state.app_id ?? state.id);
    // Like okta/okta 4.20: one listing (paged), gone on 404; no separate read of the app.
    let remote: any[];
    try {
      remote = await c.listAll(`/api/v1/apps/${enc(appId)}/groups`);
    } catch (e) {
      if (e instanceof OktaApiError && e.status === 404) return null;
      throw e;
    }
    const byId = new Map(remote.map((a: any) => [a.id as string, a]));
    const groups: Obj[] = [];
    for (const g of groupBlocks(state.group)) {
      const r = byId.get(String(g.id));
      if (!r) continue;
      byId.delete(String(g.id));
      groups.push({
        id: r.id,
        priority: g.priority === null ? null : (num(r.priority) ?? null),
        profile: g.profile === null ? null : JSON.stringify(r.profile ?? {}),
      });
    }
    for (const r of byId.values()) {
      groups.push({ id: r.id, priority: num(r.priority), profile: JSON.stringify(r.profile ?? {}) });
    }
    return { ...state, id: state.id ?? appId, app_id: appId, group: groups };
  },
  async update(c, prior, planned) {
    const app = enc(String(planned.app_id));
    const before = new Map(groupBlocks(prior.group).map((g) => [String(g.id), g]));
    const after = groupBlocks(planned.group);
    const afterIds = new Set(after.map((g) => String(g.id)));
    for (const id of before.keys()) if (!afterIds.has(id)) await c.deleteIgnoring404(`/api/v1/apps/${app}/groups/${enc(id)}`);
    for (const g of after) {
      const old = before.get(String(g.id));
      if (!old || old.priority !== g.priority || old.profile !== g.profile) {
        await c.request("PUT", `/api/v1/apps/${app}/groups/${enc(String(g.id))}`, assignmentBody(g));
      }
    }
    return resolveUnknowns(planned, { ...planned, id: prior.id ?? null }) as Obj;
  },
  async delete(c, prior) {
    const app = enc(String(prior.app_id));
    for (const g of groupBlocks(prior.group)) await c.deleteIgnoring404(`/api/v1/apps/${app}/groups/${enc(String(g.id))}`);
  },
};

// ---------------------------------------------------------------- okta_app_group_assignment

const appGroupAssignment: ResourceImpl = {
  forceNew: ["app_id", "group_id"],
  async create(c, planned) {
    const { json } = await c.request(
      "PUT",
      `/api/v1/apps/${enc(String(planned.app_id))}/groups/${enc(String(planned.group_id))}`,
      assignmentBody(planned),
    );
    return resolveUnknowns(planned, { ...planned, id: json.id }) as Obj;
  },
  async read(c, state) {
    const a = await c.getOrNull(`/api/v1/apps/${enc(String(state.app_id))}/groups/${enc(String(state.group_id))}`);
    if (!a) return null;
    return {
      ...state,
      priority: state.priority === null ? null : num(a.priority),
      profile: state.profile === null ? null : JSON.stringify(a.profile ?? {}),
    };
  },
  async update(c, _prior, planned) {
    return this.create(c, planned);
  },
  async delete(c, prior) {
    if (prior.retain_assignment === true) return;
    await c.deleteIgnoring404(`/api/v1/apps/${enc(String(prior.app_id))}/groups/${enc(String(prior.group_id))}`);
  },
};

export const RESOURCES: Record<string, ResourceImpl | undefined> = {
  okta_app_bookmark: appBookmark,
  okta_group: groupResource,
  okta_group_memberships: groupMemberships,
  okta_app_group_assignments: appGroupAssignments,
  okta_app_group_assignment: appGroupAssignment,
  // okta_app_user: schema only (plans work; apply answers an error diagnostic)
};

// ---------------------------------------------------------------- data okta_user

const PROFILE_ATTRS: Record<string, string> = {
  city: "city",
  cost_center: "costCenter",
  country_code: "countryCode",
  department: "department",
  display_name: "displayName",
  division: "division",
  email: "email",
  employee_number: "employeeNumber",
  first_name: "firstName",
  honorific_prefix: "honorificPrefix",
  honorific_suffix: "honorificSuffix",
  last_name: "lastName",
  locale: "locale",
  login: "login",
  manager: "manager",
  manager_id: "managerId",
  middle_name: "middleName",
  mobile_phone: "mobilePhone",
  nick_name: "nickName",
  organization: "organization",
  postal_address: "postalAddress",
  preferred_language: "preferredLanguage",
  primary_phone: "primaryPhone",
  profile_url: "profileUrl",
  second_email: "secondEmail",
  state: "state",
  street_address: "streetAddress",
  timezone: "timezone",
  title: "title",
  user_type: "userType",
  zip_code: "zipCode",
};

function quote(v: string): string {
  return `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

const dataUser: DataSourceImpl = {
  async read(c, config) {
    let user: any;
    const userId = str(config.user_id);
    if (userId) {
      user = await c.get(`/api/v1/users/${enc(userId)}`);
    } else {
      const searches = Array.isArray(config.search) ? (config.search as Obj[]) : [];
      if (searches.length === 0) throw new Error(`one of "user_id" or "search" must be set`);
      const op = str(config.compound_search_operator) ?? "and";
      const expr = searches
        .map((s) => str(s.expression) ?? `${str(s.name)} ${str(s.comparison) ?? "eq"} ${quote(str(s.value) ?? "")}`)
        .join(` ${op} `);
      const users = await c.get<any[]>(`/api/v1/users?search=${enc(expr)}`);
      if (!users || users.length === 0) throw new Error(`no user found with search criteria: ${expr}`);
      user = users[0];
    }
    const out: Obj = { ...config, id: user.id, status: user.status };
    const known = new Set(Object.values(PROFILE_ATTRS));
    for (const [attr, key] of Object.entries(PROFILE_ATTRS)) {
      const v = user.profile?.[key];
      out[attr] = v === undefined || v === null ? null : String(v);
    }
    const custom = Object.fromEntries(Object.entries(user.profile ?? {}).filter(([k]) => !known.has(k)));
    out.custom_profile_attributes = JSON.stringify(custom);
    out.group_memberships = config.skip_groups === true ? null : (await c.listAll(`/api/v1/users/${user.id}/groups`)).map((g: any) => g.id);
    if (config.skip_roles === true) {
      out.admin_roles = null;
      out.roles = null;
    } else {
      const roles = (await c.get<any[]>(`/api/v1/users/${user.id}/roles`)) ?? [];
      out.admin_roles = roles.map((r: any) => r.type);
      out.roles = roles.map((r: any) => r.type);
    }
    return out;
  },
};

const dataGroup: DataSourceImpl = {
  async read(c, config) {
    let g: any;
    const id = str(config.id);
    if (id) g = await c.get(`/api/v1/groups/${enc(id)}`);
    else {
      const name = str(config.name);
      const groups = await c.get<any[]>(`/api/v1/groups?q=${enc(name ?? "")}`);
      g = groups.find((x) => x.profile?.name === name && (!config.type || x.type === config.type));
      if (!g) throw new Error(`group with name "${name}" does not exist`);
    }
    const users = config.include_users === true ? (await c.listAll(`/api/v1/groups/${g.id}/users`)).map((u: any) => u.id) : null;
    return { ...config, id: g.id, name: g.profile.name, description: g.profile.description ?? "", users };
  },
};

const dataEveryoneGroup: DataSourceImpl = {
  async read(c, config) {
    const groups = await c.get<any[]>(`/api/v1/groups?q=Everyone`);
    const g = groups.find((x) => x.profile?.name === "Everyone");
    if (!g) throw new Error(`group "Everyone" does not exist`);
    return { ...config, id: g.id, description: g.profile.description ?? "" };
  },
};

export const DATA_SOURCES: Record<string, DataSourceImpl | undefined> = {
  okta_user: dataUser,
  okta_group: dataGroup,
  okta_everyone_group: dataEveryoneGroup,
};
