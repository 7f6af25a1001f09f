// The review Markdown writer on hostile names: each shown literally (quotes,
// backslashes, `${...}`, `%{...}` as typed; control characters as escapes),
// whole up to Okta's label limit, and unable to open a tag, comment, code
// span, table cell, math or details section. Rendered with `marked` (GFM, raw
// HTML passed on as GitHub does) to check the structure without a browser;
// test/cli/review-browser.test.ts opens the real command's review in one.
import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { formatReviewMarkdown, MARKDOWN_BREAK, markdownText } from "../../src/cli/format-plan.ts";
import type { SavedPlan } from "../../src/sync/saved-plans.ts";
import { readPlan } from "../../src/terraform/plan-report.ts";

const LONG = `Long ${"x|".repeat(40)}end - Instagram`; // 100 characters, as R3 keeps a label
const HOSTILE = {
  comment: "<!-- Comment - Instagram",
  details: '</details> ${file("/etc/passwd")} %{ if true }x%{ endif } - Tik|Tok',
  quoted: '"quoted" \\o/ `code` ```fence``` $x$ - Instagram',
  controls: "Edited\u001b[2J\n| x |\u202e - Instagram",
};

function hostilePlan(): SavedPlan {
  const base = readPlan("ws-hostile", { format_version: "1.2", resource_changes: [] });
  const report = {
    ...base,
    hasChanges: true,
    counts: { okta_app_bookmark: { create: 1, update: 2, delete: 1 } },
    accessLost: 1,
    existingAccess: 3,
    chiclets: [
      { accountId: "a-<!--", kind: "create" as const, label: HOSTILE.comment },
      { accountId: "a-long", kind: "relabel" as const, label: LONG, previousLabel: HOSTILE.controls },
      { accountId: "a-quoted", kind: "remove" as const, label: HOSTILE.quoted },
    ],
    access: [
      { accountId: "a-<!--", label: HOSTILE.comment, gainedUsers: ["u-<script>"], lostUsers: [], gainedGroups: ["00g1team"], lostGroups: [] },
      { accountId: "a-</details>", label: HOSTILE.details, gainedUsers: [], lostUsers: ["u-a|b"], gainedGroups: [], lostGroups: [] },
    ],
    drift: [
      {
        address: 'okta_app_bookmark.app["a-long"]',
        accountId: "a-long",
        label: LONG,
        actions: ["update"],
        changes: [{ attribute: "label" as const, before: LONG, after: HOSTILE.controls }],
      },
    ],
    readers: {
      org: "acme.okta.com",
      people: { "u-<script>": "<script>alert(1)</script>@evil.example", "u-a|b": "a|b`c`@evil.example" },
      teams: { "00g1team": "</details><!-- ${team} | `t`" },
      refused: [{ accountId: "a-refused|", reason: "extended by u-</details>, who does not hold the owner role on this account" }],
    },
  };
  return { stack: "ws-hostile", workspaceId: "ws-hostile", plannedAt: "2026-01-01T00:00:00Z", refreshed: true, report, accounts: {}, stackDigest: "" } as SavedPlan;
}

