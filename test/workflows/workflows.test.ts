// The GitHub workflows and their setup action, checked offline: against the
// official schemas (SchemaStore's github-workflow.json and github-action.json,
// compiled into @action-validator/core's WebAssembly), every `run:` script
// parsed by bash, the order of the backend check, and the batching scripts.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { validateAction, validateWorkflow, type ValidationError } from "@action-validator/core";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const github = path.join(import.meta.dirname, "../../.github");
const workflows = readdirSync(path.join(github, "workflows")).filter((file) => /\.ya?ml$/.test(file)).sort();
const SETUP_ACTION = path.join(github, "actions", "cerby-okta-setup", "action.yml");
const read = (file: string) => readFileSync(file, "utf8");

/** One line per problem, nested `oneOf` alternatives included, so that a failure says what and where. */
function describeErrors(errors: readonly ValidationError[], indent = ""): string[] {
  return errors.flatMap((error) => [
    `${indent}${"path" in error ? `${error.path}: ` : ""}${error.title}${error.detail ? ` (${error.detail})` : ""}`,
    ...("states" in error && error.states ? error.states.flatMap((state) => describeErrors(state.errors, `${indent}  `)) : []),
  ]);
}

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
}
const jobSteps = (file: string): Step[][] => Object.values((parse(read(path.join(github, "workflows", file))) as { jobs: Record<string, { steps?: Step[] }> }).jobs).map((job) => job.steps ?? []);
const actionSteps = (): Step[] => (parse(read(SETUP_ACTION)) as { runs: { steps: Step[] } }).runs.steps;

const temp: string[] = [];
afterAll(() => {
  for (const folder of temp) rmSync(folder, { recursive: true, force: true });
});

describe("the GitHub workflows", () => {
  it("are there: review, reconcile and apply on merge", () => {
    expect(workflows).toEqual(["apply.yml", "reconcile.yml", "review.yml"]);
  });

  it.each(workflows)("%s validates against the GitHub Actions workflow schema", (file) => {
    expect(describeErrors(validateWorkflow(read(path.join(github, "workflows", file))).errors)).toEqual([]);
  });

  it("the setup action validates against the GitHub Actions action schema", () => {
    expect(describeErrors(validateAction(read(SETUP_ACTION)).errors)).toEqual([]);
  });

  it("the schema check catches a misspelt key (the checker is not a no-op)", () => {
    const { errors } = validateWorkflow("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n");
    expect(describeErrors(errors).join("\n")).toContain("Additional property 'stepz' is not allowed");
  });

  it.each([...workflows, "the setup action"])("%s: every run script parses as bash", (file) => {
    const steps = file === "the setup action" ? actionSteps() : jobSteps(file).flat();
    for (const step of steps.filter((candidate) => candidate.run !== undefined)) {
      // Expressions are replaced by GitHub before bash runs: a word stands in for each.
      const script = step.run!.replace(/\$\{\{[^}]*\}\}/g, "EXPR");
      const result = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
      expect(result.stderr, `${file}: ${step.name ?? step.run!.slice(0, 60)}`).toBe("");
    }
  });

  it("no workflow sets up cloud credentials itself: the setup action does, after its backend check", () => {
    const credentials = /configure-aws-credentials|google-github-actions\/auth|TF_TOKEN_/;
    for (const file of workflows) {
      for (const step of jobSteps(file).flat()) expect(`${step.uses ?? ""}${step.run ?? ""}`, file).not.toMatch(credentials);
    }
    const steps = actionSteps();
    const check = steps.findIndex((step) => step.id === "backend");
    const firstCredentials = steps.findIndex((step) => credentials.test(`${step.uses ?? ""}${step.run ?? ""}`));
    expect(check).toBeGreaterThanOrEqual(0);
    expect(firstCredentials).toBeGreaterThan(check);
    // One credentials step per remote backend type.
    for (const type of ["s3", "gcs", "cloud"]) {
      const step = steps.findIndex((candidate) => (candidate.if ?? "").includes(`steps.backend.outputs.type == '${type}'`));
      expect(step, type).toBeGreaterThan(check);
    }
  });

  it("every job that runs cerby-okta with Okta or state access goes through the setup action", () => {
    for (const file of workflows) {
      for (const steps of jobSteps(file)) {
        const usesState = steps.some((step) => /cerby-okta (plan|apply|review|reconcile)\b/.test(step.run ?? ""));
        if (usesState) expect(steps.some((step) => step.uses === "./.github/actions/cerby-okta-setup"), file).toBe(true);
      }
    }
  });
});

