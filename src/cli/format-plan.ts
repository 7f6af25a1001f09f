// Plans in Okta terms: a terminal summary for `plan`/`reconcile`, and a
// Markdown review for a pull-request comment. Stable for the same plan. Every
// string that came from Cerby is escaped for where it is shown.
import { BUCKETS, totalCalls, type Bucket, type Calls } from "../domain/api-cost.ts";

import type { SavedPlan } from "../sync/saved-plans.ts";
import { chicletSign, describeAttribute, describeChanges, describeChiclet } from "../domain/changes.ts";
import { escapeUnsafeCharacters } from "../text/characters.ts";
import { compareText, printable } from "../text/printable.ts";
import type { Drift, PlanWarning } from "../terraform/plan-report.ts";

/**
 * A Terraform address as Terraform writes it and `terraform state` commands
 * take it (`okta_app_bookmark.app["a-1"]`), not JSON-escaped; only
 * characters unsafe on a terminal are escaped (workspace IDs never hold any).
 */
export function terraformAddress(address: string): string {
  return escapeUnsafeCharacters(address);
}

/** `"Contentzilla - Instagram" (account a-1)` */
function chicletName(entry: { label: string; accountId: string }): string {
  return `"${printable(entry.label, 70)}" (account ${printable(entry.accountId)})`;
}

/** `okta_app_bookmark.app["a-1"], chiclet "X" (account a-1): URL ... (another host: ...)` */
export function describeDrift(drift: Drift): string {
  // Plans saved by an earlier version carry only the address and actions.
  const changes = drift.changes ?? [];
  const what = changes.length > 0 ? changes.map((change) => describeAttribute(change)).join("; ") : `changed (${drift.actions.join(", ")})`;
  return `${terraformAddress(drift.address)}${drift.accountId !== undefined ? `, chiclet ${chicletName(drift)}` : ""}: ${what}`;
}

export function describeWarning(warning: PlanWarning): string {
  return `chiclet ${chicletName(warning)}: ${printable(warning.message, 400)}`;
}

