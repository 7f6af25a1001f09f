// One `--json` convention for every command: `--json` prints the document on
// stdout and nothing else there (what a person reads goes to stderr);
// `--json-file FILE` writes the same document and leaves stdout to people.
// plan, review, reconcile and apply: test/sync/readers.test.ts; deprovision:
// test/deprovision/deprovision.test.ts.
import { execa } from "execa";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repo, "bin", "cerby-okta.js");

function run(args: string[], cwd: string) {
  return execa("node", [bin, ...args], { cwd, reject: false, env: { CI: "true" } });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "cerby-okta-json-"));
  await cp(path.join(repo, "workspaces"), path.join(work, "workspaces"), { recursive: true });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs the command with --json, then with --json-file, and checks both ways give one document and people their text. */
async function expectConvention<T>(args: string[], humanText: string | RegExp): Promise<T> {
  const printed = await run([...args, "--json"], work);
  expect(printed.exitCode).toBe(0);
  const document = JSON.parse(printed.stdout) as T & { version: number };
  expect(document.version).toBe(1);
  expect(printed.stderr).toMatch(humanText);
  const file = path.join(work, `${args[0]}.json`);
  const written = await run([...args, "--json-file", file], work);
  expect(written.exitCode).toBe(0);
  expect(written.stdout).toMatch(humanText);
  expect(JSON.parse(await readFile(file, "utf8"))).toEqual(document);
  return document;
}

describe("--json and --json-file", () => {
  it("preview: the preview document on stdout, the readable preview on stderr", async () => {
    const document = await expectConvention<{ workspaces: unknown[] }>(["preview"], /Contentzilla - Instagram/);
    expect(document.workspaces.length).toBe(3);
  });

  it("shards: the CI matrix on stdout, the table on stderr", async () => {
    const document = await expectConvention<{ stacks: { stack: string }[] }>(["shards", "--out", "out", "--state-dir", "state"], /STACK +WORKSPACE/);
    expect(document.stacks.map((stack) => stack.stack)).toContain("ws-acme");
  });

  it("status: the records on stdout, the sentence for people on stderr", async () => {
    const document = await expectConvention<{ workspaces: { workspaceId: string }[] }>(["status", "--out", "out", "--state-dir", "state"], /Workspace ws-acme/);
    expect(document.workspaces.map((workspace) => workspace.workspaceId)).toContain("ws-acme");
  });

  it("--help of every command says the same about --json and --json-file", async () => {
    for (const command of ["preview", "status", "shards", "plan", "review", "reconcile", "apply", "deprovision"]) {
      const help = (await run([command, "--help"], work)).stdout;
      expect(help, command).toContain("--json-file <file>");
      expect(help.replace(/\s+/g, " "), command).toMatch(/as JSON on stdout[;,]?/);
    }
  });
});
