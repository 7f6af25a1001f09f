// Drift and adoptions in Okta terms, read from plans recorded through the
// real Terraform, the stand-in provider and the emulator
// (test/fixtures/plans/): an admin pointed one app's URL at another host,
// deactivated another, relabelled a third and edited its members and groups;
// an app adopted from Okta was deactivated and pointed elsewhere.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatPlanSummary, formatReviewMarkdown, MARKDOWN_BREAK } from "../../src/cli/format-plan.ts";
import type { SavedPlan } from "../../src/sync/saved-plans.ts";
import { readPlan } from "../../src/terraform/plan-report.ts";

const fixture = (name: string) => JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "fixtures", "plans", name), "utf8"));
const people = new Map([
  ["00ualice", "u-alice"],
  ["00ubob", "u-bob"],
  ["00ucarol", "u-carol"],
]);

function saved(name: string): SavedPlan {
  const report = readPlan("ws-drift", fixture(name), { oktaToCerby: people });
  return { stack: "ws-drift", workspaceId: "ws-drift", plannedAt: "2026-01-01T00:00:00Z", refreshed: true, report, accounts: {}, stackDigest: "" };
}

describe("drift read from a reconcile plan", () => {
  const report = saved("reconcile-drift.json").report;
  const byAddress = new Map(report.drift.map((drift) => [drift.address, drift]));

  it("says what changed in Okta, attribute by attribute, with addresses as Terraform writes them", () => {
    expect([...byAddress.keys()]).toEqual([
      'okta_app_bookmark.app["a-members"]',
      'okta_app_group_assignments.assignments["a-members"]',
      'okta_group_memberships.access_members["a-members"]',
      'okta_app_bookmark.app["a-quiet"]',
      'okta_app_bookmark.app["a-vendor-portal"]',
    ]);
    expect(byAddress.get('okta_app_bookmark.app["a-vendor-portal"]')!.changes).toEqual([
      {
        attribute: "url",
        before: "https://vendor.example/accounts/a-vendor-portal/login",
        after: "https://evil.example/x",
        beforeHost: "vendor.example",
        afterHost: "evil.example",
      },
    ]);
    expect(byAddress.get('okta_app_bookmark.app["a-quiet"]')!.changes).toEqual([{ attribute: "status", before: "ACTIVE", after: "INACTIVE" }]);
    expect(byAddress.get('okta_app_bookmark.app["a-members"]')!.changes).toEqual([{ attribute: "label", before: "a-members - Portal", after: "Renamed - Portal" }]);
    expect(byAddress.get('okta_group_memberships.access_members["a-members"]')!.changes).toEqual([{ attribute: "people", added: ["u-carol"], removed: ["u-bob"] }]);
    expect(byAddress.get('okta_app_group_assignments.assignments["a-members"]')!.changes).toEqual([{ attribute: "groups", added: [], removed: ["00gsocial"] }]);
  });

  it("warns of a URL moved to another host, on its own", () => {
    expect(report.warnings).toEqual([
      {
        accountId: "a-vendor-portal",
        label: "a-vendor-portal - Portal",
        message:
          "its URL was moved to another host in Okta: evil.example (https://evil.example/x), was vendor.example; people clicking the chiclet are sent there until the apply points it back",
      },
    ]);
  });

  it("prints drift in the terminal in Okta terms: a deactivation hides the chiclet from everyone, addresses pasteable into terraform state", () => {
    const text = formatPlanSummary([saved("reconcile-drift.json")]);
    expect(text).toContain(
      '  ! WARNING: chiclet "a-vendor-portal - Portal" (account a-vendor-portal): its URL was moved to another host in Okta: evil.example (https://evil.example/x), was vendor.example',
    );
    expect(text).toContain(
      '  ! changed in Okta: okta_app_bookmark.app["a-vendor-portal"], chiclet "a-vendor-portal - Portal" (account a-vendor-portal): URL https://vendor.example/accounts/a-vendor-portal/login -> https://evil.example/x (another host: vendor.example -> evil.example)',
    );
    expect(text).toContain(
      '  ! changed in Okta: okta_app_bookmark.app["a-quiet"], chiclet "a-quiet - Portal" (account a-quiet): deactivated (status ACTIVE -> INACTIVE): its chiclet is hidden from everyone',
    );
    expect(text).toContain('okta_group_memberships.access_members["a-members"], chiclet "a-members - Portal" (account a-members): added to its access group: u-carol; removed from its access group: u-bob');
    expect(text).toContain('okta_app_group_assignments.assignments["a-members"], chiclet "a-members - Portal" (account a-members): unassigned: group 00gsocial');
    // What the apply does, in the same terms.
    expect(text).toContain('~ a-quiet: update "a-quiet - Portal": reactivated (status INACTIVE -> ACTIVE): its chiclet shows again to everyone assigned');
    expect(text).toContain('~ a-vendor-portal: update "a-vendor-portal - Portal": URL https://evil.example/x -> https://vendor.example/accounts/a-vendor-portal/login (another host: evil.example -> vendor.example)');
    expect(text).not.toContain('\\"');
  });

  it("shows the same drift and warning in the review Markdown", () => {
    const markdown = formatReviewMarkdown([saved("reconcile-drift.json")]);
    expect(markdown).toContain("> **ws-drift: 1 chiclet pointing at another host:**");
    expect(markdown).toContain("Changed in Okta since the last sync (drift, undone by the apply):");
    expect(markdown).toContain('| ws-drift | a-quiet | okta\\_app\\_bookmark.app\\["a-quiet"\\] | deactivated (status ACTIVE -&gt; INACTIVE): its chiclet is hidden from everyone |');
    expect(markdown).toContain("another host: vendor.example -&gt; evil.example");
  });

  it("keeps every detail in the JSON report", () => {
    const json = JSON.parse(JSON.stringify(report));
    expect(json.drift.find((drift: { accountId: string }) => drift.accountId === "a-vendor-portal").changes[0].afterHost).toBe("evil.example");
    expect(json.warnings).toHaveLength(1);
  });
});

