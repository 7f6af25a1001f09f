// Every Terraform name the stack uses, in one place: the stack builds its
// resources from these, and plan reading and the workflow (targets, reports)
// recognise them by the same names. Addresses come from immutable Cerby IDs,
// never positions, so reordering a file changes nothing.

export interface ResourceName {
  readonly mode: "managed" | "data";
  /** The provider's resource type. */
  readonly type: string;
  /** Our construct name inside the stack. */
  readonly name: string;
}

/** One bookmark app per extended account, keyed by account ID. */
export const APP: ResourceName = { mode: "managed", type: "okta_app_bookmark", name: "app" };
/** The account's access group: lives exactly as long as its app, possibly empty. */
export const ACCESS_GROUP: ResourceName = { mode: "managed", type: "okta_group", name: "access" };
/** The access group's members (all of them: `track_all_users`). */
export const ACCESS_MEMBERS: ResourceName = { mode: "managed", type: "okta_group_memberships", name: "access_members" };
/** Every group assignment of the app: IdP team groups plus the access group. */
export const ASSIGNMENTS: ResourceName = { mode: "managed", type: "okta_app_group_assignments", name: "assignments" };
/** People without a known Okta user ID, looked up by login; keyed by Cerby user ID. */
export const USER_LOOKUP: ResourceName = { mode: "data", type: "okta_users", name: "by_login" };

// What an apply leaves in the state beside the Okta objects (src/stack/apply-record.ts):
// `terraform_data`, Terraform's built-in resource, which no provider reads or writes.
/** The digests of cdk.tf.json and the data file, written before any Okta object changes. */
export const APPLY_STARTED: ResourceName = { mode: "managed", type: "terraform_data", name: "cerby_okta_apply_started" };
/** The same digests, written only once every Okta object of the stack applied, and RESOLVED_LOGINS. */
export const APPLY_DONE: ResourceName = { mode: "managed", type: "terraform_data", name: "cerby_okta_apply_done" };
/** In APPLY_DONE's input: Cerby user ID -> the Okta user ID their login stood for in that apply (looked up, or held). */
export const RESOLVED_LOGINS = "resolvedLogins";
/** Per account: the time of the apply that last changed what its objects are made from (R9 "last synced"). */
export const SYNC_STAMP: ResourceName = { mode: "managed", type: "terraform_data", name: "synced" };

/**
 * The version of what WorkspaceStack writes into cdk.tf.json: a stack folder
 * written under another version is synthesized again rather than reused.
 * test/stack/synthesizer.test.ts fails when the template changes without it.
 */
export const STACK_TEMPLATE_VERSION = 6;

/** Every managed resource kind, for counting and reports. */
export const MANAGED_RESOURCES: readonly ResourceName[] = [APP, ACCESS_GROUP, ACCESS_MEMBERS, ASSIGNMENTS];

/**
 * The Terraform variable holding the provider's max_api_capacity: its default
 * is the workspace's setting, which every run of the stack keeps to, however
 * many stacks run at once (their governors share Okta's counts). `-var` or
 * `TF_VAR_max_api_capacity` can still lower it for one run.
 */
export const CAPACITY_VARIABLE = "max_api_capacity";

/** The data file beside each stack's cdk.tf.json (see stack-data.ts). */
export const STACK_DATA_FILE = "cerby-okta.json";
/** The Terraform local holding the decoded data file. */
export const DATA_LOCAL = "cerby";

/** `okta_app_bookmark.app` (or `data.okta_users.by_login`): the resource without an instance key. */
export function resourcePath(resource: ResourceName): string {
  return `${resource.mode === "data" ? "data." : ""}${resource.type}.${resource.name}`;
}

/**
 * `okta_app_bookmark.app["a-1"]`, written as Terraform writes it in plans and
 * accepts it in `-target`: the key is an HCL string, so quotes and
 * backslashes are escaped and template openers doubled (`$${`, `%%{`).
 */
export function instanceAddress(resource: ResourceName, key: string): string {
  return `${resourcePath(resource)}[${hclString(key)}]`;
}

export function hclString(text: string): string {
  const escaped = text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\$\{/g, "$${")
    .replace(/%\{/g, "%%{");
  return `"${escaped}"`;
}

/** True when a plan's resource entry is this resource (any instance). */
export function isResource(entry: { mode?: string; type?: string; name?: string }, resource: ResourceName): boolean {
  return entry.mode === resource.mode && entry.type === resource.type && entry.name === resource.name;
}

/** The instances of one of our resources in a raw state (`terraform state pull`): each keyed by a Cerby ID, with its attributes. */
export function stateInstances(state: unknown, resource: ResourceName): { key: string; attributes: Record<string, unknown> }[] {
  type StateResource = { mode?: string; type?: string; name?: string; instances?: { index_key?: unknown; attributes?: Record<string, unknown> }[] };
  return ((state as { resources?: StateResource[] } | null)?.resources ?? [])
    .filter((entry) => isResource(entry, resource))
    .flatMap((entry) => entry.instances ?? [])
    .filter((instance) => typeof instance.index_key === "string")
    .map((instance) => ({ key: instance.index_key as string, attributes: instance.attributes ?? {} }));
}

/** Okta group names are unique per org; immutable IDs keep this one stable across renames. */
export function accessGroupName(workspaceId: string, accountId: string): string {
  return `cerby-okta/${workspaceId}/${accountId}`;
}

/** The file cdktf writes each stack's configuration to. */
export const STACK_CONFIG_FILE = "cdk.tf.json";

/**
 * Keys of the data file the record's digest leaves out. `adopt`: the imports
 * an apply takes in are dropped from the file afterwards, and the state then
 * still holds what the file asks. `heldOktaUserIds`: after each plan the file
 * takes the Okta IDs its lookups found (src/sync/okta-checks.ts), a fallback
 * that changes nothing Terraform writes while the lookups find them; counted,
 * the file would change between plan and apply (Terraform refuses such an
 * apply) and every stack would look unapplied after each plan.
 */
export const RECORD_LEAVES_OUT = ["adopt", "heldOktaUserIds"] as const;
