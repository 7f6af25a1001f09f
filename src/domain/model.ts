// What the rules work on, and the rule values themselves: roles, statuses,
// who may extend, who sees a chiclet. The reader (src/workspace) validates
// files into these shapes; the domain never sees a file or a position.

/** Workspace roles, from the weakest to the strongest that may extend. */
export const WORKSPACE_ROLES = ["owner", "super_admin", "admin", "user", "login_only", "guest"] as const;
/** Account roles. `manager` administers the account but sees no chiclet (R5). */
export const ACCOUNT_ROLES = ["owner", "collaborator", "manager"] as const;
/** Okta user statuses as Okta reports them. */
export const OKTA_STATUSES = ["ACTIVE", "STAGED", "PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "SUSPENDED", "DEPROVISIONED"] as const;

export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];
export type AccountRole = (typeof ACCOUNT_ROLES)[number];
export type OktaStatus = (typeof OKTA_STATUSES)[number];

/** Roles that may never extend an account (R2). */
export const NON_EXTENDING_ROLES: ReadonlySet<string> = new Set<WorkspaceRole>(["login_only", "guest"]);
/** Roles whose holders see the chiclet; `manager` does not (R5). */
export const VIEWING_ROLES: ReadonlySet<string> = new Set<AccountRole>(["owner", "collaborator"]);
/** Users in these Okta states see no chiclet, and leave the Cerby workspace (R7: deactivated is DEPROVISIONED in Okta). */
export const HIDDEN_OKTA_STATUSES: ReadonlySet<string> = new Set<OktaStatus>(["SUSPENDED", "DEPROVISIONED"]);

/** Rate-limit settings used when a workspace sets none: leave half the org's capacity to others. */
export const DEFAULT_RATE_LIMIT = {
  maxApiCapacity: 50,
  backoff: true,
  minWaitSeconds: 30,
  maxWaitSeconds: 300,
  maxRetries: 5,
} as const;

export interface RateLimitSettings {
  readonly maxApiCapacity?: number;
  readonly backoff?: boolean;
  readonly minWaitSeconds?: number;
  readonly maxWaitSeconds?: number;
  readonly maxRetries?: number;
}

export interface OktaOrgSettings {
  readonly orgName: string;
  readonly baseUrl: string;
  readonly rateLimit?: RateLimitSettings;
}

export interface WorkspaceSettings {
  readonly id: string;
  readonly name: string;
  readonly extendedAccountAccess?: boolean;
  readonly okta: OktaOrgSettings;
  readonly loginUrl?: string;
}

export interface User {
  readonly id: string;
  readonly email: string;
  readonly oktaUserId?: string;
  readonly workspaceRole: WorkspaceRole;
  readonly oktaStatus?: OktaStatus;
}

export interface Team {
  readonly id: string;
  readonly name: string;
  /** Present for IdP-managed teams: the team is this Okta group. */
  readonly oktaGroupId?: string;
  readonly members?: readonly string[];
}

export interface Grant {
  readonly user?: string;
  readonly team?: string;
  readonly role: AccountRole;
}

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly app: string;
  readonly grants?: readonly Grant[];
  readonly okta?: { readonly extendedBy: string; readonly extendedAt: string };
}

/** One workspace, all its files merged: what the rules decide from. */
export interface WorkspaceInput {
  readonly settings: WorkspaceSettings;
  readonly users: readonly User[];
  readonly teams: readonly Team[];
  readonly accounts: readonly Account[];
}