describe("an adoption read from a plan that imports", () => {
  it("shows every attribute the import changes: the URL and its host, the status", () => {
    const plan = saved("adopt-import.json");
    const adopted = plan.report.chiclets.find((change) => change.kind === "adopt")!;
    expect(adopted.attributes).toEqual([
      { attribute: "url", before: "https://evil.example/x", after: "https://vendor.example/accounts/a-vendor-portal/login", beforeHost: "evil.example", afterHost: "vendor.example" },
      { attribute: "status", before: "INACTIVE", after: "ACTIVE" },
    ]);
    const text = formatPlanSummary([plan]);
    expect(text).toMatch(
      /<= a-vendor-portal: adopt the existing Okta app 0oa\w+ as "a-vendor-portal - Portal" \(imported, not recreated\); the import changes it: URL https:\/\/evil\.example\/x -> https:\/\/vendor\.example\/accounts\/a-vendor-portal\/login \(another host: evil\.example -> vendor\.example\); reactivated \(status INACTIVE -> ACTIVE\)/,
    );
    expect(text).toContain("! WARNING: chiclet \"a-vendor-portal - Portal\" (account a-vendor-portal): the Okta app being adopted points at another host: evil.example (https://evil.example/x), to become vendor.example; the import repoints it");
    const markdown = formatReviewMarkdown([plan]);
    // Shown as text, never as a link to click (MARKDOWN_BREAK).
    expect(markdown).toContain(
      `the import changes it: URL https:${MARKDOWN_BREAK}//evil.example/x -&gt; https:${MARKDOWN_BREAK}//vendor.example/accounts/a-vendor-portal/login (another host: evil.example -&gt; vendor.example); reactivated`,
    );
    expect(markdown).toContain("> **ws-drift: 1 chiclet pointing at another host:**");
  });
});

describe("drift edge cases", () => {
  it("says an object deleted in the console was deleted, and renders drift from a plan saved before drift had details", () => {
    const planJson = {
      format_version: "1.2",
      resource_drift: [
        {
          address: 'okta_app_bookmark.app["a-gone"]',
          mode: "managed",
          type: "okta_app_bookmark",
          name: "app",
          index: "a-gone",
          change: { actions: ["delete"], before: { label: "Gone - X", url: "https://x.example/" }, after: null },
        },
      ],
    };
    const report = readPlan("ws", planJson, { labels: new Map([["a-gone", "Gone - X"]]) });
    expect(report.drift[0]!.changes).toEqual([{ attribute: "deleted", what: "its app" }]);
    const plan: SavedPlan = { stack: "ws", workspaceId: "ws", plannedAt: "", refreshed: true, report, accounts: {}, stackDigest: "" };
    expect(formatPlanSummary([plan])).toContain('! changed in Okta: okta_app_bookmark.app["a-gone"], chiclet "Gone - X" (account a-gone): its app was deleted in Okta');
    const old = { ...plan, report: { ...report, drift: [{ address: 'okta_app_bookmark.app["a-gone"]', actions: ["delete"] }] as never, warnings: undefined as never } };
    expect(formatPlanSummary([old])).toContain('! changed in Okta: okta_app_bookmark.app["a-gone"]: changed (delete)');
  });
});
