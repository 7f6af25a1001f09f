import { describe, expect, it } from "vitest";
import { formatPlanSummary, formatReviewMarkdown, MARKDOWN_BREAK } from "../../src/cli/format-plan.ts";
import { prLabels, planDocument } from "../../src/cli/plan-readers.ts";
import { explainRenumbering, namingOf, renumberingSentence, type StackReaders } from "../../src/domain/readers.ts";
import type { SavedPlan } from "../../src/sync/saved-plans.ts";
import { readPlan } from "../../src/terraform/plan-report.ts";

const names = (people: Record<string, string>, teams: Record<string, string> = {}) => ({ people, teams });

function saved(stack: string, resourceChanges: unknown[], readers: StackReaders): SavedPlan {
  const report = readPlan(stack, { format_version: "1.2", resource_changes: resourceChanges }, { oktaToCerby: new Map([["00u1dave", "u-dave"], ["00u1mal", "u-mal"]]), readers });
  return { stack, workspaceId: stack, plannedAt: "2026-01-01T00:00:00Z", refreshed: false, report, accounts: {}, stackDigest: "" };
}

const bookmark = (accountId: string, actions: string[], before: string | null, after: string | null) => ({
  address: `okta_app_bookmark.app["${accountId}"]`,
  mode: "managed",
  type: "okta_app_bookmark",
  name: "app",
  index: accountId,
  change: { actions, before: before === null ? null : { label: before }, after: after === null ? null : { label: after } },
});

const members = (accountId: string, before: string[], after: string[]) => ({
  address: `okta_group_memberships.access_members["${accountId}"]`,
  mode: "managed",
  type: "okta_group_memberships",
  name: "access_members",
  index: accountId,
  change: { actions: ["update"], before: { users: before }, after: { users: after } },
});

const assignments = (accountId: string, before: string[], after: string[]) => ({
  address: `okta_app_group_assignments.assignments["${accountId}"]`,
  mode: "managed",
  type: "okta_app_group_assignments",
  name: "assignments",
  index: accountId,
  change: { actions: ["update"], before: { group: before.map((id) => ({ id })) }, after: { group: after.map((id) => ({ id })) } },
});

describe("people and teams by name", () => {
  it("names a person `login (cerby id)` and an IdP group by its team, each escaped on its own", () => {
    const naming = namingOf(names({ "u-dave": "dave@acme.example", "u-evil": "evil\u001b[2J@x.example" }, { "00g1social": "Social Media" }));
    expect(naming.person("u-dave")).toBe("dave@acme.example (u-dave)");
    expect(naming.person("u-unknown")).toBe("u-unknown");
    expect(naming.person("u-evil")).toBe("evil\\u001b[2J@x.example (u-evil)");
    expect(naming.group("00g1social")).toBe("Social Media (00g1social)");
    expect(naming.group("00g1other")).toBe("group 00g1other");
    // An ID that is an Object.prototype key is a key like any other.
    expect(naming.person("__proto__")).toBe("__proto__");
  });

  it("plan lines and the review table say who gains and who loses, by name", () => {
    const readers: StackReaders = {
      ...names({ "u-dave": "dave@acme.example", "u-mal": "<img src=x>@evil" }, { "00g1social": "Social | Media" }),
      org: "acme.okta.com",
      refused: [],
    };
    const mapped = saved("ws-acme", [members("a-1", ["00u1dave"], ["00u1mal"]), assignments("a-1", [], ["00g1social"])], readers);
    const text = formatPlanSummary([mapped]);
    expect(text).toContain('- dave@acme.example (u-dave) no longer sees "a-1"');
    expect(text).toContain('+ Social | Media (00g1social) sees "a-1"');
    const markdown = formatReviewMarkdown([mapped]);
    expect(markdown).toContain(`| a-1 | access only: "a-1" | &lt;img src=x&gt;@${MARKDOWN_BREAK}evil (u-mal), Social \\| Media (00g1social) | dave@${MARKDOWN_BREAK}acme.example (u-dave) |`);
    expect(markdown).not.toContain("<img");
    // The JSON has the IDs where they were, and the names of those it mentions.
    expect(mapped.report.access[0]!.lostUsers).toEqual(["u-dave"]);
    expect({ ...mapped.report.readers?.people }).toEqual({ "u-dave": "dave@acme.example", "u-mal": "<img src=x>@evil" });
    expect({ ...mapped.report.readers?.teams }).toEqual({ "00g1social": "Social | Media" });
  });
});

