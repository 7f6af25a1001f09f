import { describe, expect, it } from "vitest";
import { FIRST_SYNC_LINES, formatPlanSummary, formatReviewMarkdown, MARKDOWN_BREAK, PLAN_DIGEST_LINE } from "../../src/cli/format-plan.ts";
import { parseExpectedDigests, refuseUnreviewed } from "../../src/sync/apply.ts";
import type { SavedPlan } from "../../src/sync/saved-plans.ts";
import { readPlan } from "../../src/terraform/plan-report.ts";
import { createdAppsPlan } from "../support/created-apps-plan.ts";

describe("review Markdown", () => {
  it("folds each stack's table in a collapsed section and stays within one GitHub comment", () => {
    const markdown = formatReviewMarkdown([createdAppsPlan(5000)]);
    expect(markdown.length).toBeLessThan(65_536);
    expect(markdown).toContain("<details><summary>ws-big: 5000 chiclet changes</summary>");
    expect(markdown).toContain("... and 4700 more: run `cerby-okta plan --json` for every change.");
    expect(markdown).toMatch(/\| ws-big \| `okta_app_bookmark` \| 5000 \| 0 \| 0 \| 0 \| 0 \|/);
  });

  it("is the same text for the same plan", () => {
    expect(formatReviewMarkdown([createdAppsPlan(30)])).toBe(formatReviewMarkdown([createdAppsPlan(30)]));
  });

  it("escapes table breakers and control characters in labels", () => {
    const plan = createdAppsPlan(1);
    const hostile = { ...plan, report: { ...plan.report, chiclets: [{ accountId: "a-0", kind: "create" as const, label: "A | B `x`\u001b[2J" }] } };
    const markdown = formatReviewMarkdown([hostile]);
    expect(markdown).toContain("A \\| B \\`x\\`\\\\u001b\\[2J");
    expect(markdown).not.toContain("\u001b");
  });

  it("escapes HTML in labels, so that a <!-- cannot hide the rest of the comment (the removal warning included)", () => {
    const plan = createdAppsPlan(1);
    const chiclets = [
      { accountId: "a-0", kind: "remove" as const, label: "Evil <!-- - Instagram" },
      { accountId: "a-<!--", kind: "create" as const, label: "<script>alert(1)</script> & [link](https://x.example) *bold* @team" },
    ];
    const markdown = formatReviewMarkdown([{ ...plan, report: { ...plan.report, chiclets, appsRemoved: 1 } }]);
    // The only comments are the empty ones that break mentions and links.
    expect(markdown.replaceAll(MARKDOWN_BREAK, "")).not.toMatch(/<!--|<script|[^\\]\]\(https/);
    expect(markdown).toContain("Evil &lt;\\!-- - Instagram");
    expect(markdown).toContain("&lt;script&gt;");
    expect(markdown).toContain(`@${MARKDOWN_BREAK}team`);
    // Everything after the hostile label is still there.
    expect(markdown).toContain("[!WARNING]");
    expect(markdown).toMatch(/Applying costs about/);
  });

  it("names people held or left out once, by their warning, in the terminal and in the review; others still wait by login", () => {
    const plan = createdAppsPlan(1);
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
    expect(markdown).toContain(`> - u-erin: held: login no longer matches erin@${MARKDOWN_BREAK}x; was 00u1erin. They keep &lt;b&gt;\\|`);
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

describe("the terminal summary of a sharded workspace", () => {
  const relabel = {
    format_version: "1.2",
    resource_changes: [{ address: 'okta_app_bookmark.app["a-3"]', mode: "managed", type: "okta_app_bookmark", name: "app", index: "a-3", change: { actions: ["update"], before: { label: "Old - Instagram" }, after: { label: "New - Instagram" } } }],
  };
  const shard = (stack: string, planJson: object = { format_version: "1.2", resource_changes: [] }, workspaceId = "ws-big"): SavedPlan => ({
    stack,
    workspaceId,
    plannedAt: "2026-01-01T00:00:00Z",
    refreshed: false,
    report: readPlan(stack, planJson),
    accounts: {},
    stackDigest: "",
  });

  it("gives the shards with nothing to say one line, and the changed shard its own lines", () => {
    const plans = [shard("ws-big-s000"), shard("ws-big-s001", relabel), shard("ws-big-s002"), shard("ws-big-s003"), shard("ws-one", undefined, "ws-one")];
    const text = formatPlanSummary(plans);
    expect(text.split("\n").filter((line) => !line.startsWith("  "))).toEqual(["ws-big: no changes in 3 of its 4 stacks", "ws-big-s001: changes", "ws-one: no changes", ""]);
    expect(text).toContain('  ~ a-3: relabel "Old - Instagram" -> "New - Instagram"');
  });

  it("names a lone quiet shard as before, and keeps a shard with a warning or a record to write on its own line", () => {
    const records = {
      format_version: "1.2",
      resource_changes: ["cerby_okta_apply_started", "cerby_okta_apply_done"].map((name) => ({ address: `terraform_data.${name}`, mode: "managed", type: "terraform_data", name, change: { actions: ["update"], before: {}, after: {} } })),
    };
    expect(formatPlanSummary([shard("ws-big-s000"), shard("ws-big-s001", relabel)])).toMatch(/^ws-big-s000: no changes\nws-big-s001: changes\n/);
    const text = formatPlanSummary([shard("ws-big-s000"), shard("ws-big-s001", records), shard("ws-big-s002")]);
    expect(text).toMatch(/^ws-big: no changes in 2 of its 3 stacks\nws-big-s001: no changes\n  \(apply records in the state/);
  });
});

describe("plan digests", () => {
  const digestsOf = (markdown: string) => new Map([...markdown.matchAll(PLAN_DIGEST_LINE)].map((match) => [match[1]!, match[2]!]));

  it("are printed in the review, one line per stack with changes, and read back as they were", () => {
    const markdown = formatReviewMarkdown([createdAppsPlan(3), { ...createdAppsPlan(0), stack: "ws-quiet" }]);
    expect(digestsOf(markdown)).toEqual(new Map([["ws-big", createdAppsPlan(3).report.digest]]));
    expect(createdAppsPlan(3).report.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Before the tables: a comment cut at its end keeps them.
    expect(markdown.indexOf("sha256:")).toBeLessThan(markdown.indexOf("| stack |"));
  });

  it("are the same for the same plan and differ when the plan does", () => {
    expect(createdAppsPlan(3).report.digest).toBe(createdAppsPlan(3).report.digest);
    expect(createdAppsPlan(4).report.digest).not.toBe(createdAppsPlan(3).report.digest);
  });

  it("cannot be forged by a label", () => {
    const plan = createdAppsPlan(1);
    const forged = `x\n- \`ws-evil\`: \`sha256:${"0".repeat(64)}\``;
    const markdown = formatReviewMarkdown([{ ...plan, report: { ...plan.report, chiclets: [{ accountId: "a-0", kind: "create" as const, label: forged }] } }]);
    expect([...digestsOf(markdown).keys()]).toEqual(["ws-big"]);
  });

  it("let apply --expect-digest apply only the plans reviewed", () => {
    const reviewed = parseExpectedDigests([`ws-big=${createdAppsPlan(3).report.digest}`]);
    expect(() => refuseUnreviewed([createdAppsPlan(3), { ...createdAppsPlan(0), stack: "ws-quiet" }], reviewed)).not.toThrow();
    expect(() => refuseUnreviewed([createdAppsPlan(4)], reviewed)).toThrow(/ws-big: the plan is sha256:[0-9a-f]+, the review showed sha256:[0-9a-f]+[\s\S]*nothing was changed|nothing was changed[\s\S]*ws-big: the plan is/);
    expect(() => refuseUnreviewed([{ ...createdAppsPlan(3), stack: "ws-other" }], reviewed)).toThrow(/ws-other: has changes .* but no reviewed plan digest was given/);
    expect(() => parseExpectedDigests(["ws-big=abc"])).toThrow(/expected <stack>=sha256:<64 hex digits>/);
  });
});

describe("the plan summary of a first sync", () => {
  /** A shard's first sync: `apps` apps, each seen by two people. */
  function firstSyncShard(stack: string, apps: number, from: number): SavedPlan {
    const changes = Array.from({ length: apps }, (_, offset) => {
      const id = `a-${from + offset}`;
      return [
        { address: `okta_app_bookmark.app["${id}"]`, mode: "managed", type: "okta_app_bookmark", name: "app", index: id, change: { actions: ["create"], before: null, after: { label: `Brand ${id} - Instagram` } } },
        {
          address: `okta_group_memberships.access_members["${id}"]`,
          mode: "managed",
          type: "okta_group_memberships",
          name: "access_members",
          index: id,
          change: { actions: ["create"], before: null, after: { users: ["00u1", "00u2"] } },
        },
      ];
    });
    const report = readPlan(stack, { format_version: "1.2", resource_changes: changes.flat() }, { oktaToCerby: new Map([["00u1", "u-1"], ["00u2", "u-2"]]) });
    return { stack, workspaceId: "ws-big", shards: 2, plannedAt: "2026-01-01T00:00:00Z", refreshed: false, report, accounts: {}, stackDigest: "" };
  }

  it("is folded per workspace: counts, the first lines, and where the rest is", () => {
    const text = formatPlanSummary([firstSyncShard("ws-big-s000", 300, 0), firstSyncShard("ws-big-s001", 200, 300)]);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("ws-big: first sync (2 stacks): 500 chiclets to create, 1,000 grants of access to people and IdP groups");
    expect(lines).toHaveLength(1 + FIRST_SYNC_LINES + 2);
    expect(lines[1]).toBe('  + a-0: new chiclet "Brand a-0 - Instagram"');
    expect(lines.at(-2)).toBe("  ... and 1,480 more: `cerby-okta plan --json FILE` lists every change (and each stack's plan digest)");
    expect(lines.at(-1)).toMatch(/^ {2}applying costs about [\d,]+ Okta API calls/);
    expect(text).not.toContain("ws-big-s001: changes");
  });

  it("leaves later syncs as they were: every line, per stack, with its digest", () => {
    const first = firstSyncShard("ws-big-s000", 3, 0);
    const later = { ...first, report: { ...first.report, existingApps: 10 } };
    const text = formatPlanSummary([later]);
    expect(text.split("\n")[0]).toBe("ws-big-s000: changes");
    expect(text).toContain('  + u-2 sees "Brand a-2 - Instagram"');
    expect(text).toContain(`  plan digest: ${first.report.digest}`);
  });
});
