/**
 * The emulated org: its data and every mutation, shared by the HTTP routes and
 * the test helpers. Lookups of missing objects throw Okta's 404.
 */
import { HttpError, notFound } from "./errors.ts";
import { now, oktaId } from "./ids.ts";
import { LaggingReads } from "./lag.ts";
import { SystemLog } from "./system-log.ts";
import type {
  AppLink,
  EmulatorState,
  OktaApp,
  OktaGroup,
  OktaGroupAssignment,
  OktaPolicy,
  OktaUser,
  OktaUserStatus,
  SeedUserInput,
} from "./types.ts";

export class OktaOrg {
  readonly state: EmulatorState = {
    apps: new Map(),
    groups: new Map(),
    users: new Map(),
    appGroups: new Map(),
    groupMembers: new Map(),
    policies: new Map(),
  };
  /** Owner of the API token: what GET /api/v1/users/me answers. Not listed among users. */
  readonly tokenOwner: OktaUser;
  readonly defaultAccessPolicyId: string;
  /** Set once the server listens; used in links. */
  baseUrl = "";
  /** Group member lists and app group assignment lists, behind writes when a test asks (off by default). */
  readonly listLag = new LaggingReads();
  /** The users search index, behind new users and profile changes when a test asks (off by default). */
  readonly searchLag = new LaggingReads();
  /** The System Log: an event for every change of a user's status (`GET /api/v1/logs`). */
  readonly systemLog = new SystemLog(() => this.tokenOwner);

  constructor(readonly pipeline: "idx" | "v1") {
    const t = now();
    this.tokenOwner = {
      id: oktaId("00u"),
      status: "ACTIVE",
      created: t,
      lastUpdated: t,
      statusChanged: null,
      profile: { login: "api-admin@emulator.example", email: "api-admin@emulator.example", firstName: "API", lastName: "Admin" },
    };
    this.defaultAccessPolicyId = oktaId("rst");
    if (this.isIdentityEngine) {
      const policy: OktaPolicy = {
        id: this.defaultAccessPolicyId,
        type: "ACCESS_POLICY",
        name: "Default Policy",
        system: true,
        status: "ACTIVE",
        created: t,
        lastUpdated: t,
      };
      this.state.policies.set(policy.id, policy);
    }
  }

  get isIdentityEngine(): boolean {
    return this.pipeline === "idx";
  }

  // ---------------------------------------------------------------- lookups

  getApp(id: string): OktaApp {
    const a = this.state.apps.get(id);
    if (!a) throw notFound(`${id} (AppInstance)`);
    return a;
  }

  getGroup(id: string): OktaGroup {
    const g = this.state.groups.get(id);
    if (!g) throw notFound(`${id} (UserGroup)`);
    return g;
  }

  /** By id or login, as GET /api/v1/users/{idOrLogin} accepts. */
  getUser(idOrLogin: string): OktaUser {
    if (idOrLogin === this.tokenOwner.id) return this.tokenOwner;
    const u = this.state.users.get(idOrLogin) ?? this.findUserByLogin(idOrLogin);
    if (!u) throw notFound(`${idOrLogin} (User)`);
    return u;
  }

  /** By id only, as membership routes require. */
  getUserById(id: string): OktaUser {
    const u = this.state.users.get(id);
    if (!u) throw notFound(`${id} (User)`);
    return u;
  }

  getPolicy(id: string): OktaPolicy {
    const p = this.state.policies.get(id);
    if (!p) throw notFound(`${id} (Policy)`);
    return p;
  }

  findUserByLogin(login: string): OktaUser | undefined {
    const l = login.toLowerCase();
    for (const u of this.state.users.values()) if (u.profile.login.toLowerCase() === l) return u;
    return undefined;
  }

  // ---------------------------------------------------------------- users

  seedUser(input: SeedUserInput): OktaUser {
    const id = input.id ?? oktaId("00u");
    const [first, last] = input.login.split("@")[0]!.split(".");
    const t = now();
    const user: OktaUser = {
      id,
      status: input.status ?? "ACTIVE",
      created: t,
      lastUpdated: t,
      statusChanged: null,
      profile: {
        login: input.login,
        email: input.email ?? input.login,
        firstName: input.firstName ?? first ?? "Test",
        lastName: input.lastName ?? last ?? "User",
        ...(input.profile ?? {}),
      },
    };
    this.searchLag.written("users", id, { present: false });
    this.state.users.set(id, user);
    return user;
  }

  /** A login changed in Okta (a rename, a domain migration): searches find the new login once the index has it. */
  setUserLogin(idOrLogin: string, login: string): void {
    const u = this.getUser(idOrLogin);
    this.searchLag.written("users", u.id, { present: true, value: { ...u, profile: { ...u.profile } } });
    u.profile.login = login;
    u.lastUpdated = now();
  }