describe("drift names people too", () => {
  it("says who was added to an access group in the console, by login and Cerby ID", () => {
    const readers: StackReaders = { ...names({ "u-dave": "dave@acme.example", "u-mal": "mal@evil.example" }), org: "o", refused: [] };
    const planJson = {
      format_version: "1.2",
      resource_changes: [members("a-1", ["00u1dave", "00u1mal"], ["00u1dave"])],
      resource_drift: [{ ...members("a-1", ["00u1dave"], ["00u1dave", "00u1mal"]) }],
    };
    const report = readPlan("ws-acme", planJson, { oktaToCerby: new Map([["00u1dave", "u-dave"], ["00u1mal", "u-mal"]]), readers });
    const plan: SavedPlan = { stack: "ws-acme", workspaceId: "ws-acme", plannedAt: "", refreshed: true, report, accounts: {}, stackDigest: "" };
    expect(formatPlanSummary([plan])).toContain("added to its access group: mal@evil.example (u-mal)");
    expect(formatReviewMarkdown([plan])).toContain(`added to its access group: mal@${MARKDOWN_BREAK}evil.example (u-mal)`);
  });
});

describe("refused accounts (R2)", () => {
  const refused: StackReaders = { people: {}, teams: {}, org: "acme.okta.com", refused: [{ accountId: "a-brand-x", reason: "extended by u-bob, who does not hold the owner role on this account" }] };

  it("are listed in plan, in the review (even with no change) and in --json, once per workspace", () => {
    const shard = (stack: string) => ({ ...saved(stack, [], refused), workspaceId: "ws-acme" });
    const plans = [shard("ws-acme-1"), shard("ws-acme-2")];
    expect(formatPlanSummary(plans)).toContain(
      "refused accounts (R2: not extended to Okta; fix the okta: block or ask an account owner): 1\n  ! ws-acme: account a-brand-x refused: extended by u-bob, who does not hold the owner role on this account\n",
    );
    const markdown = formatReviewMarkdown(plans);
    expect(markdown).toContain("### Refused accounts");
    expect(markdown).toContain("> - ws-acme: account a-brand-x: extended by u-bob, who does not hold the owner role on this account");
    expect(markdown).toContain("No changes: Okta already matches the workspaces.");
    expect(planDocument(plans).refused).toEqual([{ workspaceId: "ws-acme", accountId: "a-brand-x", reason: "extended by u-bob, who does not hold the owner role on this account" }]);
  });
});

