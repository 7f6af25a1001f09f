// Workspace state format, version 1: the contract in docs/workspace-format.md.
// Field names here are relied on by outside tooling; add optional fields only.
// Each field's description also goes into schema/workspace.schema.json (editors show it).
import { z } from "zod";
import { describeCharacter, findUnsafeCharacter } from "../text/characters.ts";

import { ACCOUNT_ROLES, OKTA_STATUSES, WORKSPACE_ROLES } from "../domain/model.ts";

/** Refuses control, bidirectional and invisible formatting characters (docs/workspace-format.md, "Characters"). */
function refuseUnsafeCharacters(value: string, ctx: z.RefinementCtx): void {
  const found = findUnsafeCharacter(value);
  if (found) {
    ctx.addIssue({
      code: "custom",
      message: `contains ${describeCharacter(found.codePoint)} at position ${found.position}: control, bidirectional and invisible characters are not allowed (they would reach Okta and terminals as they are)`,
      continue: false, // the other checks of this field would only repeat it
    });
  }
}

/** Text that reaches Okta, a terminal or a file name. */
const text = () => z.string().superRefine(refuseUnsafeCharacters);

// IDs become Terraform map keys, file names and URL parts: non-empty, printable, bounded.
const id = text()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^\S+$/, "must not contain white space"); // control characters are refused by text()

// Workspace IDs also name the Terraform stack (a folder), so they are stricter.
const workspaceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "must be letters, digits, '-' or '_' (at most 100), starting with a letter or digit");

export const WorkspaceSettingsSchema = z.strictObject({
  id: workspaceId.describe("Cerby workspace ID, immutable; names the Terraform stack."),
  name: text().max(1000).describe("Display name, for people only."),
  extendedAccountAccess: z
    .boolean()
    .optional()
    .describe("R1: nothing syncs unless true. Missing means false: what is already in Okta stays as it is."),
  okta: z
    .strictObject({
      orgName: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, "must be an Okta org name (letters, digits, '-')")
        .describe("The Okta org's name (the okta/okta provider's org_name), e.g. acme."),
      baseUrl: z
        .string()
        .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, "must be a domain such as okta.com or oktapreview.com")
        .describe("The Okta org's domain (the provider's base_url), e.g. okta.com."),
      rateLimit: z
        .strictObject({
          maxApiCapacity: z
            .number()
            .int()
            .min(1)
            .max(100)
            .optional()
            .describe("Percent of each Okta rate limit the provider may use (max_api_capacity). Default 50."),
          // okta/okta 4.20 reads these with GetOk, so a zero or false is silently replaced by the
          // default: refused here rather than accepted and ignored.
          backoff: z
            .literal(true, { message: "okta/okta 4.20 ignores backoff: false and backs off anyway; leave the field out" })
            .optional()
            .describe("Back off and retry when Okta answers 429 (backoff). Always on: okta/okta 4.20 ignores false."),
          minWaitSeconds: z
            .number()
            .int()
            .min(1, "okta/okta 4.20 ignores 0 here and waits its default 30 s; use 1 or more")
            .max(3600)
            .optional()
            .describe("Shortest wait before a retry (min_wait_seconds), doubled at each retry. Default 30."),
          maxWaitSeconds: z
            .number()
            .int()
            .min(1, "okta/okta 4.20 ignores 0 here and waits up to its default 300 s; use 1 or more")
            .max(3600)
            .optional()
            .describe("Longest wait before a retry (max_wait_seconds). Default 300."),
          maxRetries: z
            .number()
            .int()
            .min(1, "okta/okta 4.20 ignores 0 here and retries its default 5 times; use 1 or more")
            .max(100)
            .optional()
            .describe("Retries of one request (max_retries). Default 5."),
        })
        .optional()
        .describe("Added by cerby-okta: the okta/okta provider's rate-limit settings; the defaults suit an org shared with other clients."),
    })
    .describe("The Okta org the workspace syncs to."),
  loginUrl: text()
    .max(2000)
    .regex(/^https:\/\/[^\s]+$/, "must be an https:// URL")
    .optional()
    .describe("The chiclet's URL; {accountId} is replaced by the URL-encoded account ID. Default https://app.cerby.com/accounts/{accountId}/login."),
});

