// Workspace state format, version 1: the contract in shared/workspace-format.md.
// Field names here are relied on by outside tooling; add optional fields only.
import { z } from "zod";

/** Workspace roles, from the weakest to the strongest that may extend. */
export const WORKSPACE_ROLES = ["owner", "super_admin", "admin", "user", "login_only", "guest"] as const;
/** Roles that may never extend an account (R2). */
export const NON_EXTENDING_ROLES: ReadonlySet<string> = new Set(["login_only", "guest"]);
/** Account roles. `manager` administers the account but sees no chiclet (R5). */
export const ACCOUNT_ROLES = ["owner", "collaborator", "manager"] as const;
/** Okta user statuses as Okta reports them. */
export const OKTA_STATUSES = [
  "ACTIVE",
  "STAGED",
  "PROVISIONED",
  "RECOVERY",
  "PASSWORD_EXPIRED",
  "LOCKED_OUT",
  "SUSPENDED",
  "DEPROVISIONED",
] as const;
/** Users in these states see no chiclet (R7). */
export const HIDDEN_OKTA_STATUSES: ReadonlySet<string> = new Set(["SUSPENDED", "DEPROVISIONED"]);

// IDs become Terraform map keys, file names and URL parts: non-empty, printable, bounded.
const id = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[^\p{Cc}\s]+$/u, "must not contain white space or control characters");

// Workspace IDs also name the Terraform stack (a folder), so they are stricter.
const workspaceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "must be letters, digits, '-' or '_' (at most 100), starting with a letter or digit");

export const WorkspaceSettingsSchema = z.strictObject({
  /** Cerby workspace ID, immutable; names the Terraform stack. */
  id: workspaceId,
  /** Display name, for humans only. */
  name: z.string().max(1000),
  /** R1: nothing syncs unless true. Missing means false. */
  extendedAccountAccess: z.boolean().optional(),
  /** Which Okta org the workspace syncs to (the provider's `org_name` and `base_url`). */
  okta: z.strictObject({
    orgName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, "must be an Okta org name (letters, digits, '-')"),
    baseUrl: z
      .string()
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, "must be a domain such as okta.com or oktapreview.com"),
    /** Added field: the okta/okta provider's rate-limit settings; defaults suit a shared org. */
    rateLimit: z
      .strictObject({
        /** Percent of each rate limit the provider may use (`max_api_capacity`). */
        maxApiCapacity: z.number().int().min(1).max(100).optional(),
        /** Back off and retry on 429 (`backoff`). */
        backoff: z.boolean().optional(),
        minWaitSeconds: z.number().int().min(0).max(3600).optional(),
        maxWaitSeconds: z.number().int().min(0).max(3600).optional(),
        maxRetries: z.number().int().min(0).max(100).optional(),
      })
      .optional(),
  }),
  /** The chiclet's URL; `{accountId}` is replaced by the (URL-encoded) account ID. */
  loginUrl: z
    .string()
    .max(2000)
    .regex(/^https:\/\/[^\s]+$/, "must be an https:// URL")
    .optional(),
});

export const UserSchema = z.strictObject({
  /** Cerby user ID, immutable. */
  id,
  /** Okta login. */
  email: z.string().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, "must be an email address"),
  /** Okta user ID; when absent Terraform resolves it by login at plan time. */
  oktaUserId: id.optional(),
  workspaceRole: z.enum(WORKSPACE_ROLES),
  /** Okta's status as last known; SUSPENDED and DEPROVISIONED users see nothing. */
  oktaStatus: z.enum(OKTA_STATUSES).optional(),
});

export const TeamSchema = z.strictObject({
  /** Cerby team ID, immutable. */
  id,
  name: z.string().max(1000),
  /** Present for IdP-managed teams: the team is this Okta group. */
  oktaGroupId: id.optional(),
  /** Cerby user IDs. For IdP-managed teams, last known (used only for R2). */
  members: z.array(id).optional(),
});

export const GrantSchema = z
  .strictObject({
    user: id.optional(),
    team: id.optional(),
    role: z.enum(ACCOUNT_ROLES),
  })
  .refine((grant) => (grant.user === undefined) !== (grant.team === undefined), {
    message: "must name exactly one of `user` or `team`",
  });

// YAML turns an unquoted timestamp into a Date; JSON keeps a string. Both are accepted.
const DATE_TIME_HINT = "must be an ISO 8601 date-time such as 2026-02-01T09:00:00Z";
const timestamp = z.union(
  [z.date().transform((date) => date.toISOString()), z.iso.datetime({ offset: true, message: DATE_TIME_HINT })],
  { message: DATE_TIME_HINT },
);

export const AccountSchema = z.strictObject({
  /** Cerby account ID, immutable; the app's Terraform key. */
  id,
  /** Account name as typed in Cerby: hostile, passed to Okta literally. */
  name: z.string().min(1, "must not be empty"),
  /** App name, e.g. Instagram. Also hostile. */
  app: z.string().min(1, "must not be empty"),
  grants: z.array(GrantSchema).optional(),
  /** Present when the account was extended to Okta (R2). */
  okta: z
    .strictObject({
      extendedBy: id,
      extendedAt: timestamp,
    })
    .optional(),
});

/** One file of a workspace folder. Lists from all files are concatenated. */
export const WorkspaceFileSchema = z.strictObject({
  version: z.literal(1, { message: "must be 1 (the only format version)" }).optional(),
  workspace: WorkspaceSettingsSchema.optional(),
  users: z.array(UserSchema).optional(),
  teams: z.array(TeamSchema).optional(),
  accounts: z.array(AccountSchema).optional(),
});

export type WorkspaceSettings = z.infer<typeof WorkspaceSettingsSchema>;
export type User = z.infer<typeof UserSchema>;
export type Team = z.infer<typeof TeamSchema>;
export type Grant = z.infer<typeof GrantSchema>;
export type Account = z.infer<typeof AccountSchema>;
export type WorkspaceFile = z.infer<typeof WorkspaceFileSchema>;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];