export function describeCalls(calls: Calls): string {
  const total = totalCalls(calls);
  const parts = (Object.entries(calls) as [Bucket, number][])
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => compareText(a, b))
    .map(([bucket, count]) => `${count} ${BUCKETS[bucket]}`);
  return `${total} Okta API call${total === 1 ? "" : "s"}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
}

export function formatPlanSummary(plans: readonly Pick<SavedPlan, "report">[]): string {
  let text = "";
  for (const { report } of plans) {
    text += `${report.stack}: ${report.hasChanges ? "changes" : "no changes"}\n`;
    for (const line of describeChanges(report)) text += `  ${line}\n`;
    if (report.recordChanges && !report.hasChanges) text += "  (apply records in the state that these files are applied; nothing changes in Okta)\n";
    for (const warning of report.oktaWarnings ?? []) text += `  ! ${warning}\n`;
    for (const person of report.unresolvedPeople) {
      if (person.heldOktaUserId !== undefined || person.missingOktaUserId !== undefined) continue; // named by its warning
      text += `  ! ${printable(person.cerbyUserId)}: Okta found nobody for ${printable(person.search, 100)}: their chiclets wait (set oktaUserId, or fix the email)\n`;
    }
    for (const warning of report.warnings ?? []) text += `  ! WARNING: ${describeWarning(warning)}\n`;
    for (const drift of report.drift) text += `  ! changed in Okta: ${describeDrift(drift)}\n`;
    if (report.hasChanges) text += `  applying costs about ${describeCalls(report.applyCalls)}\n`;
  }
  return text;
}

/** Rows inside the folded section: keeps the whole comment under GitHub's size limit. */
const MAX_FOLDED_ROWS = 250;

/**
 * Text safe in a Markdown table cell or list item and in HTML: no tag,
 * comment, entity, link, image, emphasis, strike-through, code span or
 * mention can start from it, and `|` cannot end the cell. (It never starts a
 * line, so list and heading markers need no escape.)
 */
export function markdownText(value: string, max = 80): string {
  return markdownEscape(printable(value, max));
}

/** The escapes of markdownText, for text already made printable (a Terraform address, a described change). */
function markdownEscape(value: string): string {
  return escapeUnsafeCharacters(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]!|~])/g, "\\$1")
    .replace(/@/g, "&#64;");
}

/** Markdown for one pull-request comment: counts, a table of chiclet changes, warnings, detail folded. */
export function formatReviewMarkdown(plans: readonly SavedPlan[], options: { maxRows?: number } = {}): string {
  const maxRows = options.maxRows ?? 50;
  const cell = (value: string) => markdownText(value);
  const lines: string[] = ["## cerby-okta: planned Okta changes", ""];
  const changed = plans.filter((plan) => plan.report.hasChanges);
  if (changed.length === 0) {
    lines.push("No changes: Okta already matches the workspaces.");
    return `${lines.join("\n")}\n`;
  }

  for (const plan of plans) {
    const stack = cell(plan.stack);
    const removed = plan.report.chiclets.filter((change) => change.kind === "remove" || change.kind === "replace");
    if (removed.length > 0) {
      lines.push(
        `> [!WARNING]`,
        `> **${stack}: ${removed.length} chiclet${removed.length === 1 ? "" : "s"} removed or replaced.** People lose access to:`,
        ...removed.slice(0, maxRows).map((change) => `> - ${cell(change.accountId)}: ${cell(change.previousLabel ?? change.label)} (${change.kind})`),
        ...(removed.length > maxRows ? [`> - ... and ${removed.length - maxRows} more`] : []),
        "",
      );
    }
    if (plan.report.accessLost > 0) {
      lines.push(
        `> [!WARNING]`,
        `> **${stack}: ${plan.report.accessLost} of ${plan.report.existingAccess} chiclet assignments taken away** from people or IdP groups (listed under "loses access" below).`,
        "",
      );
    }
    const warnings = plan.report.warnings ?? [];
    if (warnings.length > 0) {
      lines.push(
        `> [!WARNING]`,
        `> **${stack}: ${warnings.length} chiclet${warnings.length === 1 ? "" : "s"} pointing at another host:**`,
        ...warnings.slice(0, maxRows).map((warning) => `> - ${cell(warning.accountId)} ${cell(warning.label)}: ${markdownText(warning.message, 400)}`),
        ...(warnings.length > maxRows ? [`> - ... and ${warnings.length - maxRows} more`] : []),
        "",
      );
    }
    const oktaWarnings = plan.report.oktaWarnings ?? [];
    if (oktaWarnings.length > 0) {
      lines.push(
        `> [!WARNING]`,
        `> **${stack}: Okta does not know, or no longer finds, some people or teams:**`,
        ...oktaWarnings.slice(0, maxRows).map((warning) => `> - ${markdownText(warning, 400)}`),
        ...(oktaWarnings.length > maxRows ? [`> - ... and ${oktaWarnings.length - maxRows} more`] : []),
        "",
      );
    }
    // People held, or left out for an unknown oktaUserId, are named by the warnings above.
    const waiting = plan.report.unresolvedPeople.filter((person) => person.heldOktaUserId === undefined && person.missingOktaUserId === undefined);
    if (waiting.length > 0) {
      lines.push(
        `> [!NOTE]`,
        `> **${stack}: Okta found nobody for ${waiting.length} login${waiting.length === 1 ? "" : "s"}**; their chiclets wait: ${waiting
          .slice(0, maxRows)
          .map((person) => cell(person.cerbyUserId))
          .join(", ")}`,
        "",
      );
    }
  }

  lines.push("| stack | resource | create | update | delete | replace | import |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const plan of changed) {
    for (const [type, actions] of Object.entries(plan.report.counts).sort(([a], [b]) => compareText(a, b))) {
      lines.push(
        `| ${cell(plan.stack)} | \`${type}\` | ${actions.create ?? 0} | ${actions.update ?? 0} | ${actions.delete ?? 0} | ${actions.replace ?? 0} | ${actions.import ?? 0} |`,
      );
    }
  }
  const calls = changed.reduce((sum, plan) => sum + totalCalls(plan.report.applyCalls), 0);
  lines.push("", `Applying costs about **${calls}** Okta API call${calls === 1 ? "" : "s"}.`, "");

  const rows: string[] = [];
  for (const plan of changed) {
    const accounts = new Set([...plan.report.chiclets.map((change) => change.accountId), ...plan.report.access.map((access) => access.accountId)]);
    for (const accountId of [...accounts].sort(compareText)) {
      const chiclet = plan.report.chiclets.find((change) => change.accountId === accountId);
      const access = plan.report.access.find((entry) => entry.accountId === accountId);
      const gains = [...(access?.gainedUsers ?? []), ...(access?.gainedGroups ?? []).map((group) => `group ${group}`)];
      const losses = [...(access?.lostUsers ?? []), ...(access?.lostGroups ?? []).map((group) => `group ${group}`)];
      rows.push(
        `| ${cell(plan.stack)} | ${cell(accountId)} | ${chiclet ? `${chicletSign(chiclet)} ${markdownText(describeChiclet(chiclet, (label) => label), chiclet.attributes?.length ? 600 : 80)}` : "access only"} | ${cell(gains.join(", ")) || "-"} | ${cell(losses.join(", ")) || "-"} |`,
      );
    }
  }
  const header = ["| stack | account | chiclet | gains access | loses access |", "| --- | --- | --- | --- | --- |"];
  lines.push(...header, ...rows.slice(0, maxRows));
  if (rows.length > maxRows) {
    // GitHub caps a comment at 65,536 characters: past that, the JSON report (`plan --json`) has it all.
    const folded = rows.slice(maxRows, maxRows + MAX_FOLDED_ROWS);
    const rest = rows.length - maxRows - folded.length;
    lines.push("", `<details><summary>${rows.length - maxRows} more chiclet changes</summary>`, "", ...header, ...folded);
    if (rest > 0) lines.push("", `... and ${rest} more: run \`cerby-okta plan --json FILE\` for every change.`);
    lines.push("", "</details>");
  }
  const drifted = changed.flatMap((plan) => plan.report.drift.map((drift) => ({ stack: plan.stack, drift })));
  if (drifted.length > 0) {
    lines.push(
      "",
      `Changed in Okta since the last sync (drift, undone by the apply):`,
      "",
      "| stack | account | Terraform address | what changed in Okta |",
      "| --- | --- | --- | --- |",
      ...drifted
        .slice(0, maxRows)
        .map(
          ({ stack, drift }) =>
            `| ${cell(stack)} | ${cell(drift.accountId ?? "")} | ${markdownEscape(terraformAddress(drift.address))} | ${markdownEscape((drift.changes ?? []).map((change) => describeAttribute(change)).join("; ") || drift.actions.join(", "))} |`,
        ),
      ...(drifted.length > maxRows ? [`| ... | | | and ${drifted.length - maxRows} more: \`cerby-okta reconcile --json FILE\` has them all |`] : []),
    );
  }
  return `${lines.join("\n")}\n`;
}
