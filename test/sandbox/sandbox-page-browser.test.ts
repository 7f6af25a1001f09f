// The sandbox page as a person sees it: `npm run sandbox` on a hostile
// workspace (the real sync through terraform and the Okta emulator), its page
// opened in a headless Chromium. It must load without console errors, list
// the last sync's requests, have links that work, and show every label and
// login literally, running no script.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { activeElements, browserTitle, findBrowser, launchBrowser, watchedPage, type PageWatch } from "../support/browser.ts";
import { HOSTILE_PEOPLE, hostileWorkspace } from "../support/hostile-workspace.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const browser = findBrowser();

interface SandboxJson {
  people: { login: string; chiclets: { label: string; url: string }[] }[];
  lastSync: { requests: { method: string; route: string; status: number }[] };
}

/** Starts `npm run sandbox` (compiled) and resolves to its page's URL once it has synced and serves. */
function startSandbox(workspaces: string, dir: string): { child: ChildProcess; url: Promise<string>; stderr: () => string } {
  const child = spawn(process.execPath, ["dist/sandbox/main.js", "--port", "0", "--workspaces", workspaces, "--dir", dir], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /dashboards: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      if (found) resolve(found[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the sandbox exited ${code} before serving\n${stderr.slice(-4000)}`)));
  });
  return { child, url, stderr: () => stderr };
}

describe.skipIf(shouldSkipTerraformTests() || "skipped" in browser)(browserTitle("the sandbox page, opened in a browser", browser), () => {
  let dir: string;
  let sandbox: ReturnType<typeof startSandbox>;
  let url: string;
  let chromium: Browser;
  let page: Page;
  let watch: PageWatch;

  beforeAll(async () => {
    requireTerraform();
    dir = mkdtempSync(path.join(tmpdir(), "cerby-okta-sandbox-page-"));
    const workspaces = path.join(dir, "workspaces");
    mkdirSync(path.join(workspaces, "hostile"), { recursive: true });
    writeFileSync(path.join(workspaces, "hostile", "workspace.json"), hostileWorkspace());
    sandbox = startSandbox(workspaces, path.join(dir, "work"));
    url = await sandbox.url;

    chromium = await launchBrowser((browser as { executable: string }).executable);
    ({ page, watch } = await watchedPage(chromium));
    const response = await page.goto(`${url}/`, { waitUntil: "load" });
    expect(response?.status()).toBe(200);
  }, 300_000);

  afterAll(async () => {
    await chromium?.close();
    // The sandbox stops cleanly on SIGINT (Terraform is not running any more).
    if (sandbox?.child.exitCode === null) {
      const exited = new Promise((resolve) => sandbox.child.once("exit", resolve));
      sandbox.child.kill("SIGINT");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("loads with no console error, and runs no script whatever the labels hold", async () => {
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    expect(await activeElements(page, "html")).toEqual([]);
  });

  it("shows every label and login literally, as Okta holds them", async () => {
    const served = (await (await fetch(`${url}/sandbox.json`)).json()) as SandboxJson;
    const desired = computeDesiredState(await loadWorkspaces(path.join(dir, "workspaces")));
    const labels = desired.workspaces.flatMap((workspace) => workspace.chiclets.map((chiclet) => chiclet.label)).sort();
    expect(labels.length).toBe(5);
    const shown = await page.$$eval(".chiclets .label", (elements) => elements.map((element) => (element as HTMLElement).innerText));
    expect([...new Set(shown)].sort()).toEqual(labels);
    const logins = await page.$$eval(".person h2", (headings) => headings.map((heading) => heading.firstChild?.textContent?.trim()));
    for (const person of Object.values(HOSTILE_PEOPLE)) expect(logins).toContain(person.email);
    expect(served.people.flatMap((person) => person.chiclets.map((chiclet) => chiclet.label)).sort()).toEqual([...shown].sort());
  });

  it("lists the last sync's requests, as /sandbox.json has them", async () => {
    const served = (await (await fetch(`${url}/sandbox.json`)).json()) as SandboxJson;
    expect(served.lastSync.requests.length).toBeGreaterThan(5);
    expect(await page.innerText("body")).toContain(`Okta API requests of the last sync (${served.lastSync.requests.length})`);
    const requests = page.locator("details", { has: page.locator("summary", { hasText: "each request" }) });
    await requests.locator("summary").click();
    expect(await requests.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
    const rows = await requests.locator("tr").evaluateAll((all) => all.slice(1).map((row) => [...row.querySelectorAll("td")].slice(0, 3).map((cell) => (cell as HTMLElement).innerText)));
    expect(rows).toEqual(served.lastSync.requests.map((request) => [request.method, request.route, String(request.status)]));
    expect(rows).toContainEqual(["POST", "/api/v1/apps", "200"]);
  });

  it("has links that work: the page's own lead to its data, each chiclet's to the account's Cerby login URL", async () => {
    const served = (await (await fetch(`${url}/sandbox.json`)).json()) as SandboxJson;
    const links = await page.$$eval("a[href]", (anchors) => anchors.map((anchor) => ({ href: (anchor as HTMLAnchorElement).href, text: (anchor as HTMLElement).innerText })));
    const own = links.filter((link) => link.href.startsWith(`${url}/`));
    expect(own.length).toBeGreaterThan(0);
    for (const link of own) {
      const response = await page.request.get(link.href);
      expect(response.status(), link.href).toBe(200);
    }
    const chicletUrls = served.people.flatMap((person) => person.chiclets.map((chiclet) => chiclet.url));
    const external = links.filter((link) => !link.href.startsWith(`${url}/`));
    expect(external.length).toBe(chicletUrls.length);
    for (const link of external) {
      expect(link.href).toMatch(/^https:\/\/app\.cerby\.com\/accounts\/[^/]+\/login$/);
      expect(chicletUrls.map((chiclet) => new URL(chiclet).href)).toContain(link.href);
    }
    // The account ID is URL-encoded in its link: a-<script> cannot leave its path segment.
    expect(external.map((link) => link.href)).toContain("https://app.cerby.com/accounts/a-%3Cscript%3E/login");
  });
});