// The workflows' jq scripts, run with the machine's jq (GitHub's runners have it); without one they are skipped.
const hasJq = spawnSync("jq", ["--version"]).status === 0;

describe.skipIf(!hasJq)("matrix batches (jq)", () => {
  const batches = (stacks: readonly string[]) =>
    JSON.parse(execFileSync("jq", ["-c", "-f", path.join(github, "cerby-okta", "batches.jq")], { input: JSON.stringify(stacks), encoding: "utf8" })) as string[];

  it("keep one stack per job up to 256 stacks", () => {
    const stacks = Array.from({ length: 256 }, (_, index) => `ws-${index}`);
    expect(batches(stacks)).toEqual(stacks);
    expect(batches([])).toEqual([]);
  });

  it("put 3 x 999 shards into at most 256 jobs, every stack once and in order", () => {
    const stacks = ["ws-a", "ws-b", "ws-c"].flatMap((workspace) => Array.from({ length: 999 }, (_, index) => `${workspace}-s${String(index).padStart(3, "0")}`));
    const result = batches(stacks);
    expect(result.length).toBeLessThanOrEqual(256);
    expect(result.flatMap((batch) => batch.split(" "))).toEqual(stacks);
  });

  function stackBatches(listing: unknown) {
    // A stand-in npx printing what `cerby-okta shards --json` would.
    const bin = mkdtempSync(path.join(tmpdir(), "cerby-okta-npx-"));
    temp.push(bin);
    writeFileSync(path.join(bin, "listing.json"), JSON.stringify(listing));
    writeFileSync(path.join(bin, "npx"), `#!/bin/sh\ncat "${path.join(bin, "listing.json")}"\n`);
    chmodSync(path.join(bin, "npx"), 0o755);
    return spawnSync(path.join(github, "cerby-okta", "stack-batches.sh"), [], { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  }

  it("stack-batches.sh lists the stacks of committed shard counts", () => {
    const result = stackBatches({
      stacks: [{ stack: "ws-a" }, { stack: "ws-big-s000" }, { stack: "ws-big-s001" }],
      workspaces: [
        { workspace: "ws-a", shards: 1, shardSource: "advised" },
        { workspace: "ws-big", shards: 2, shardSource: "configured" },
      ],
    });
    // Only the workflow commands turned off around cerby-okta, and on again (test/workflows/workflow-commands.test.ts).
    expect(result.stderr).toMatch(/^::stop-commands::([0-9a-f-]{36})\n::\1::\n$/);
    expect(JSON.parse(result.stdout)).toEqual(["ws-a", "ws-big-s000", "ws-big-s001"]);
  });

  it("stack-batches.sh refuses a shard count chosen on the runner, saying what to commit", () => {
    const result = stackBatches({ stacks: [{ stack: "ws-big-s000" }], workspaces: [{ workspace: "ws-big", shards: 8, shardSource: "advised" }] });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("::error title=Shard count not committed::ws-big has no shards: entry in cerby-okta.yaml");
    // Its own error comes once commands are on again.
    const [stop, resume, error] = result.stderr.split("\n");
    expect(resume).toBe(`::${stop!.replace("::stop-commands::", "")}::`);
    expect(error).toMatch(/^::error title=Shard count not committed::/);
    expect(result.stderr).toContain("'shards: { ws-big: N }'");
    expect(result.stderr).toContain("or 8 (advised) if this is its first sync");
  });
});
