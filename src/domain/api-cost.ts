// Okta API calls, counted as the okta/okta provider makes them (4.20.0 and
// 6.12.0, read from its source; the test harness's stand-in provider makes the
// same calls and the emulator counts them), by Okta rate-limit bucket. API
// calls, not CPU, decide how long a real sync takes: Okta allows about 100
// requests a minute in the `/api/v1/apps` bucket on common plans.
import type { DesiredWorkspace } from "./desired-state.ts";

/** Okta's rate-limit buckets that a sync touches. */
export const BUCKETS = {
  apps: "/api/v1/apps",
  app: "/api/v1/apps/{id}",
  groups: "/api/v1/groups",
  group: "/api/v1/groups/{id}",
  users: "/api/v1/users",
  me: "/api/v1/users/me",
  other: "other",
} as const;
export type Bucket = keyof typeof BUCKETS;

/** Requests per minute per bucket on common Workforce plans (the org's limit, before any per-token share). */
export const BUCKET_PER_MINUTE: Readonly<Record<Bucket, number>> = {
  apps: 100,
  app: 500,
  groups: 500,
  group: 1000,
  users: 600,
  me: 600,
  other: 600,
};

/** Calls by bucket. */
export type Calls = Partial<Record<Bucket, number>>;

/** Okta returns at most this many app groups or group members per page (the provider asks for 200). */
export const OKTA_PAGE_SIZE = 200;

const pages = (items: number) => Math.max(1, Math.ceil(items / OKTA_PAGE_SIZE));

/**
 * What each provider operation costs (Identity Engine org, API token). The
 * bookmark's create and update also set its authentication policy, hence the
 * policy calls; group create checks the group exists twice.
 */
export const OPERATION_CALLS = {
  /** POST /apps, GET /policies, PUT /apps/{id}/policies/{pid}, GET /apps/{id}. */
  appCreate: { apps: 2, app: 1, other: 1 },
  /** GET /apps/{id}. */
  appRead: { app: 1 },
  /** PUT /apps/{id}, PUT /apps/{id}/policies/{pid}, GET /apps/{id}. */
  appUpdate: { app: 2, apps: 1 },
  /** POST /apps/{id}/lifecycle/deactivate, DELETE /apps/{id}. */
  appDelete: { apps: 1, app: 1 },
  /** POST /groups, then GET /groups/{id} twice. */
  groupCreate: { groups: 1, group: 2 },
  groupRead: { group: 1 },
  /** PUT /groups/{id}, GET /groups/{id}. */
  groupUpdate: { group: 2 },
  groupDelete: { group: 1 },
  /** Per Terraform command that configures the provider: GET /users/me twice (credentials check). */
  configure: { me: 2 },
  /** cerby-okta's own check of OKTA_API_TOKEN before Terraform runs: GET /users/me, once per org per command (plan, apply). */
  credentialCheck: { me: 1 },
  /**
   * GET /.well-known/okta-organization, once per Terraform run that creates, reads or updates an
   * app (cached per process, but without a lock: with Terraform's parallelism up to 10 times).
   */
  orgKind: { other: 1 },
  /**
   * When a run's plans create something, cerby-okta lists the org's bookmark apps (once per org and run)
   * and the workspace's access groups (once per workspace and run): one page each per 200 (createCheckCalls).
   */
  firstSyncCheck: { apps: 1, groups: 1 },
  /**
   * Before a plan, cerby-okta asks Okta about each team group an app's changed assignments use (GET /groups/{id}),
   * and each Okta user ID a plan adds (GET /users/{id}: its own bucket, counted as other here).
   */
  teamGroupCheck: { group: 1 },
  userIdCheck: { other: 1 },
} as const satisfies Record<string, Calls>;

/**
 * The okta/okta releases whose requests are modelled here, newest first: the
 * only ones a project may ask for (src/config/okta-provider-version.ts).
 */
export const MODELLED_PROVIDER_RELEASES = ["6.12.0", "4.20.0"] as const;
export type OktaProviderRelease = (typeof MODELLED_PROVIDER_RELEASES)[number];
/** The release the stacks use unless the project names another. */
export const DEFAULT_PROVIDER_RELEASE: OktaProviderRelease = "6.12.0";

export type OperationCalls = { readonly [Operation in keyof typeof OPERATION_CALLS]: Calls };

/**
 * OPERATION_CALLS as a release makes them. okta/okta 6.12.0's bookmarks with
 * `skip_authentication_policy = true` (resource_okta_app_bookmark.go at
 * v6.12.0) create with POST /apps then GET /apps/{id}, update with PUT then
 * GET, and never list policies, assign one or ask the org kind (only
 * app_authentication_policy.go asks it): one request less per account in
 * the 100/min bucket, and 2 less in all. Groups, memberships, assignments and
 * the credentials check are the same requests as 4.20.0's.
 */
