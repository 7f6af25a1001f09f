// The human form of `preview`: a table per workspace. Names from Cerby are
// printed escaped, so control characters cannot rewrite the terminal.
import { type DesiredState } from "../domain/desired-state.ts";
import { printable } from "../text/printable.ts";

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], indent = "  "): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    indent + cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

export function formatPreview(state: DesiredState): string {
  let text = "";
  for (const workspace of state.workspaces) {
    const org = `${workspace.okta.orgName}.${workspace.okta.baseUrl}`;
    text += `Workspace ${workspace.id} (${printable(workspace.name)}) -> Okta ${org}: ${workspace.synced ? "synced" : "NOT synced (Extended account access is off)"}\n`;
    if (workspace.chiclets.length > 0) {
      text += formatTable(
        ["ACCOUNT", "CHICLET", "USERS", "GROUPS"],
        workspace.chiclets.map((chiclet) => [
          chiclet.accountId,
          printable(chiclet.label, 60),
          chiclet.users.join(", ") || "-",
          chiclet.groups.join(", ") || "-",
        ]),
      );
    }
    if (workspace.rejected.length > 0) {
      text += `  rejected:\n${formatTable(["ACCOUNT", "REASON"], workspace.rejected.map((rejection) => [rejection.accountId, rejection.reason]), "    ")}`;
    }
    for (const warning of workspace.warnings) text += `  warning: ${warning}\n`;
    text += `  ${workspace.chiclets.length} chiclet${workspace.chiclets.length === 1 ? "" : "s"}, ${workspace.rejected.length} rejected, ${workspace.notExtended} not extended\n\n`;
  }
  return text;
}
