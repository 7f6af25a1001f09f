// What a person reads around a plan, end to end on the example workspaces:
// people named `login (cerby id)`, teams by name, refused accounts (R2),
// renumbering explained (R4), the pull-request labels and `--json`.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { harnessForAll } from "../support/sync-harnesses.ts";
import { MARKDOWN_BREAK } from "../../src/cli/format-plan.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const skip = shouldSkipTerraformTests();

describe.skipIf(skip)("what reviewers and operators read", () => {
  const harness = harnessForAll(path.join(repo, "workspaces"));

  it("plan names people by login and Cerby ID, IdP groups by team name, and lists the refused accounts", async () => {
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('+ carol@agency.example (u-carol) sees "Contentzilla - Instagram"');
    expect(plan.stdout).toContain('+ Social Media (00g1social) sees "Contentzilla - Instagram"');
    expect(plan.stdout).not.toMatch(/\+ u-carol sees/);
    expect(plan.stdout).toContain("refused accounts (R2: not extended to Okta; fix the okta: block or ask an account owner): 2");
    expect(plan.stdout).toContain("! ws-acme: account a-brand-x refused: ");
    expect(plan.stdout).toContain("! ws-acme: account a-newsletter refused: ");
  }, 120_000);

  it("review shows the refused accounts, people by name, and one collapsed section per stack", async () => {
    const review = await harness.cli(["review", "--saved"]);
    expect(review.exitCode).toBe(0);
    expect(review.stdout).toContain("### Refused accounts");
    expect(review.stdout).toMatch(/> - ws-acme: account a-brand-x: .*owner/);
    expect(review.stdout).toContain(`carol@${MARKDOWN_BREAK}agency.example (u-carol)`);
    expect(review.stdout).toContain("Social Media (00g1social)");
    expect(review.stdout).toMatch(/<details><summary>ws-acme: \d+ chiclet changes<\/summary>/);
    expect(review.stdout).toMatch(/<details><summary>ws-acme-eu: \d+ chiclet changes?<\/summary>/);
  }, 60_000);

  it("explains a renumbering by the account whose change caused it, after the apply", async () => {
    const apply = await harness.cli(["apply"]);
    expect(apply.exitCode).toBe(0);
    // (2) is renamed away: the other workspace's (3) becomes (2).
    await harness.editFile("acme/accounts.yaml", (text) => text.replace("  - id: a-contentzilla-backup                    # same label: numbered \" (2)\"\n    name: Contentzilla", "  - id: a-contentzilla-backup\n    name: Contentzilla Archive"));
    const plan = await harness.cli(["plan"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain(
      'ws-acme-eu: ~ a-eu-contentzilla: "Contentzilla - Instagram (3)" -> "Contentzilla - Instagram (2)" only renumbers (R4) because account a-contentzilla-backup (stack ws-acme) was renamed from "Contentzilla - Instagram (2)" to "Contentzilla Archive - Instagram"',
    );
    const review = await harness.cli(["review", "--saved"]);
    expect(review.stdout).toContain("Renumbered by another account's change (R4):");
    expect(review.stdout).toContain('- ws-acme-eu: account a-eu-contentzilla: "Contentzilla - Instagram (3)" -> "Contentzilla - Instagram (2)" only renumbers (R4) because account a-contentzilla-backup');
  }, 120_000);

  it("review --json carries the labels, the Markdown, the refused accounts, the renumbering and both IDs and names", async () => {
    const review = await harness.cli(["review", "--saved", "--json"]);
    expect(review.exitCode).toBe(0);
    const document = JSON.parse(review.stdout);
    expect(document.labels).toEqual([]);
    expect(document.markdown).toContain("## cerby-okta: planned Okta changes");
    expect(document.refused).toContainEqual(expect.objectContaining({ workspaceId: "ws-acme", accountId: "a-newsletter" }));
    expect(document.renumbered).toEqual([expect.objectContaining({ stack: "ws-acme-eu", accountId: "a-eu-contentzilla", before: "Contentzilla - Instagram (3)", after: "Contentzilla - Instagram (2)" })]);
    // The review's Markdown went to stdout inside the document only; the labels command prints one per line.
    const labels = await harness.cli(["review", "--saved", "--labels"]);
    expect(labels.stdout).toBe("");
  }, 60_000);

  it("labels a pull request that takes chiclets away `destroy`, and one that changes nothing `no-changes`", async () => {
    await harness.editFile("acme/accounts.yaml", (text) => text.replace("      - { user: u-dave, role: collaborator }\n", ""));
    const plan = await harness.cli(["plan", "--json-file", "plan.json"]);
    expect(plan.stdout).toContain("- dave@acme.example (u-dave) no longer sees");
    const report = JSON.parse(await readFile(path.join(harness.cwd, "plan.json"), "utf8"));
    expect(report.labels).toEqual(["destroy"]);
    const acme = report.stacks.find((stack: { stack: string }) => stack.stack === "ws-acme");
    expect(acme.access.some((entry: { lostUsers: string[] }) => entry.lostUsers.includes("u-dave"))).toBe(true);
    expect(acme.readers.people["u-dave"]).toBe("dave@acme.example");
    const labels = await harness.cli(["review", "--saved", "--labels"]);
    expect(labels.stdout).toBe("destroy"); // one a line (the harness drops the last newline)
    // apply --json: the document on stdout, the sentence for people on stderr.
    const apply = await harness.cli(["apply", "--json"]);
    expect(apply.exitCode).toBe(0);
    expect(JSON.parse(apply.stdout)).toEqual({ version: 1, applied: ["ws-acme", "ws-acme-eu"] });
    expect(apply.stderr).toContain("applied: ws-acme, ws-acme-eu");
    // plan --json: stdout parses; the summary is on stderr.
    const quietPlan = await harness.cli(["plan", "--json"]);
    expect(quietPlan.exitCode).toBe(0);
    expect(JSON.parse(quietPlan.stdout).labels).toEqual(["no-changes"]);
    expect(quietPlan.stderr).toContain("ws-acme: no changes");
    const quiet = await harness.cli(["review", "--saved", "--labels"]);
    expect(quiet.stdout).toBe("no-changes");
    // A refused account changes nothing in Okta, and the review still says so.
    const review = await harness.cli(["review", "--saved"]);
    expect(review.stdout).toContain("### Refused accounts");
    expect(review.stdout).toContain("No changes: Okta already matches the workspaces.");
  }, 240_000);

  it("reconcile --json prints the report on stdout; the old --json FILE still writes FILE, with a warning", async () => {
    const printed = await harness.cli(["reconcile", "--json"]);
    expect(printed.exitCode).toBe(0);
    const document = JSON.parse(printed.stdout);
    expect(document).toMatchObject({ version: 1, applied: [], labels: ["no-changes"] });
    expect(document.refused.length).toBe(2);
    expect(printed.stderr).toContain("ws-acme: no changes");
    const old = await harness.cli(["reconcile", "--json", "old.json"]);
    expect(old.stderr).toContain("warning: `--json old.json` is deprecated: use `--json-file old.json`");
    expect(old.stdout).toContain("ws-acme: no changes");
    expect(JSON.parse(await readFile(path.join(harness.cwd, "old.json"), "utf8")).stacks.length).toBe(2);
  }, 240_000);
});
