/** Public types of the Okta emulator. */
import type { ApiFamily } from "../okta-rate-limit-buckets.ts";
import type { Lag } from "./lag.ts";
import type { ServiceAppRegistration } from "./oauth.ts";

export type { ServiceAppRegistration };

export type { Lag };

export type { ApiFamily };

/** An Okta rate-limit bucket name, as Okta and apimutex name them: "/api/v1/apps", "/api/v1/apps/{id}", ... */
export type Bucket = string;

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
  /** The access (authentication) policy of the app; null on Classic orgs. */
  accessPolicyId: string | null;
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

export interface OktaPolicy {
  id: string;
  type: "ACCESS_POLICY";
  name: string;
  system: boolean;
  status: "ACTIVE" | "INACTIVE";
  created: string;
  lastUpdated: string;
}

export interface EmulatorState {
  apps: Map<string, OktaApp>;
  groups: Map<string, OktaGroup>;
  users: Map<string, OktaUser>;
  /** appId -> (groupId -> assignment); insertion order is the listing order. */
  appGroups: Map<string, Map<string, OktaGroupAssignment>>;
  /** groupId -> member user ids; insertion order is the listing order. */
  groupMembers: Map<string, Set<string>>;
  /** Access policies (OIE); one system default. */
  policies: Map<string, OktaPolicy>;
}

export interface LoggedRequest {
  method: string;
  path: string; // path without query
  query: string; // raw query string, "" when none
  route: string; // route template, e.g. "/api/v1/apps/{id}/groups"
  /** Okta rate-limit bucket, e.g. "/api/v1/apps" or "/api/v1/apps/{id}". */
  bucket: Bucket;
  /** Coarse grouping of the bucket. */
  family: ApiFamily;
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
  /** X-Rate-Limit-Limit and -Remaining as answered: `limit - remaining` is the bucket's use in its window so far, this request included. */
  rateLimit?: { limit: number; remaining: number };
}

export interface RequestFilter {
  method?: string;
  route?: string;
  bucket?: Bucket;
  family?: ApiFamily;
  path?: string | RegExp;
  status?: number;
}

export interface RateLimitOptions {
  /** Per-minute limit of the bucket (before the per-token share). */
  limit?: number;
  /** Answer 429 to the next N requests of the bucket (in any mode). */
  fail429Next?: number;
  /** Seconds from now put in X-Rate-Limit-Reset on those 429 answers (default 1). */
  retryAfterSeconds?: number;
}

export interface RateLimitConfig {
  /** Answer 429 once a bucket's share is used up (default false: never, and the headers advertise a huge limit). */
  enforce?: boolean;
  /** Window length in seconds (default 60). */
  windowSeconds?: number;
  /** Per-bucket limit overrides, by bucket name (defaults: Workforce figures). */
  limits?: Partial<Record<Bucket, number>>;
  /** Share of each bucket an API token may use, in percent (default 50, as Okta's default per-token cap). */
  tokenSharePercent?: number;
  /**
   * Requests the org serves at once (default 75: Okta's concurrent limit for API traffic per org). With
   * `enforce`, one more is answered 429 at once. Requests are held open `latencyMs` so that tests can
   * reach it (the handlers themselves answer at once).
   */
  concurrentLimit?: number;
  /** Milliseconds every answer waits before it is sent (default 0), as a real org's answers take time. */
  latencyMs?: number;
}

export interface FaultSpec {
  /** Only requests with this method (default: any). */
  method?: string;
  /** Only requests with this route template, e.g. "/api/v1/groups/{id}/users/{uid}" (default: any). */
  route?: string;
  /** Status to answer (403, 404, 429, 500, 503...). */
  status: number;
  /** How many matching requests to fail (default 1). */
  times?: number;
  errorCode?: string;
  errorSummary?: string;
  errorCauses?: string[];
  /** Adds `Retry-After: <n>` (Okta itself never sends it). */
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
  /** Default page size when a list request has no `limit` (default 200). */
  defaultLimit?: number;
  /** Max `limit` honoured (default 200). */
  maxLimit?: number;
  /** Rate limiting (default: not enforced). */
  rateLimits?: RateLimitConfig;
  /** `idx` answers as an Identity Engine org (default), `v1` as a Classic org (no access policies). */
  pipeline?: "idx" | "v1";
  /** Users to seed. */
  users?: SeedUserInput[];
  /** Reads behind writes, as Okta's eventually consistent lists and search index (default: none). */
  lag?: { lists?: Lag; search?: Lag };
  /** OAuth API service apps: their access tokens are accepted (`Authorization: Bearer`), for the scopes granted. */
  serviceApps?: ServiceAppRegistration[];
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

export interface OktaEmulator {
  url: string;
  port: number;
  token: string;
  state: EmulatorState;
  requests: LoggedRequest[];
  requestCount(filter?: RequestFilter | ((r: LoggedRequest) => boolean)): number;
  /** Counts by "METHOD route" key. */
  countsByRoute(): Record<string, number>;
  /** Counts by Okta rate-limit bucket ("/api/v1/apps", "/api/v1/apps/{id}", ...). */
  countsByBucket(): Record<Bucket, number>;
  /** Counts by coarse family: apps, groups, users, other. */
  countsByFamily(): Record<ApiFamily, number>;
  resetRequestLog(): void;
  /** Registers an OAuth API service app (public key, granted scopes). */
  registerServiceApp(app: ServiceAppRegistration): void;
  /** Every access token issued so far is refused from now on (401), as when they expire. */
  revokeAccessTokens(): void;
  /** The access tokens issued so far: client ID and scopes. */
  issuedAccessTokens(): { clientId: string; scopes: string[] }[];
  /** From now on every answer waits this many milliseconds (as `rateLimits.latencyMs`; 0: answers at once). */
  setLatency(ms: number): void;
  /** Sets a bucket's limit and/or forces 429 answers on it. */
  setRateLimit(bucket: Bucket, options: RateLimitOptions): void;
  /** The next matching requests answer the given status with an Okta error body. */
  failNext(fault: FaultSpec): void;
  /** Group member and app assignment lists lag behind writes (undefined: off, and everything visible at once). */
  setListLag(lag: Lag | undefined): void;
  /** The users search index lags behind new users and login changes (undefined: off). */
  setSearchLag(lag: Lag | undefined): void;
  /** Every write not yet visible to lists and searches becomes visible now (the lag stays set). */
  settleLag(): void;
  /** The id of the org's default access policy. */
  defaultAccessPolicyId: string;
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
  /** A login changed in Okta; searches find it once the search index has it. */
  setUserLogin(userIdOrLogin: string, login: string): void;
  findUserByLogin(login: string): OktaUser | undefined;
  findAppsByLabel(label: string): OktaApp[];
  findGroupByName(name: string): OktaGroup | undefined;
  /** Same data as GET /api/v1/users/{id}/appLinks, without counting a request. */
  appLinksFor(userIdOrLogin: string): AppLink[];
  close(): Promise<void>;
}