export const UserSchema = z.strictObject({
  id: id.describe("Cerby user ID, immutable."),
  email: text()
    .min(3)
    .max(320)
    .regex(/^[^\s@]+@[^\s@]+$/, "must be an email address")
    .describe("The user's Okta login."),
  oktaUserId: id
    .optional()
    .describe("Okta user ID. When absent, Terraform looks the user up by login on every plan (one API call per person)."),
  workspaceRole: z.enum(WORKSPACE_ROLES).describe("Role in the Cerby workspace; login_only and guest may not extend accounts (R2)."),
  oktaStatus: z
    .enum(OKTA_STATUSES)
    .optional()
    .describe("Okta's status of the user as last known; SUSPENDED and DEPROVISIONED users see no chiclet (R5, R7)."),
});

export const TeamSchema = z.strictObject({
  id: id.describe("Cerby team ID, immutable."),
  name: text().max(1000).describe("Team name, for people only."),
  oktaGroupId: id
    .optional()
    .describe("Present for an IdP-managed team: the team is this Okta group, assigned to the chiclet as a group."),
  members: z
    .array(id)
    .optional()
    .describe("Cerby user IDs. For an IdP-managed team, as last known (used only to decide who may extend, R2)."),
});

export const GrantSchema = z
  .strictObject({
    user: id.optional().describe("The Cerby user ID holding the role (exactly one of user and team)."),
    team: id.optional().describe("The Cerby team ID holding the role (exactly one of user and team)."),
    role: z.enum(ACCOUNT_ROLES).describe("owner and collaborator see the chiclet; manager does not (R5)."),
  })
  .refine((grant) => (grant.user === undefined) !== (grant.team === undefined), {
    message: "must name exactly one of `user` or `team`",
  });

// YAML turns an unquoted timestamp into a Date (under `%YAML 1.1`); JSON keeps a string. Both are accepted.
const DATE_TIME_HINT = "must be an ISO 8601 date-time such as 2026-02-01T09:00:00Z";
export const TimestampSchema = z
  .union([z.date().transform((date) => date.toISOString()), z.iso.datetime({ offset: true, message: DATE_TIME_HINT })], {
    message: DATE_TIME_HINT,
  })
  .describe("When the account was extended, ISO 8601 with a time zone; earlier extensions keep the bare label (R4).");

export const AccountSchema = z.strictObject({
  id: id.describe("Cerby account ID, immutable; the key of its Okta app in Terraform."),
  name: text().min(1, "must not be empty").describe("Account name as typed in Cerby; passed to Okta literally. The label is `<name> - <app>`."),
  app: text().min(1, "must not be empty").describe("App name, e.g. Instagram; passed to Okta literally."),
  grants: z.array(GrantSchema).optional().describe("Who holds which role on the account, directly or through a team."),
  okta: z
    .strictObject({
      extendedBy: id.describe("The Cerby user ID who extended the account; must hold owner on it (R2)."),
      extendedAt: TimestampSchema,
    })
    .optional()
    .describe("Present when the account was extended to Okta (R2); remove it to take the app out of Okta (R10)."),
});

/** One file of a workspace folder. Lists from all files are concatenated. */
export const WorkspaceFileSchema = z
  .strictObject({
    $schema: z
      .string()
      .max(2048)
      .optional()
      .describe("The JSON Schema this file follows, for editors (as written by `cerby-okta init` or `cerby-okta schema --write`); cerby-okta itself ignores it."),
    version: z
      .literal(1, { message: "must be 1 (the only format version)" })
      .optional()
      .describe("Format version: 1. Required in the file holding `workspace`."),
    workspace: WorkspaceSettingsSchema.optional().describe("The workspace's settings: exactly one file of the folder holds them."),
    users: z.array(UserSchema).optional().describe("People of the workspace; lists of all files of the folder are concatenated."),
    teams: z.array(TeamSchema).optional().describe("Teams of the workspace; lists of all files of the folder are concatenated."),
    accounts: z.array(AccountSchema).optional().describe("Shared accounts; lists of all files of the folder are concatenated."),
  })
  .describe("One file of a cerby-okta workspace folder (format version 1). See docs/workspace-format.md.");

export type WorkspaceSettings = z.infer<typeof WorkspaceSettingsSchema>;
export type User = z.infer<typeof UserSchema>;
export type Team = z.infer<typeof TeamSchema>;
export type Grant = z.infer<typeof GrantSchema>;
export type Account = z.infer<typeof AccountSchema>;
export type WorkspaceFile = z.infer<typeof WorkspaceFileSchema>;
