// Plans in Okta terms: a terminal summary for `plan`/`reconcile`, and a
// Markdown review for a pull-request comment. Stable for the same plan. Every
// string that came from Cerby is escaped for where it is shown.
import { addCalls, BUCKETS, totalCalls, type Bucket, type Calls } from "../domain/api-cost.ts";
import { isFirstSync, type PlanReport } from "../terraform/plan-report.ts";

import type { SavedPlan } from "../sync/saved-plans.ts";
import { BY_ID, chicletSign, describeAttribute, describeChanges, describeChiclet, type Naming } from "../domain/changes.ts";
import { escapeUnsafeCharacters } from "../text/characters.ts";
import { compareText, printable, shorten } from "../text/printable.ts";
import type { Drift, PlanWarning } from "../terraform/plan-report.ts";
import { namingOf, personName, renumberingSentence } from "../domain/readers.ts";
import { prLabels, readerLines, refusedAccounts, renumberings } from "./plan-readers.ts";
import { thousands } from "../text/numbers.ts";

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
export function describeDrift(drift: Drift, naming: Naming = BY_ID): string {
  // Plans saved by an earlier version carry only the address and actions.
  const changes = drift.changes ?? [];
  const what = changes.length > 0 ? changes.map((change) => describeAttribute(change, naming)).join("; ") : `changed (${drift.actions.join(", ")})`;
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

/** Lines a first sync shows per workspace before "... and N more" (its stacks together). */
export const FIRST_SYNC_LINES = 20;

/** A saved plan as the summary reads it: its report, and its workspace when known. */
type SummaryPlan = Pick<SavedPlan, "report"> & Partial<Pick<SavedPlan, "workspaceId">>;

/**
 * The plan in Okta terms, stack by stack, people and teams by name. A first
 * sync (thousands of "sees" lines) is folded per workspace: its counts, the
 * first lines, and where the rest is (`plan --json`).
 */
export function formatPlanSummary(plans: readonly SummaryPlan[], options: { firstSyncLines?: number } = {}): string {
  const workspaceOf = (plan: SummaryPlan) => plan.workspaceId ?? plan.report.stack;
  const firstSyncs = new Map<string, SummaryPlan[]>();
  for (const plan of plans) if (isFirstSync(plan.report)) firstSyncs.set(workspaceOf(plan), [...(firstSyncs.get(workspaceOf(plan)) ?? []), plan]);
  // A sharded workspace's stacks with nothing to say share one line: one change among 128 shards is one stack's lines, not 128.
  const quietShards = new Map<string, SummaryPlan[]>();
  const stacksOf = new Map<string, number>();
  for (const plan of plans) stacksOf.set(workspaceOf(plan), (stacksOf.get(workspaceOf(plan)) ?? 0) + 1);
  for (const plan of plans) {
    if (plan.workspaceId !== undefined && stacksOf.get(plan.workspaceId)! > 1 && isQuiet(plan.report)) quietShards.set(plan.workspaceId, [...(quietShards.get(plan.workspaceId) ?? []), plan]);
  }
  let text = "";
  for (const plan of plans) {
    const folded = firstSyncs.get(workspaceOf(plan));
    const quiet = quietShards.get(workspaceOf(plan));
    if (quiet && quiet.length > 1 && quiet.includes(plan)) {
      if (quiet[0] === plan) text += `${workspaceOf(plan)}: no changes in ${quiet.length} of its ${stacksOf.get(workspaceOf(plan))} stacks\n`;
    } else if (!isFirstSync(plan.report) || !folded) {
      text += `${plan.report.stack}: ${plan.report.hasChanges ? "changes" : "no changes"}\n`;
      for (const line of stackLines(plan.report)) text += `  ${line}\n`;
      if (plan.report.hasChanges) text += `  applying costs about ${describeCalls(plan.report.applyCalls)}\n  plan digest: ${plan.report.digest}\n`;
    } else if (folded[0] === plan) text += formatFirstSync(workspaceOf(plan), folded, options.firstSyncLines ?? FIRST_SYNC_LINES);
  }
  for (const line of readerLines(plans)) text += `${line}\n`;
  return text;
}

/** A workspace's first sync, its stacks together: counts, then at most `limit` lines of changes, then all that needs a person's eye. */
function formatFirstSync(workspaceId: string, plans: readonly SummaryPlan[], limit: number): string {
  const reports = plans.map((plan) => plan.report);
  const created = reports.reduce((sum, report) => sum + report.chiclets.filter((change) => change.kind === "create").length, 0);
  const grants = reports.reduce((sum, report) => sum + report.access.reduce((count, access) => count + access.gainedUsers.length + access.gainedGroups.length, 0), 0);
  const lines = reports.flatMap((report) => describeChanges(report, namingOf(report.readers)));
  const stacks = plans.length === 1 ? plans[0]!.report.stack : `${plans.length} stacks`;
  let text = `${workspaceId}: first sync (${stacks}): ${thousands(created)} chiclet${created === 1 ? "" : "s"} to create, ${thousands(grants)} grant${grants === 1 ? "" : "s"} of access to people and IdP groups\n`;
  for (const line of lines.slice(0, limit)) text += `  ${line}\n`;
  if (lines.length > limit) text += `  ... and ${thousands(lines.length - limit)} more: \`cerby-okta plan --json FILE\` lists every change (and each stack's plan digest)\n`;
  for (const line of reports.flatMap(attentionLines)) text += `  ${line}\n`;
  text += `  applying costs about ${describeCalls(addCalls(...reports.map((report) => report.applyCalls)))}\n`;
  return text;
}

/** Nothing to apply and nothing to say: no change, no apply record to write, no warning. */
function isQuiet(report: PlanReport): boolean {
  return !report.hasChanges && stackLines(report).length === 0;
}

/** A stack's changes in Okta terms, and what needs a person's eye. */
function stackLines(report: PlanReport): string[] {
  return [
    ...describeChanges(report, namingOf(report.readers)),
    ...(report.recordChanges && !report.hasChanges ? ["(apply records in the state that these files are applied; nothing changes in Okta)"] : []),
    ...attentionLines(report),
  ];
}

/** What needs a person's eye in a stack's plan: never folded away. */
function attentionLines(report: PlanReport): string[] {
  const naming = namingOf(report.readers);
  return [
    ...(report.oktaWarnings ?? []).map((warning) => `! ${warning}`),
    ...report.unresolvedPeople
      // One with a held or missing Okta user ID is named by its warning.
      .filter((person) => person.heldOktaUserId === undefined && person.missingOktaUserId === undefined)
      .map((person) => `! ${naming.person(person.cerbyUserId)}: Okta found nobody for ${printable(person.search, 100)}: their chiclets wait (set oktaUserId, or fix the email)`),
    ...(report.warnings ?? []).map((warning) => `! WARNING: ${describeWarning(warning)}`),
    ...report.drift.map((drift) => `! changed in Okta: ${describeDrift(drift, naming)}`),
  ];
}

/**
 * The digest of each stack's plan, first in the comment (a long one is cut at
 * its end), one line each: "- `ws-acme`: `sha256:...`". The apply-on-merge
 * workflow reads these lines (PLAN_DIGEST_LINE) from the review comment and
 * passes them to `apply --expect-digest`. Stack IDs are letters, digits, `-`
 * and `_`, and nothing from Cerby can start a line of the comment.
 */
function digestLines(changed: readonly SavedPlan[]): string[] {
  return [
    "<details><summary>Plan digests: on merge, only these exact plans are applied</summary>",
    "",
    ...changed.map((plan) => `- \`${plan.stack}\`: \`${plan.report.digest}\``),
    "",
    "</details>",
  ];
}

/** A digest line of a review comment: the stack, then its plan digest. */
export const PLAN_DIGEST_LINE = /^- `([A-Za-z0-9][A-Za-z0-9_-]*)`: `(sha256:[0-9a-f]{64})`$/gm;

/** Rows inside the folded section: keeps the whole comment under GitHub's size limit. */
const MAX_FOLDED_ROWS = 250;

/**
 * Text safe in a Markdown table cell or list item and in HTML, shown as it
 * is (quotes and backslashes included; invisible characters as escapes such
 * as `\u001b`; cut at `max`, by default Okta's label limit): no tag,
 * comment, entity, link, image, emphasis, strike-through, code span, math,
 * mention, issue reference or emoji can start from it (MARKDOWN_BREAK), and
 * `|` cannot end the cell. (It never starts a line, so list and heading
 * markers need no escape.)
 */
export function markdownText(value: string, max = 100): string {
  return markdownEscape(shown(value, max));
}

/** A value as the review shows it, before the Markdown escapes: literal, invisible characters written as escapes, long text cut. */
function shown(value: string, max: number): string {
  return shorten(escapeUnsafeCharacters(value), max);
}

/** People and IdP groups as the review names them (`login (cerby id)`, `Team (group id)`), before the Markdown escapes. */
function reviewNaming(names: SavedPlan["report"]["readers"]): Naming {
  return namingOf(names, (text) => shown(text, 100));
}

/** A value from Okta in a described change: as `shown`, never shorter than a whole label. */
const showValue = (value: string, max: number) => shown(value, Math.max(max, 100));

/**
 * An empty HTML comment: invisible, and not copied with the text. GitHub finds
 * mentions (`@team`), issue references (`org/repo#1`), emoji (`:x:`) and bare
 * links (`https://...`, `www.`) in the text after the Markdown is rendered,
 * where neither a backslash nor an entity is left: a comment right after an
 * `@`, `#` or `:` that something follows, or inside `www.`, splits the text
 * so that none is found (a name from Cerby must not notify anyone, link
 * anywhere or show as something else).
 */
export const MARKDOWN_BREAK = "<!-- -->";

/** The escapes of markdownText, for text already made safe to show (a Terraform address, a described change). */
function markdownEscape(value: string): string {
  return escapeUnsafeCharacters(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]!|~])/g, "\\$1")
    .replace(/[@#:](?=\S)/g, `$&${MARKDOWN_BREAK}`)
    .replace(/\b(www)\./gi, `$1${MARKDOWN_BREAK}.`)
    // GitHub reads `$...$` as math; an entity is a literal dollar sign (its `#` is ours: after the breaks).
    .replace(/\$/g, "&#36;");
}

/** Markdown for one pull-request comment: counts, a table of chiclet changes, warnings, detail folded. */
export function formatReviewMarkdown(plans: readonly SavedPlan[], options: { maxRows?: number } = {}): string {
  const maxRows = options.maxRows ?? 50;
  const cell = (value: string) => markdownText(value);
  const labels = prLabels(plans);
  const lines: string[] = [
    "## cerby-okta: planned Okta changes",
    "",
    `Pull-request labels: ${labels.length > 0 ? labels.map((label) => `\`${label}\``).join(", ") : "none"}`,
    "",
  ];
  const changed = plans.filter((plan) => plan.report.hasChanges);
  // Refused accounts change nothing in Okta: listed even when nothing else is.
  const refused = refusedAccounts(plans);
  if (refused.length > 0) {
    lines.push(
      "### Refused accounts",
      "",
      `> [!CAUTION]`,
      `> **${refused.length} account${refused.length === 1 ? " was" : "s were"} refused (R2) and will not be in Okta**; the \`okta:\` block needs an account owner whose workspace role may extend:`,
      ...refused.slice(0, maxRows).map((entry) => `> - ${cell(entry.workspaceId)}: account ${cell(entry.accountId)}: ${markdownText(entry.reason, 300)}`),
      ...(refused.length > maxRows ? [`> - ... and ${refused.length - maxRows} more: \`cerby-okta preview\` lists them all`] : []),
      "",
    );
  }
  if (changed.length === 0) {
    lines.push("No changes: Okta already matches the workspaces.");
    return `${lines.join("\n")}\n`;
  }
  lines.push(...digestLines(changed), "");

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
          .map((person) => cell(personName(plan.report.readers, person.cerbyUserId)))
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

  const renumbered = renumberings(changed);
  if (renumbered.length > 0) {
    lines.push(
      "Renumbered by another account's change (R4):",
      "",
      ...renumbered.slice(0, maxRows).map((entry) => `- ${cell(entry.stack)}: account ${cell(entry.accountId)}: ${renumberingSentence(entry, { label: (label) => `"${markdownText(label, 70)}"`, id: cell })}`),
      ...(renumbered.length > maxRows ? [`- ... and ${renumbered.length - maxRows} more`] : []),
      "",
    );
  }
  // One collapsed section per stack, as tfcmt folds each plan; GitHub caps a comment at
  // 65,536 characters, so past a row budget the JSON report (`plan --json`) has the rest.
  let budget = maxRows + MAX_FOLDED_ROWS;
  const header = ["| account | chiclet | gains access | loses access |", "| --- | --- | --- | --- |"];
  for (const plan of changed) {
    const rows = chicletRows(plan);
    if (rows.length === 0) continue;
    const shown = rows.slice(0, Math.max(0, budget));
    budget -= shown.length;
    lines.push(`<details><summary>${cell(plan.stack)}: ${rows.length} chiclet change${rows.length === 1 ? "" : "s"}</summary>`, "", ...header, ...shown);
    if (shown.length < rows.length) lines.push("", `... and ${rows.length - shown.length} more: run \`cerby-okta plan --json\` for every change.`);
    lines.push("", "</details>", "");
  }
  const drifted = changed.flatMap((plan) => plan.report.drift.map((drift) => ({ stack: plan.stack, drift, naming: reviewNaming(plan.report.readers) })));
  if (drifted.length > 0) {
    lines.push(
      `Changed in Okta since the last sync (drift, undone by the apply):`,
      "",
      "| stack | account | Terraform address | what changed in Okta |",
      "| --- | --- | --- | --- |",
      ...drifted
        .slice(0, maxRows)
        .map(
          ({ stack, drift, naming }) =>
            `| ${cell(stack)} | ${cell(drift.accountId ?? "")} | ${markdownEscape(terraformAddress(drift.address))} | ${markdownEscape((drift.changes ?? []).map((change) => describeAttribute(change, naming, showValue)).join("; ") || drift.actions.join(", "))} |`,
        ),
      ...(drifted.length > maxRows ? [`| ... | | | and ${drifted.length - maxRows} more: \`cerby-okta reconcile --json\` has them all |`] : []),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A stack's table rows: one per account whose chiclet or access changes, people named `login (cerby id)`, IdP groups by team name. */
function chicletRows(plan: SavedPlan): string[] {
  const { report } = plan;
  const names = report.readers;
  const accounts = new Set([...report.chiclets.map((change) => change.accountId), ...report.access.map((access) => access.accountId)]);
  return [...accounts].sort(compareText).map((accountId) => {
    const chiclet = report.chiclets.find((change) => change.accountId === accountId);
    const access = report.access.find((entry) => entry.accountId === accountId);
    const naming = reviewNaming(names);
    const who = (users: readonly string[] = [], groups: readonly string[] = []) =>
      [...users.map(naming.person), ...groups.map(naming.group)].map(markdownEscape).join(", ") || "-";
    const quote = (label: string) => `"${shown(label, 100)}"`;
    const what = chiclet ? `${chicletSign(chiclet)} ${markdownEscape(describeChiclet(chiclet, quote))}` : `access only: ${markdownEscape(quote(access!.label))}`;
    return `| ${markdownText(accountId)} | ${what} | ${who(access?.gainedUsers, access?.gainedGroups)} | ${who(access?.lostUsers, access?.lostGroups)} |`;
  });
}
