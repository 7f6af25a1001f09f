// Where no browser is installed the headless checks are skipped, saying how to enable them; a browser asked for by name and missing fails.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BROWSER_ENV, findBrowser } from "./browser.ts";

describe("finding a browser for the headless checks", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cerby-okta-browser-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("skips with how to enable the checks when no Chromium is on PATH", () => {
    expect(findBrowser({ PATH: dir })).toEqual({
      skipped: `skipped: no Chromium found (looked for chromium, chromium-browser, google-chrome, google-chrome-stable, chrome on PATH). To run the headless-browser checks, install one (Debian/Ubuntu: apt-get install chromium) or set ${BROWSER_ENV}=/path/to/chromium`,
    });
  });

  it("finds one on PATH, and prefers the one CERBY_OKTA_BROWSER names", () => {
    const onPath = path.join(dir, "chromium");
    writeFileSync(onPath, "#!/bin/sh\n", { mode: 0o755 });
    const named = path.join(dir, "my-chrome");
    writeFileSync(named, "#!/bin/sh\n", { mode: 0o755 });
    expect(findBrowser({ PATH: dir })).toEqual({ executable: onPath });
    expect(findBrowser({ PATH: dir, [BROWSER_ENV]: named })).toEqual({ executable: named });
  });

  it("fails, never skips, when CERBY_OKTA_BROWSER names no executable", () => {
    expect(() => findBrowser({ PATH: dir, [BROWSER_ENV]: path.join(dir, "missing") })).toThrow(
      `${BROWSER_ENV}=${path.join(dir, "missing")}: no executable file there; give the path of a Chromium or Chrome binary, or unset ${BROWSER_ENV}`,
    );
  });
});