  setUserStatus(idOrLogin: string, status: OktaUserStatus): void {
    const u = this.getUser(idOrLogin);
    const from = u.status;
    u.status = status;
    this.systemLog.statusChanged(u, from);
    u.statusChanged = now();
    u.lastUpdated = now();
  }

  // ---------------------------------------------------------------- groups

  createGroup(name: string, description: string | null = null): OktaGroup {
    for (const g of this.state.groups.values()) {
      if (g.profile.name === name) {
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
    this.state.groups.set(g.id, g);
    this.state.groupMembers.set(g.id, new Set());
    return g;
  }

  /** Deleting a group also drops its memberships and its app assignments, as in Okta. */
  deleteGroup(groupId: string): void {
    this.getGroup(groupId);
    this.state.groups.delete(groupId);
    this.state.groupMembers.delete(groupId);
    for (const m of this.state.appGroups.values()) m.delete(groupId);
  }

  addMember(groupId: string, userId: string): void {
    const g = this.getGroup(groupId);
    const u = this.getUserById(userId);
    const members = this.state.groupMembers.get(g.id)!;
    if (!members.has(u.id)) this.listLag.written(`members:${g.id}`, u.id, { present: false });
    members.add(u.id);
    g.lastMembershipUpdated = now();
  }

  removeMember(groupId: string, userId: string): void {
    const g = this.getGroup(groupId);
    const u = this.getUserById(userId);
    const members = this.state.groupMembers.get(g.id)!;
    if (members.has(u.id)) this.listLag.written(`members:${g.id}`, u.id, { present: true, value: u.id });
    members.delete(u.id);
    g.lastMembershipUpdated = now();
  }

  // ---------------------------------------------------------------- apps

  createBookmarkApp(label: string, url: string, status: "ACTIVE" | "INACTIVE" = "ACTIVE"): OktaApp {
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
      // OIE assigns every new app to the default access policy.
      accessPolicyId: this.isIdentityEngine ? this.defaultAccessPolicyId : null,
    };
    this.state.apps.set(a.id, a);
    this.state.appGroups.set(a.id, new Map());
    return a;
  }

  deleteApp(appId: string): void {
    this.getApp(appId);
    this.state.apps.delete(appId);
    this.state.appGroups.delete(appId);
  }

  /** Okta needs both the app and the group to exist (404 otherwise). */
  assignGroupToApp(appId: string, groupId: string, priority?: number, profile?: Record<string, unknown>): OktaGroupAssignment {
    this.getApp(appId);
    this.getGroup(groupId);
    const m = this.state.appGroups.get(appId)!;
    const existing = m.get(groupId);
    const as: OktaGroupAssignment = {
      id: groupId,
      priority: priority ?? existing?.priority ?? m.size,
      profile: profile ?? existing?.profile ?? {},
      lastUpdated: now(),
    };
    this.listLag.written(`assignments:${appId}`, groupId, existing ? { present: true, value: existing } : { present: false });
    m.set(groupId, as);
    return as;
  }

  /** 404 when the group is not assigned to the app. */
  unassignGroupFromApp(appId: string, groupId: string): void {
    this.getApp(appId);
    const m = this.state.appGroups.get(appId)!;
    if (!m.has(groupId)) throw notFound(`${groupId} (ApplicationGroupAssignment)`);
    this.listLag.written(`assignments:${appId}`, groupId, { present: true, value: m.get(groupId) });
    m.delete(groupId);
  }

  // ---------------------------------------------------------------- dashboard

  appLinksFor(idOrLogin: string): AppLink[] {
    const u = this.getUser(idOrLogin);
    if (u.status === "SUSPENDED" || u.status === "DEPROVISIONED") return [];
    const links: AppLink[] = [];
    for (const a of this.state.apps.values()) {
      if (a.status !== "ACTIVE") continue;
      const assigned = [...(this.state.appGroups.get(a.id)?.keys() ?? [])].some((gid) =>
        this.state.groupMembers.get(gid)?.has(u.id),
      );
      if (!assigned) continue;
      links.push({
        id: oktaId("00a"),
        label: a.label,
        linkUrl: `${this.baseUrl}/home/bookmark/${a.id}/2557`,
        logoUrl: `${this.baseUrl}/assets/img/logos/default.png`,
        appName: a.name,
        appInstanceId: a.id,
        appAssignmentId: `0ua${a.id.slice(3, 10)}${u.id.slice(3, 13)}`,
        credentialsSetup: false,
        hidden: false,
        sortOrder: links.length,
      });
    }
    return links;
  }
}
