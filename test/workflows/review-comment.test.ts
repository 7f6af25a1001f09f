// The review workflow's comment step (.github/workflows/review.yml, the
// `actions/github-script` step), run as GitHub runs it: its script as an
// async function of `require`, `github`, `context` and `core`, here with a
// recording stand-in for GitHub's API, over review parts written by the real
// Markdown writer. What it posts must stay within one comment and keep its
// closing lines visible however the cut falls.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { marked } from "marked";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatReviewMarkdown, MARKDOWN_BREAK } from "../../src/cli/format-plan.ts";
import { createdAppsPlan } from "../support/created-apps-plan.ts";

const workflow = parse(readFileSync(path.join(import.meta.dirname, "../../.github/workflows/review.yml"), "utf8")) as {
  jobs: Record<string, { steps?: { uses?: string; with?: { script?: string } }[] }>;
};
const script = Object.values(workflow.jobs)
  .flatMap((job) => job.steps ?? [])
  .find((step) => step.uses?.startsWith("actions/github-script"))!.with!.script!;

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** Runs the step's script in a folder holding `parts/0000.md`; returns the body it posted. */
async function postComment(markdown: string): Promise<string> {
  const folder = mkdtempSync(path.join(tmpdir(), "cerby-okta-review-comment-"));
  folders.push(folder);
  mkdirSync(path.join(folder, "parts"));
  writeFileSync(path.join(folder, "parts", "0000.md"), markdown);
  const posted: string[] = [];
  const github = {
    paginate: async () => [],
    rest: { issues: { listComments: {}, updateComment: async () => ({}), createComment: async ({ body }: { body: string }) => (posted.push(body), { data: { html_url: "https://github.example/c/1" } }) } },
  };
  const context = { repo: { owner: "acme", repo: "okta" }, runId: 7, issue: { number: 1 }, payload: { pull_request: { head: { sha: "abc123" } } } };
  const core = { info: () => {}, setFailed: (message: string) => posted.push(`FAILED ${message}`) };
  const env = { GITHUB_SERVER_URL: "https://github.example", REMOTE: "true", STACK_COUNT: "1", BATCHES: "[1]" };
  const saved = { ...process.env };
  const cwd = process.cwd();
  // The script reads `parts` from the working folder and its settings from the environment, as on the runner.
  Object.assign(process.env, env);
  process.chdir(folder);
  try {
    const run = new Function("require", "github", "context", "core", `return (async () => {\n${script}\n})();`) as (...args: unknown[]) => Promise<void>;
    await run(createRequire(import.meta.url), github, context, core);
  } finally {
    process.chdir(cwd);
    for (const name of Object.keys(env)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
  expect(posted).toHaveLength(1);
  return posted[0]!;
}

describe("the review workflow's comment", () => {
  it("posts a review that fits as it is", async () => {
    const markdown = formatReviewMarkdown([createdAppsPlan(3, (index) => `Brand ${index} - Instagram`)]);
    const body = await postComment(markdown);
    expect(body).toContain(markdown);
    expect(body).not.toContain("... cut:");
  });

  it("cuts a review past GitHub's limit where no comment is left open, closes its details section, and keeps the note and the commit line visible", async () => {
    // Labels made of what the writer breaks (`@`, `#`, `:`): empty comments all along the text, so the cut falls near or inside one.
    for (const filler of ["@a#b:c", "x@:y", "@@@@"]) {
      const markdown = formatReviewMarkdown([createdAppsPlan(5000, (index) => `${filler.repeat(15)} ${index}`.slice(0, 100))]);
      expect(markdown).toContain(MARKDOWN_BREAK);
      // The writer's budget is in rows: these rows are long enough to pass GitHub's limit.
      expect(markdown.length).toBeGreaterThan(65_536);
      const body = await postComment(markdown);
      expect(body.length).toBeLessThan(65_536);
      // Every comment in the body is closed: the marker, and the writer's empty ones.
      expect(body.replaceAll(MARKDOWN_BREAK, "").replace("<!-- cerby-okta-review -->", "")).not.toContain("<!--");
      const html = marked.parse(body, { gfm: true, async: false });
      const visible = html.replace(/<!--[\s\S]*?-->/g, "");
      expect(visible).toContain("... cut: the full plans are in the");
      expect(visible).toContain("<sub>for abc123</sub>");
      expect(html.match(/<details>/g)?.length).toBe(html.match(/<\/details>/g)?.length);
    }
  });
});