export function operationCalls(release: OktaProviderRelease = DEFAULT_PROVIDER_RELEASE): OperationCalls {
  if (release === "4.20.0") return OPERATION_CALLS;
  return { ...OPERATION_CALLS, appCreate: { apps: 1, app: 1 }, appUpdate: { app: 2 }, orgKind: {} };
}

/** PUT per member, then one listing (none at all for an empty group). */
export function membershipsCreateCalls(members: number): Calls {
  return members === 0 ? {} : { groups: members + 1 };
}
/** Add and remove each changed member (the provider reads nothing back). */
export function membershipsUpdateCalls(added: number, removed: number): Calls {
  return { groups: added + removed };
}
export function membershipsDeleteCalls(members: number): Calls {
  return { groups: members };
}
export function membershipsReadCalls(members: number): Calls {
  return { groups: pages(members) };
}
/** PUT per group, then one listing. */
export function assignmentsCreateCalls(groups: number): Calls {
  return { apps: groups + 1 };
}
/** DELETE per removed group, then PUT for every group (changed or not), then one listing. */
export function assignmentsUpdateCalls(removed: number, groupsAfter: number): Calls {
  return { apps: removed + groupsAfter + 1 };
}
export function assignmentsDeleteCalls(groups: number): Calls {
  return { apps: groups };
}
export function assignmentsReadCalls(groups: number): Calls {
  return { apps: pages(groups) };
}
/** One search per person looked up by login, on every plan. */
export function userLookupCalls(people: number): Calls {
  return people === 0 ? {} : { users: people };
}

/** The check of a run's creates against Okta: the org's bookmark apps and the workspace's access groups, listed by pages of 200. */
export function createCheckCalls(orgApps: number, accessGroups: number): Calls {
  return { apps: pages(orgApps), groups: pages(accessGroups) };
}

/**
 * What the plan that imports accounts (after `adopt` or `reshard`) reads of
 * each, as the provider imports them: the app (GET /apps/{id}) and its group
 * assignments (GET /apps/{id}/groups, in the 100/min bucket), the access group
 * (GET /groups/{id}) and its members (GET /groups/{id}/users).
 */
export function importCalls(accounts: { readonly app: boolean; readonly accessGroup: boolean; readonly groups?: number; readonly members?: number }[]): Calls {
  const sum: Calls = {};
  for (const account of accounts) {
    if (account.app) addInto(sum, addCalls(OPERATION_CALLS.appRead, assignmentsReadCalls((account.groups ?? 0) + 1)));
    if (account.accessGroup) addInto(sum, addCalls(OPERATION_CALLS.groupRead, membershipsReadCalls(account.members ?? 0)));
  }
  return sum;
}

export function addCalls(...parts: readonly Calls[]): Calls {
  const sum: Calls = {};
  for (const part of parts) addInto(sum, part);
  return sum;
}

/** Adds `part` to `sum` in place (a workspace of 50,000 accounts adds 100,000 parts). */
function addInto(sum: Calls, part: Calls): void {
  for (const bucket in part) sum[bucket as Bucket] = (sum[bucket as Bucket] ?? 0) + part[bucket as Bucket]!;
}

export function scaleCalls(calls: Calls, times: number): Calls {
  const scaled: Calls = {};
  for (const [bucket, count] of Object.entries(calls) as [Bucket, number][]) scaled[bucket] = count * times;
  return scaled;
}

export function totalCalls(calls: Calls): number {
  return Object.values(calls).reduce((sum, count) => sum + (count ?? 0), 0);
}

/**
 * The rate-limit model, one for the estimates here and for the emulator
 * (harness/okta-emulator/rate-limits.ts): Okta caps each API token (or OAuth
 * app) at a share of every bucket's org-wide limit, 50% unless an admin
 * changed it, and its `X-Rate-Limit-Limit` header reports "the rate limit
 * ceiling that is applicable for the current request": the token's share.
 * okta/okta's `max_api_capacity` is a percentage of that header. So a sync at
 * the default 50% runs at 50% of 50% of the org's limit: 25 requests a minute
 * in the 100/min `/api/v1/apps` bucket.
 */
export const OKTA_DEFAULT_TOKEN_SHARE_PERCENT = 50;

/**
 * Minutes the rate limits alone impose: buckets fill in parallel, so the
 * busiest bucket (calls over its share of the limit) decides.
 */