describe("renumbering (R4)", () => {
  it("names the account whose rename freed the number", () => {
    const renumbered = explainRenumbering([
      { stack: "ws-acme", org: "acme", accountId: "a-backup", before: "Contentzilla - Instagram (2)", after: "Archive - Instagram" },
      { stack: "ws-eu", org: "acme", accountId: "a-eu", before: "Contentzilla - Instagram (3)", after: "Contentzilla - Instagram (2)" },
      { stack: "ws-other", org: "other", accountId: "a-x", before: "Contentzilla - Instagram" },
    ]);
    expect(renumbered.map((entry) => renumberingSentence(entry))).toEqual([
      '"Contentzilla - Instagram (3)" -> "Contentzilla - Instagram (2)" only renumbers (R4) because account a-backup (stack ws-acme) was renamed from "Contentzilla - Instagram (2)" to "Archive - Instagram"',
    ]);
  });

  it("names a removed account, and says so when the cause is not in the plan", () => {
    const removed = explainRenumbering([
      { stack: "ws-acme", org: "acme", accountId: "a-1", before: "X - Y" },
      { stack: "ws-acme", org: "acme", accountId: "a-2", before: "X - Y (2)", after: "X - Y" },
    ]);
    expect(renumberingSentence(removed[0]!)).toBe('"X - Y (2)" -> "X - Y" only renumbers (R4) because account a-1 (stack ws-acme) was removed ("X - Y")');
    const alone = explainRenumbering([{ stack: "ws-acme", org: "acme", accountId: "a-2", before: "X - Y (2)", after: "X - Y" }]);
    expect(renumberingSentence(alone[0]!)).toBe('"X - Y (2)" -> "X - Y" only renumbers (R4); the account whose change freed or took its number is not in this plan');
  });

  it("is said in plan and in the review, across the stacks of one org", () => {
    const org = (): StackReaders => ({ people: {}, teams: {}, org: "acme.okta.com", refused: [] });
    const plans = [
      saved("ws-acme", [bookmark("a-backup", ["update"], "Contentzilla - Instagram (2)", "Archive - Instagram")], org()),
      saved("ws-eu", [bookmark("a-eu", ["update"], "Contentzilla - Instagram (3)", "Contentzilla - Instagram (2)")], org()),
    ];
    expect(formatPlanSummary(plans)).toContain(
      'ws-eu: ~ a-eu: "Contentzilla - Instagram (3)" -> "Contentzilla - Instagram (2)" only renumbers (R4) because account a-backup (stack ws-acme) was renamed',
    );
    expect(formatReviewMarkdown(plans)).toContain(`- ws-eu: account a-eu: "Contentzilla - Instagram (3)" -> "Contentzilla - Instagram (2)" only renumbers (R4) because account a-backup (stack ws-acme) was renamed from "Contentzilla - Instagram (2)" to "Archive - Instagram"`);
  });
});

describe("hostile names in the review", () => {
  it("cannot hide the rest of the comment from a refused account's reason or a renumbered label", () => {
    const readers: StackReaders = { people: {}, teams: {}, org: "o", refused: [{ accountId: "a-<!--", reason: "extended by u-<!--x @team, who does not hold the owner role" }] };
    const plans = [
      saved("ws-a", [bookmark("a-1", ["delete"], "Evil <!-- - X", null)], readers),
      saved("ws-b", [bookmark("a-2", ["update"], "Evil <!-- - X (2)", "Evil <!-- - X")], readers),
    ];
    const markdown = formatReviewMarkdown(plans);
    expect(markdown.replaceAll(MARKDOWN_BREAK, "")).not.toContain("<!--");
    expect(markdown).toContain(`account a-&lt;\\!--: extended by u-&lt;\\!--x @${MARKDOWN_BREAK}team`);
    expect(markdown).toContain('"Evil &lt;\\!-- - X (2)" -> "Evil &lt;\\!-- - X" only renumbers (R4) because account a-1 (stack ws-a) was removed ("Evil &lt;\\!-- - X")');
    expect(markdown).toContain("<details><summary>ws-b: 1 chiclet change</summary>");
  });
});

describe("pull-request labels", () => {
  const none: StackReaders = { people: {}, teams: {}, org: "o", refused: [] };
  it("are no-changes, destroy and drift as tfcmt sets them", () => {
    expect(prLabels([saved("s", [], none)])).toEqual(["no-changes"]);
    expect(prLabels([saved("s", [bookmark("a-1", ["create"], null, "A - B")], none)])).toEqual([]);
    expect(prLabels([saved("s", [bookmark("a-1", ["delete"], "A - B", null)], none)])).toEqual(["destroy"]);
    expect(prLabels([saved("s", [members("a-1", ["00u1dave"], [])], none)])).toEqual(["destroy"]);
    const drifted = saved("s", [], none);
    const withDrift = { ...drifted, report: { ...drifted.report, drift: [{ address: "x", actions: ["update"], accountId: "a-1", label: "A", changes: [] }] } };
    expect(prLabels([withDrift])).toEqual(["drift"]);
  });
});
