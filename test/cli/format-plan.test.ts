import { describe, expect, it } from "vitest";
import { formatPlanSummary, formatReviewMarkdown } from "../../src/cli/format-plan.ts";
import type { SavedPlan } from "../../src/sync/saved-plans.ts";
import { readPlan } from "../../src/terraform/plan-report.ts";

function bigPlan(apps: number): SavedPlan {
  const planJson = {
    format_version: "1.2",
    resource_changes: Array.from({ length: apps }, (_, index) => ({
      address: `okta_app_bookmark.app["a-${index}"]`,
      mode: "managed",
      type: "okta_app_bookmark",
      name: "app",
      index: `a-${index}`,
      change: { actions: ["create"], before: null, after: { label: `Brand ${index} - Instagram ${"x".repeat(40)}` } },
    })),
  };
  return { stack: "ws-big", workspaceId: "ws-big", plannedAt: "2026-01-01T00:00:00Z", refreshed: false, report: readPlan("ws-big", planJson), accounts: {}, stackDigest: "" };
}

describe("review Markdown", () => {
  it("folds each stack's table in a collapsed section and stays within one GitHub comment", () => {
    const markdown = formatReviewMarkdown([bigPlan(5000)]);
    expect(markdown.length).toBeLessThan(65_536);
    expect(markdown).toContain("<details><summary>ws-big: 5000 chiclet changes</summary>");
    expect(markdown).toContain("... and 4700 more: run `cerby-okta plan --json` for every change.");
    expect(markdown).toMatch(/\| ws-big \| `okta_app_bookmark` \| 5000 \| 0 \| 0 \| 0 \| 0 \|/);
  });

  it("is the same text for the same plan", () => {
    expect(formatReviewMarkdown([bigPlan(30)])).toBe(formatReviewMarkdown([bigPlan(30)]));
  });

  it("escapes table breakers and control characters in labels", () => {
    const plan = bigPlan(1);
    const hostile = { ...plan, report: { ...plan.report, chiclets: [{ accountId: "a-0", kind: "create" as const, label: "A | B `x`\u001b[2J" }] } };
    const markdown = formatReviewMarkdown([hostile]);
    expect(markdown).toContain("A \\| B \\`x\\`\\\\u001b\\[2J");
    expect(markdown).not.toContain("\u001b");
  });

  it("escapes HTML in labels, so that a <!-- cannot hide the rest of the comment (the removal warning included)", () => {
    const plan = bigPlan(1);
    const chiclets = [
      { accountId: "a-0", kind: "remove" as const, label: "Evil <!-- - Instagram" },
      { accountId: "a-<!--", kind: "create" as const, label: "<script>alert(1)</script> & [link](https://x.example) *bold* @team" },
    ];
    const markdown = formatReviewMarkdown([{ ...plan, report: { ...plan.report, chiclets, appsRemoved: 1 } }]);
    expect(markdown).not.toMatch(/<!--|<script|[^\\]\]\(https/);
    expect(markdown).toContain("Evil &lt;\\!-- - Instagram");
    expect(markdown).toContain("&lt;script&gt;");
    expect(markdown).toContain("&#64;team");
    // Everything after the hostile label is still there.
    expect(markdown).toContain("[!WARNING]");
    expect(markdown).toMatch(/Applying costs about/);
  });

  it("names people held or left out once, by their warning, in the terminal and in the review; others still wait by login", () => {
    const plan = bigPlan(1);
    const report = {
      ...plan.report,
      unresolvedPeople: [
        { cerbyUserId: "u-erin", search: 'profile.login eq "erin@x"', heldOktaUserId: "00u1erin" },
        { cerbyUserId: "u-bob", search: 'profile.login eq "bob@x"', missingOktaUserId: "00u1bob" },
        { cerbyUserId: "u-dan", search: 'profile.login eq "dan@x"' },
      ],
      oktaWarnings: ["u-erin: held: login no longer matches erin@x; was 00u1erin. They keep <b>|", "bob@x (u-bob): Okta has no user 00u1bob"],
    };
    const summary = formatPlanSummary([{ ...plan, report }]);
    expect(summary).toContain("  ! u-erin: held: login no longer matches erin@x; was 00u1erin.");
    expect(summary).toContain("  ! bob@x (u-bob): Okta has no user 00u1bob\n");
    expect(summary).toContain("  ! u-dan: Okta found nobody for");
    expect(summary).not.toContain("u-erin: Okta found nobody");
    expect(summary).not.toContain("u-bob: Okta found nobody");
    const markdown = formatReviewMarkdown([{ ...plan, report }]);
    expect(markdown).toContain("> - u-erin: held: login no longer matches erin&#64;x; was 00u1erin. They keep &lt;b&gt;\\|");
    expect(markdown).toContain("Okta found nobody for 1 login**; their chiclets wait: u-dan");
  });
});

describe("a plan that only writes the apply record (after a backend move or an adoption)", () => {
  const record = (name: string) => ({
    address: `terraform_data.${name}`,
    mode: "managed",
    type: "terraform_data",
    name,
    change: { actions: ["update"], before: { input: { config: "a" } }, after: { input: { config: "b" } } },
  });
  const report = readPlan("ws-a", { format_version: "1.2", resource_changes: [record("cerby_okta_apply_started"), record("cerby_okta_apply_done")] });
  const plan: SavedPlan = { stack: "ws-a", workspaceId: "ws-a", plannedAt: "2026-01-01T00:00:00Z", refreshed: false, report, accounts: {}, stackDigest: "" };

  it("is no change in Okta terms, and says that apply records it", () => {
    expect(report).toMatchObject({ hasChanges: false, recordChanges: 2, counts: {}, chiclets: [], access: [] });
    expect(formatPlanSummary([plan])).toBe("ws-a: no changes\n  (apply records in the state that these files are applied; nothing changes in Okta)\n");
    expect(formatReviewMarkdown([plan])).toContain("No changes: Okta already matches the workspaces.");
  });
});
