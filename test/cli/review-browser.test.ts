// The review comment as a reviewer reads it: `cerby-okta review` on a hostile
// workspace (real CLI, real terraform, the Okta emulator), its Markdown
// rendered as GitHub renders it (GFM; raw HTML such as <details> passes
// through), opened in a headless Chromium. From the page alone one must read
// who gains and loses which chiclet, the refused accounts, the drift and the
// labels; every name literally, no script run, no section swallowed.
import path from "node:path";
import { marked } from "marked";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { SyncHarness } from "../../harness/sync-harness.ts";
import { activeElements, browserTitle, findBrowser, launchBrowser, watchedPage, type PageWatch } from "../support/browser.ts";
import { HOSTILE_APP, HOSTILE_NAMES, HOSTILE_OKTA_LABEL, HOSTILE_PEOPLE, HOSTILE_TEAM, hostileWorkspace } from "../support/hostile-workspace.ts";

const browser = findBrowser();
const FILE = "hostile/workspace.json";

/** GitHub's comment HTML, near enough: GFM Markdown, raw HTML passed through. */
export function renderComment(markdown: string): string {
  const body = marked.parse(markdown, { gfm: true, async: false });
  return `<!doctype html><html><head><meta charset="utf-8"><title>review</title></head><body><main id="comment">${body}</main><p id="end">end of page</p></body></html>`;
}

/** `login (cerby id)`, as the review names a person. */
const person = (who: { id: string; email: string }) => `${who.email} (${who.id})`;