export function minutesAtRateLimits(calls: Calls, capacityPercent: number, tokenSharePercent = OKTA_DEFAULT_TOKEN_SHARE_PERCENT): number {
  let minutes = 0;
  for (const [bucket, count] of Object.entries(calls) as [Bucket, number][]) {
    minutes = Math.max(minutes, count / ((((BUCKET_PER_MINUTE[bucket] * tokenSharePercent) / 100) * capacityPercent) / 100));
  }
  return minutes;
}

/** The calls one account costs, per phase. */
function accountCosts(chiclet: { users: readonly string[]; groups: readonly string[] }, release: OktaProviderRelease) {
  const shape = { viewers: chiclet.users.length, teams: chiclet.groups.length };
  return { firstSync: accountCalls("firstSync", shape, release), refresh: accountCalls("refresh", shape, release) };
}

export interface WorkspaceCost {
  /** Every app, group, membership and assignment created (first sync), with one plan and one apply. */
  readonly firstSync: Calls;
  /** Every resource read back (`reconcile`), with the plan's fixed costs. */
  readonly fullRefresh: Calls;
  /** What one `okta_app_user` per person and app would cost a full refresh in the apps bucket instead. */
  readonly appsIfAssignedPerUser: number;
}

export interface CostOptions {
  /** The okta/okta release the stacks use. */
  readonly release?: OktaProviderRelease;
  /** The workspace's stacks (its shards): each starts its own Terraform processes, and each configures the provider. */
  readonly stacks?: number;
}

export function estimateWorkspaceCost(workspace: DesiredWorkspace, options: CostOptions = {}): WorkspaceCost {
  const release = options.release ?? DEFAULT_PROVIDER_RELEASE;
  const operations = operationCalls(release);
  const stacks = Math.max(1, options.stacks ?? 1);
  const lookups = userLookupCalls(workspace.people.filter((person) => person.oktaUserId === undefined).length);
  // A first sync adds, and a refresh rechecks, every distinct Okta user ID and team group (src/sync/okta-checks.ts).
  const idChecks = addCalls(
    scaleCalls(operations.userIdCheck, new Set(workspace.people.flatMap((person) => person.oktaUserId ?? [])).size),
    scaleCalls(operations.teamGroupCheck, new Set(workspace.chiclets.flatMap((chiclet) => chiclet.groups)).size),
  );
  // Each stack's plan and apply configure the provider; cerby-okta checks the credentials once per command; the plan looks people up.
  const perStack = (commands: number) => addCalls(scaleCalls(operations.configure, commands * stacks), scaleCalls(operations.orgKind, stacks));
  const firstSync = addCalls(perStack(2), scaleCalls(operations.credentialCheck, 2), operations.firstSyncCheck, lookups, idChecks);
  const fullRefresh = addCalls(perStack(1), operations.credentialCheck, lookups, idChecks);
  let appsIfAssignedPerUser = 0;
  for (const chiclet of workspace.chiclets) {
    const costs = accountCosts(chiclet, release);
    addInto(firstSync, costs.firstSync);
    addInto(fullRefresh, costs.refresh);
    appsIfAssignedPerUser += 1 + pages(chiclet.groups.length) + chiclet.users.length;
  }
  return { firstSync, fullRefresh, appsIfAssignedPerUser };
}

/** What happens to one account: created at a first sync, read by a refresh, or one kind of change. */
export const ACCOUNT_CHANGES = ["firstSync", "refresh", "relabel", "viewerAdded", "viewerRemoved", "teamAdded", "teamRemoved", "accountRemoved"] as const;
export type AccountChange = (typeof ACCOUNT_CHANGES)[number];

/** An account's size: the people who see its chiclet directly (its access group's members) and its IdP team groups, before the change. */
export interface AccountShape {
  readonly viewers: number;
  readonly teams: number;
}

/**
 * What the provider asks of Okta for one account and one kind of change
 * (the account's own requests: a run's fixed costs are in runCalls).
 */
export function accountCalls(change: AccountChange, shape: AccountShape, release: OktaProviderRelease = DEFAULT_PROVIDER_RELEASE): Calls {
  const operations = operationCalls(release);
  const groups = shape.teams + 1; // the IdP team groups and the access group
  switch (change) {
    case "firstSync":
      return addCalls(operations.appCreate, operations.groupCreate, membershipsCreateCalls(shape.viewers), assignmentsCreateCalls(groups));
    case "refresh":
      return addCalls(operations.appRead, operations.groupRead, membershipsReadCalls(shape.viewers), assignmentsReadCalls(groups));
    case "relabel":
      return operations.appUpdate;
    case "viewerAdded":
      return membershipsUpdateCalls(1, 0);
    case "viewerRemoved":
      return membershipsUpdateCalls(0, 1);
    case "teamAdded":
      return assignmentsUpdateCalls(0, groups + 1);
    case "teamRemoved":
      return assignmentsUpdateCalls(1, groups - 1);
    case "accountRemoved":
      return addCalls(operations.appDelete, operations.groupDelete, membershipsDeleteCalls(shape.viewers), assignmentsDeleteCalls(groups));
  }
}