describe("the review Markdown of a hostile workspace", () => {
  const markdown = formatReviewMarkdown([hostilePlan()]);
  const html = marked.parse(markdown, { gfm: true, async: false });
  const rows = markdown.split("\n").filter((line) => line.startsWith("| a-"));

  it("shows each name literally in its table cell: quotes and backslashes as typed, control characters as escapes", () => {
    expect(rows).toEqual([
      `| a-&lt;\\!-- | + new chiclet "&lt;\\!-- Comment - Instagram" | &lt;script&gt;alert(1)&lt;/script&gt;@${MARKDOWN_BREAK}evil.example (u-&lt;script&gt;), &lt;/details&gt;&lt;\\!-- &#36;{team} \\| \\\`t\\\` (00g1team) | - |`,
      `| a-&lt;/details&gt; | access only: "&lt;/details&gt; &#36;{file("/etc/passwd")} %{ if true }x%{ endif } - Tik\\|Tok" | - | a\\|b\\\`c\\\`@${MARKDOWN_BREAK}evil.example (u-a\\|b) |`,
      `| a-long | ~ relabel "Edited\\\\u001b\\[2J\\\\u000a\\| x \\|\\\\u202e - Instagram" -&gt; "${LONG.replace(/\|/g, "\\|")}" | - | - |`,
      `| a-quoted | - remove chiclet "&quot;quoted&quot; \\\\o/ \\\`code\\\` \\\`\\\`\\\`fence\\\`\\\`\\\` &#36;x&#36; - Instagram" | - | - |`.replace(/&quot;/g, '"'),
    ]);
    // Every row has its four cells: no `|` of a name ends one.
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(6);
  });

  it("renders to HTML with no tag, comment or script of its own, every details section closed, and every section present", () => {
    // The only comments are the empty ones that break mentions and links (MARKDOWN_BREAK).
    expect(html.replaceAll(MARKDOWN_BREAK, "")).not.toMatch(/<script|<img|<!--|<\/?b>/);
    expect(html.match(/<details>/g)?.length).toBe(2);
    expect(html.match(/<\/details>/g)?.length).toBe(2);
    // The drift table and the cost line come after every hostile name.
    expect(html).toMatch(/Applying costs about[\s\S]*ws-hostile: 4 chiclet changes[\s\S]*Changed in Okta since the last sync/);
    expect(html).not.toMatch(/[\u001b\u202e]/);
  });

  it("lists the refused account with its reason, and the pull request's labels", () => {
    expect(markdown).toContain("> - ws-hostile: account a-refused\\|: extended by u-&lt;/details&gt;, who does not hold the owner role on this account");
    expect(markdown).toContain("Pull-request labels: `destroy`, `drift`\n");
    const undrifted = hostilePlan();
    expect(formatReviewMarkdown([{ ...undrifted, report: { ...undrifted.report, drift: [] } }])).toContain("Pull-request labels: `destroy`\n");
  });

  it("shows drift whole: a label up to Okta's limit is never cut", () => {
    expect(LONG).toHaveLength(100);
    expect(markdown).toContain(`label "${LONG.replace(/\|/g, "\\|")}" -&gt; "Edited\\\\u001b\\[2J\\\\u000a\\| x \\|\\\\u202e - Instagram"`);
  });

  it("names a person with a very long login by a cut login and the whole Cerby ID", () => {
    const plan = hostilePlan();
    const long = `${"l".repeat(300)}@evil.example`;
    const report = { ...plan.report, readers: { ...plan.report.readers!, people: { ...plan.report.readers!.people, "u-a|b": long } } };
    expect(formatReviewMarkdown([{ ...plan, report }])).toContain(`| - | ${"l".repeat(99)}… (u-a\\|b) |`);
  });

  it("cuts only past the limit it is given, and never starts a mention or math", () => {
    expect(markdownText("a".repeat(101))).toBe(`${"a".repeat(99)}…`);
    expect(markdownText("@team $1$ :x:")).toBe(`@${MARKDOWN_BREAK}team &#36;1&#36; :${MARKDOWN_BREAK}x:`);
    // A colon that ends a word starts nothing: left as it is.
    expect(markdownText("Team: Instagram")).toBe("Team: Instagram");
  });

  it("breaks what GitHub finds after rendering (mentions, issue references, emoji, bare links), invisibly", () => {
    const names = ["@acme/security", "ping @octocat now", "acme/infra#1 and #2", "GH:rocket:", "https://evil.example/login", "see www.evil.example", "a@b.example"];
    for (const name of names) {
      const text = markdownText(name);
      // Each `@`, `#` and `:` that something follows is followed by the break; `www.` is cut by one.
      expect(text.replace(/[@#:](<!-- -->)/g, "")).not.toMatch(/[@#:]\S/);
      expect(text).not.toMatch(/www\./i);
      // What a reader sees (the comments dropped, entities read) is the name as typed.
      const shownText = marked.parse(text, { gfm: true, async: false }).replaceAll(MARKDOWN_BREAK, "").replace(/<\/?p>\n?/g, "").replace(/&amp;/g, "&");
      expect(shownText).toBe(name);
      // No link of marked's own either (GFM's autolinks run on the text, as GitHub's do).
      expect(marked.parse(text, { gfm: true, async: false })).not.toContain("<a ");
    }
  });
});
