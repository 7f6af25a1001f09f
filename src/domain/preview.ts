// The `preview --json` document: a contract (docs/workspace-format.md).
// Field names and sort orders must not change; optional fields may be added.
import { workspaceWarnings, type DesiredState } from "./desired-state.ts";

export interface PreviewDocument {
  version: 1;
  workspaces: {
    id: string;
    synced: boolean;
    chiclets: { accountId: string; label: string; url: string; users: string[]; groups: string[] }[];
    rejected: { accountId: string; reason: string }[];
    /** Added field: rejections and other warnings, as `preview` prints them. */
    warnings: string[];
  }[];
}

export function previewDocument(state: DesiredState): PreviewDocument {
  return {
    version: 1,
    workspaces: state.workspaces.map((workspace) => ({
      id: workspace.id,
      synced: workspace.synced,
      chiclets: workspace.chiclets.map((chiclet) => ({
        accountId: chiclet.accountId,
        label: chiclet.label,
        url: chiclet.url,
        users: [...chiclet.users],
        groups: [...chiclet.groups],
      })),
      rejected: workspace.rejected.map((rejection) => ({ accountId: rejection.accountId, reason: rejection.reason })),
      warnings: workspaceWarnings(workspace),
    })),
  };
}