describe.skipIf(shouldSkipTerraformTests() || "skipped" in browser)(browserTitle("the review comment, rendered and opened in a browser", browser), () => {
  let harness: SyncHarness;
  let chromium: Browser;
  let page: Page;
  let markdown: string;
  let watch: PageWatch;

  beforeAll(async () => {
    requireTerraform();
    harness = await SyncHarness.start(async (dir) => {
      const { mkdir, writeFile } = await import("node:fs/promises");
      await mkdir(path.join(dir, "hostile"), { recursive: true });
      await writeFile(path.join(dir, FILE), hostileWorkspace());
    });
    await harness.sync();
    // The pull request: one person loses a chiclet, one gains, one account renamed, one taken out.
    await harness.writeFile(FILE, hostileWorkspace({ changed: true }));
    // And in the Okta console someone relabelled a chiclet (drift, seen by reconcile's refresh).
    const longApp = [...harness.emulator.state.apps.values()].find((app) => app.label.startsWith("Long "))!;
    harness.emulator.renameApp(longApp.id, HOSTILE_OKTA_LABEL);
    const reconcile = await harness.cli(["reconcile"]);
    if (reconcile.exitCode !== 2) throw new Error(`reconcile exited ${reconcile.exitCode}\n${reconcile.stderr}`);
    const review = await harness.cli(["review", "--saved"]);
    if (review.exitCode !== 0) throw new Error(`review exited ${review.exitCode}\n${review.stderr}`);
    markdown = review.stdout;

    chromium = await launchBrowser((browser as { executable: string }).executable);
    ({ page, watch } = await watchedPage(chromium));
    await page.setContent(renderComment(markdown), { waitUntil: "load" });
  }, 300_000);

  afterAll(async () => {
    await chromium?.close();
    await harness?.stop();
  });

  /** The text of the table row whose first cell is `accountId`, cell by cell, as shown. */
  const row = (accountId: string) =>
    page.$$eval(
      "details table tr",
      (rows, id) => rows.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.innerText)).find((cells) => cells[0] === id),
      accountId,
    );

  it("would catch a name that got through: the rendering passes raw HTML on, as GitHub does, and a script's alert is seen", async () => {
    const { page: probe, watch: seen } = await watchedPage(chromium);
    await probe.setContent(renderComment("| a |\n| --- |\n| <b>x</b> |\n\n<details><summary>s</summary>\n\nx\n\n</details>\n\n<script>alert('probe')</script>\n"));
    expect(seen.dialogs).toEqual(["probe"]);
    expect(await activeElements(probe, "main")).toEqual(["<script>alert('probe')</script>"]);
    expect(await probe.$$("details")).toHaveLength(1);
    expect(await probe.$$("td b")).toHaveLength(1);
    await probe.close();
  });

  it("runs no script and loads no image, whatever the names hold", async () => {
    expect(watch.dialogs).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
    expect(await activeElements(page, "main")).toEqual([]);
  });

  it("keeps every section: nothing is swallowed by an unclosed comment or details", async () => {
    const text = await page.innerText("main");
    for (const heading of ["cerby-okta: planned Okta changes", "Refused accounts"]) expect(text).toContain(heading);
    expect(text).toContain("Applying costs about");
    expect(text).toContain("Changed in Okta since the last sync");
    // The page's own last element is still outside the comment.
    expect(await page.$eval("#end", (element) => element.parentElement?.tagName)).toBe("BODY");
    expect(await page.$$eval("main details", (all) => all.every((details) => details.parentElement?.id === "comment"))).toBe(true);
  });

  it("opens and closes every stack's details section", async () => {
    const sections = await page.$$("main details");
    // The plan digests and one per stack with chiclet changes.
    expect(sections.length).toBe(2);
    for (const details of sections) {
      expect(await details.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
      const summary = await details.$("summary");
      await summary!.click();
      expect(await details.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(true);
      await summary!.click();
      expect(await details.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    }
    expect(await page.innerText("main details:nth-of-type(2) summary")).toMatch(/^ws-hostile: \d+ chiclet changes$/);
  });

  it("says who gains and who loses which chiclet, people as `login (cerby id)` and the IdP team by name", async () => {
    await page.$$eval("main details", (all) => all.forEach((details) => ((details as HTMLDetailsElement).open = true)));
    const lost = await row("a-<!--");
    expect(lost).toEqual(["a-<!--", expect.stringContaining(`${HOSTILE_NAMES.comment} - Instagram`), "-", person(HOSTILE_PEOPLE.pipe)]);
    const gained = await row("a-</details>");
    expect(gained).toEqual(["a-</details>", `access only: "${HOSTILE_NAMES.details} - ${HOSTILE_APP}"`, person(HOSTILE_PEOPLE.comment), "-"]);
    const renamed = await row("a-`tick`");
    expect(renamed?.[1]).toContain(`${HOSTILE_NAMES.backticks} - Instagram`);
    expect(renamed?.[1]).toContain(`${HOSTILE_NAMES.renamed} - Instagram`);
    expect(renamed?.[2]).toBe(`${person(HOSTILE_PEOPLE.script)}, ${HOSTILE_TEAM} (00g1hostile)`);
    const removed = await row("a-<script>");
    expect(removed?.[1]).toContain(`${HOSTILE_NAMES.script} - Instagram`);
    expect(removed?.[3]).toContain(person(HOSTILE_PEOPLE.details));
    expect(removed?.[3]).toContain(person(HOSTILE_PEOPLE.owner));
  });

  it("lists the refused account with its reason (R2)", async () => {
    const items = await page.$$eval("main li", (all) => all.map((item) => (item as HTMLElement).innerText));
    const refused = items.find((item) => item.includes("a-refused|"));
    expect(refused).toBeDefined();
    expect(refused).toContain("ws-hostile: account a-refused|: ");
    expect(refused).toMatch(/u-<\/details>.*owner/);
  });

  it("shows the drift, control characters made visible, and the pull request's labels", async () => {
    const text = await page.innerText("main");
    expect(text).toContain(`label "${"Long "}`);
    expect(text).toContain("Edited\\u001b[2J in <!-- Okta \\u202e|");
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(text).toMatch(/Pull-request labels: destroy, drift/);
  });

  it("shows each name literally", async () => {
    const text = await page.innerText("main");
    for (const name of [HOSTILE_NAMES.comment, HOSTILE_NAMES.details, HOSTILE_NAMES.backticks, HOSTILE_NAMES.script, HOSTILE_NAMES.renamed, HOSTILE_TEAM]) expect(text).toContain(name);
    for (const who of Object.values(HOSTILE_PEOPLE)) expect(text).toContain(person(who));
    // The long name, shortened to Okta's 100 characters by R3, is shown whole in its row.
    const longLabel = (await harness.desiredState()).workspaces[0]!.chiclets.find((chiclet) => chiclet.accountId === "a-long")!.label;
    expect(longLabel).toHaveLength(100);
    expect((await row("a-long"))?.[1]).toContain(longLabel);
  });
});
