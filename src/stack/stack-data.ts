// The data file beside each stack's cdk.tf.json. Terraform reads it with
// jsondecode(file(...)): its strings are values, never templates, so names
// typed in Cerby reach Okta literally. See docs/design.md.
import type { DesiredWorkspace } from "../domain/desired-state.ts";

export const STACK_DATA_FILE = "cerby-okta.json";

export interface StackData {
  readonly version: 1;
  readonly workspaceId: string;
  /** One bookmark app per extended account, by account ID. */
  readonly apps: Record<string, { label: string; url: string; groups: string[]; accessGroup: boolean }>;
  /** One Okta group per account whose viewers are not all covered by IdP groups. */
  readonly accessGroups: Record<string, { name: string; description: string; users: string[] }>;
  /** Cerby user ID to Okta user ID, for users whose Okta ID is known. */
  readonly oktaUserIds: Record<string, string>;
  /** Cerby user ID to Okta login, for users Terraform must look up. */
  readonly loginsToResolve: Record<string, string>;
}

/** Okta group names are unique per org; immutable IDs keep this one stable across renames. */
export function accessGroupName(workspaceId: string, accountId: string): string {
  return `cerby-okta/${workspaceId}/${accountId}`;
}

export function buildStackData(workspace: DesiredWorkspace): StackData {
  const apps: StackData["apps"] = {};
  const accessGroups: StackData["accessGroups"] = {};
  for (const chiclet of workspace.chiclets) {
    const accessGroup = chiclet.users.length > 0;
    apps[chiclet.accountId] = { label: chiclet.label, url: chiclet.url, groups: [...chiclet.groups], accessGroup };
    if (accessGroup) {
      accessGroups[chiclet.accountId] = {
        name: accessGroupName(workspace.id, chiclet.accountId),
        // IDs only: the label is hostile and may exceed Okta's description length.
        description: `People who see the chiclet of Cerby account ${chiclet.accountId} (workspace ${workspace.id}). Managed by cerby-okta: edits here are undone.`,
        users: [...chiclet.users],
      };
    }
  }
  const oktaUserIds: Record<string, string> = {};
  const loginsToResolve: Record<string, string> = {};
  for (const person of workspace.people) {
    if (person.oktaUserId !== undefined) oktaUserIds[person.id] = person.oktaUserId;
    else loginsToResolve[person.id] = person.email;
  }
  return { version: 1, workspaceId: workspace.id, apps, accessGroups, oktaUserIds, loginsToResolve };
}
