// The headless-browser checks use a Chromium installed on the machine:
// playwright-core drives it and downloads nothing. Where none is found the
// checks are skipped, and the skip says how to enable them; where one is
// named by CERBY_OKTA_BROWSER and cannot be run, they fail.
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const BROWSER_ENV = "CERBY_OKTA_BROWSER";

/** Names a Chromium build may have on PATH, most common first. */
const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];

export type BrowserFinding = { readonly executable: string } | { readonly skipped: string };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium named by CERBY_OKTA_BROWSER, else the first on PATH, else why the check is skipped and how to enable it. */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): BrowserFinding {
  const named = env[BROWSER_ENV];
  if (named) {
    // Asked for by name: a wrong path is an error, never a silent skip.
    if (!isExecutable(named)) throw new Error(`${BROWSER_ENV}=${named}: no executable file there; give the path of a Chromium or Chrome binary, or unset ${BROWSER_ENV}`);
    return { executable: named };
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    for (const name of dir ? NAMES : []) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return { executable: candidate };
    }
  }
  return {
    skipped:
      `skipped: no Chromium found (looked for ${NAMES.join(", ")} on PATH). To run the headless-browser checks, ` +
      `install one (Debian/Ubuntu: apt-get install chromium) or set ${BROWSER_ENV}=/path/to/chromium`,
  };
}

/**
 * Headless Chromium. Run as root (a container), Chromium refuses its own
 * sandbox, so it is turned off there; the pages opened are the test's own.
 */
export function launchBrowser(executable: string): Promise<Browser> {
  const args = process.getuid?.() === 0 ? ["--no-sandbox"] : [];
  return chromium.launch({ executablePath: executable, headless: true, args });
}

/** A title for a describe block: the check's name, with the skip reason when there is no browser. */
export function browserTitle(title: string, finding: BrowserFinding): string {
  if ("skipped" in finding) {
    process.stderr.write(`${title}: ${finding.skipped}\n`);
    return `${title} (${finding.skipped})`;
  }
  return title;
}

/** What a page did that its reader must never see: dialogs (a script's alert, dismissed) and console errors. */
export interface PageWatch {
  readonly dialogs: string[];
  readonly consoleErrors: string[];
}

/** A new page of `browser`, watched from the start (see PageWatch). */
export async function watchedPage(browser: Browser): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage();
  const watch: PageWatch = { dialogs: [], consoleErrors: [] };
  page.on("dialog", (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("console", (message) => {
    if (message.type() === "error") watch.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => watch.consoleErrors.push(error.message));
  return { page, watch };
}

/** Elements within `root` that could run or load something: scripts, images, frames, and `on...` attributes. */
export function activeElements(page: Page, root: string): Promise<string[]> {
  return page.$$eval(`${root} *`, (elements) =>
    elements
      .filter((element) => ["SCRIPT", "IMG", "IFRAME"].includes(element.tagName) || [...element.attributes].some((attribute) => attribute.name.startsWith("on")))
      .map((element) => element.outerHTML.slice(0, 200)),
  );
}