/**
 * The fewest requests the Okta API allows for the same result: one app
 * create (POST /apps activates it), one access group, one membership per
 * person, one assignment per group; a relabel is one PUT; a viewer or a team
 * added or removed is one PUT or DELETE; a removal deactivates and deletes the
 * app and deletes the group (Okta drops its memberships and assignments with
 * them); a refresh reads the app, its assignments, the group and its members.
 */
export function minimumCalls(change: AccountChange, shape: AccountShape): Calls {
  const groups = shape.teams + 1;
  switch (change) {
    case "firstSync":
      return addCalls({ apps: 1 + groups }, { groups: 1 + shape.viewers });
    case "refresh":
      return addCalls({ app: 1, group: 1 }, assignmentsReadCalls(groups), membershipsReadCalls(shape.viewers));
    case "relabel":
      return { app: 1 };
    case "viewerAdded":
    case "viewerRemoved":
      return { groups: 1 };
    case "teamAdded":
    case "teamRemoved":
      return { apps: 1 };
    case "accountRemoved":
      return { apps: 1, app: 1, group: 1 };
  }
}

/**
 * What cerby-okta itself asks Okta around one account's change: before the
 * plan, each Okta user ID it adds and each team group of assignments it
 * changes (src/sync/okta-checks.ts); after the apply, the access group's
 * members and the app's groups of an account whose memberships or
 * assignments changed in place (src/sync/verify.ts).
 */
export function checkCalls(change: AccountChange, shape: AccountShape): Calls {
  const verify: Calls = { apps: 1, groups: 1 };
  switch (change) {
    case "viewerAdded":
      return addCalls(verify, OPERATION_CALLS.userIdCheck);
    case "viewerRemoved":
      return verify;
    case "teamAdded":
      return addCalls(verify, scaleCalls(OPERATION_CALLS.teamGroupCheck, shape.teams + 1));
    case "teamRemoved":
      return addCalls(verify, scaleCalls(OPERATION_CALLS.teamGroupCheck, shape.teams - 1));
    default:
      return {};
  }
}

/**
 * A plan and an apply of changes to accounts of one stack (after a first
 * sync, without refresh): each command configures the provider and cerby-okta
 * checks the credentials; okta/okta 4.20.0 asks the org kind once in an
 * apply that writes an app.
 */
export function changeRunCalls(changes: readonly { change: AccountChange; shape: AccountShape }[], release: OktaProviderRelease = DEFAULT_PROVIDER_RELEASE): Calls {
  const operations = operationCalls(release);
  const writesApp = changes.some(({ change }) => change === "relabel" || change === "accountRemoved" || change === "firstSync");
  const sum = addCalls(scaleCalls(addCalls(operations.configure, operations.credentialCheck), 2), writesApp ? operations.orgKind : {});
  for (const { change, shape } of changes) addInto(sum, addCalls(accountCalls(change, shape, release), checkCalls(change, shape)));
  return sum;
}

/**
 * What moving accounts between shards costs (`cerby-okta reshard`, then the
 * plan and apply that take them in): `reshard` itself only reads states; the
 * plan of each receiving stack imports each moved app and access group (one
 * read each), and the apply writes each group once and sets its memberships
 * and assignments again to what they are. Each stack touched configures the
 * provider for its plan and its apply.
 */
export function reshardCalls(moved: readonly { users: readonly string[]; groups: readonly string[] }[], stacksTouched: number): Calls {
  const sum = addCalls(scaleCalls(OPERATION_CALLS.configure, 2 * stacksTouched), scaleCalls(OPERATION_CALLS.orgKind, stacksTouched));
  for (const chiclet of moved) {
    addInto(sum, OPERATION_CALLS.appRead);
    addInto(sum, OPERATION_CALLS.groupRead);
    addInto(sum, OPERATION_CALLS.groupUpdate);
    addInto(sum, membershipsCreateCalls(chiclet.users.length));
    addInto(sum, assignmentsCreateCalls(chiclet.groups.length + 1));
  }
  return sum;
}
