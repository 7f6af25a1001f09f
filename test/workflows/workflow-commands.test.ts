// Names from Cerby in the Actions log. The runner reads workflow commands in
// every line a step prints: `::name props::data` at a line's start (after
// spaces), and the older `##[name props]data` anywhere in a line (actions/runner,
// ActionCommand.cs; ActionCommandManager.cs stops and resumes them). The steps
// that run cerby-okta turn commands off while it runs. Here each such step's
// own script runs under bash as the runner runs it, with a stand-in `npx` that
// prints hostile names on stdout and stderr, and its output goes through the
// runner's parsing, written again here from that source: no name may become a
// command, the step's own commands must still work, and nothing printed is lost.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const workflows = path.join(import.meta.dirname, "../../.github/workflows");

/** The commands a runner has registered (those a job can run), as named in actions/runner's command extensions. */
const REGISTERED = ["add-mask", "add-matcher", "add-path", "debug", "echo", "endgroup", "error", "group", "notice", "remove-matcher", "save-state", "set-env", "set-output", "stop-commands", "warning"];

interface Command {
  readonly name: string;
  readonly data: string;
}

/** What the runner does with a step's output, line by line: the commands it runs (stop and resume included). */
function runnerCommands(output: string): Command[] {
  const registered = new Set(REGISTERED);
  let stopToken: string | undefined;
  const ran: Command[] = [];
  for (const line of output.split("\n")) {
    const command = parseV2(line, registered) ?? parseV1(line, registered);
    if (!command) continue;
    if (stopToken !== undefined) {
      // Stopped: only the resume token counts.
      if (command.name.toLowerCase() === stopToken.toLowerCase()) {
        registered.delete(stopToken);
        stopToken = undefined;
        ran.push({ name: "(resume)", data: command.name });
      }
      continue;
    }
    if (command.name === "stop-commands") {
      stopToken = command.data;
      registered.add(stopToken);
    }
    ran.push(command);
  }
  return ran;
}

function parseV2(line: string, registered: ReadonlySet<string>): Command | undefined {
  const message = line.trimStart();
  if (!message.startsWith("::")) return undefined;
  const end = message.indexOf("::", 2);
  if (end < 0) return undefined;
  const name = message.slice(2, end).split(" ")[0]!;
  return registered.has(name) ? { name, data: message.slice(end + 2) } : undefined;
}

function parseV1(line: string, registered: ReadonlySet<string>): Command | undefined {
  const start = line.indexOf("##[");
  if (start < 0) return undefined;
  const close = line.indexOf("]", start);
  if (close < 0) return undefined;
  const name = line.slice(start + 3, close).split(" ")[0]!;
  return registered.has(name) ? { name, data: line.slice(close + 1) } : undefined;
}

/** Names a Cerby workspace could hold, each a command if the runner read it. */
const HOSTILE = ["##[add-mask]Okta", "##[set-output name=status]0", "##[error]forged", "::warning::forged", "  ::set-output name=status::0", "x ##[stop-commands]forever"];

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface StepRun {
  readonly output: string;
  readonly exitCode: number | null;
  readonly outputs: string;
  readonly folder: string;
}

/**
 * Runs a workflow step's script (`bash --noprofile --norc -eo pipefail`, as the runner's `shell: bash`), in a
 * folder of its own, with a stand-in `npx` that prints the hostile names on both streams and exits `npxExit`,
 * and stand-ins for `jq` and `git`. Returns stdout and stderr together, in the order written.
 */
function runStep(file: string, stepId: string, npxExit: number, env: Record<string, string>): StepRun {
  const workflow = parse(readFileSync(path.join(workflows, file), "utf8")) as { jobs: Record<string, { steps?: { id?: string; name?: string; run?: string }[] }> };
  const step = Object.values(workflow.jobs)
    .flatMap((job) => job.steps ?? [])
    .find((candidate) => candidate.id === stepId || candidate.name === stepId);
  expect(step?.run, `${file}: step ${stepId}`).toBeDefined();
  const folder = mkdtempSync(path.join(tmpdir(), "cerby-okta-workflow-commands-"));
  folders.push(folder);
  const bin = path.join(folder, "bin");
  mkdirSync(bin);
  const lines = HOSTILE.map((name) => `echo ${JSON.stringify(`out: ${name}`)}; echo ${JSON.stringify(`err: ${name}`)} >&2`).join("\n");
  writeFileSync(path.join(bin, "npx"), `#!/bin/bash\n${lines}\nexit ${npxExit}\n`);
  writeFileSync(path.join(bin, "jq"), "#!/bin/bash\necho sha256:0\n");
  writeFileSync(path.join(bin, "git"), "#!/bin/bash\nexit 0\n");
  // A stack with state: `state list` names a resource.
  writeFileSync(path.join(bin, "terraform"), '#!/bin/bash\n[[ " $* " == *" list "* ]] && echo okta_group.access\nexit 0\n');
  for (const tool of ["npx", "jq", "git", "terraform"]) chmodSync(path.join(bin, tool), 0o755);
  // The step runs in the checkout: the helper it sources is there.
  mkdirSync(path.join(folder, ".github", "cerby-okta"), { recursive: true });
  copyFileSync(path.join(workflows, "..", "cerby-okta", "commands-off.sh"), path.join(folder, ".github", "cerby-okta", "commands-off.sh"));
  const script = path.join(folder, "step.sh");
  // Expressions are replaced by GitHub before bash runs.
  writeFileSync(script, step!.run!.replace(/\$\{\{[^}]*\}\}/g, "EXPR"));
  const outputs = path.join(folder, "github-output");
  writeFileSync(outputs, "");
  const result = spawnSync("bash", ["-c", 'bash --noprofile --norc -eo pipefail "$0" 2>&1', script], {
    cwd: folder,
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: outputs, RUNNER_TEMP: folder, STACKS: "ws-a", PART: "0", DIGESTS: "{}", ...env },
  });
  return { output: result.stdout, exitCode: result.status, outputs: readFileSync(outputs, "utf8"), folder };
}

const ours = (ran: readonly Command[]) => ran.filter((command) => command.name !== "stop-commands" && command.name !== "(resume)");

describe("names from Cerby in the Actions log", () => {
  it("would be commands to the runner as printed (the check is not a no-op)", () => {
    const printed = HOSTILE.join("\n");
    expect(runnerCommands(printed).map((command) => command.name)).toEqual(["add-mask", "set-output", "error", "warning", "set-output", "stop-commands"]);
  });

  it.each([
    { file: "reconcile.yml", step: "reconcile", exit: 2, own: [{ name: "notice" }], files: ["reconcile.txt", "reconcile.err"] },
    { file: "reconcile.yml", step: "reconcile", exit: 1, own: [{ name: "error" }], files: ["reconcile.txt", "reconcile.err"] },
    { file: "apply.yml", step: "apply", exit: 0, own: [], files: ["apply.txt", "apply.err"] },
    { file: "apply.yml", step: "apply", exit: 1, own: [{ name: "error" }], files: ["apply.txt", "apply.err"] },
    { file: "review.yml", step: "review", exit: 0, own: [], files: ["review.err"] },
  ])("$file, step $step, cerby-okta exiting $exit: no name is run as a command; the step's own are", ({ file, step, exit, own, files }) => {
    const run = runStep(file, step, exit, {});
    const ran = runnerCommands(run.output);
    // Off before cerby-okta prints anything, on again after its last line, under a token of this run.
    expect(ran[0]?.name).toBe("stop-commands");
    expect(ran[0]?.data).toMatch(/^[0-9a-f-]{36}$/);
    expect(ran[1]).toEqual({ name: "(resume)", data: ran[0]!.data });
    expect(ours(ran).map((command) => ({ name: command.name }))).toEqual(own);
    // The status the step reports is cerby-okta's, not a forged one.
    expect(run.outputs).toBe(`status=${exit}\n`);
    // Every line was printed, to the log and to the step's files.
    for (const name of HOSTILE) {
      expect(run.output).toContain(`err: ${name}`);
      if (file !== "review.yml") expect(run.output).toContain(`out: ${name}`);
    }
    for (const kept of files) expect(readFileSync(path.join(run.folder, kept), "utf8")).toContain(HOSTILE[0]);
    if (file === "review.yml") expect(readFileSync(path.join(run.folder, "part", "0000.md"), "utf8")).toContain(`out: ${HOSTILE[0]}`);
    expect(run.exitCode).toBe(own.some((command) => command.name === "error") ? 1 : 0);
  });

  it.each([
    { file: "reconcile.yml", step: "Check that each stack has state" },
    { file: "review.yml", step: "changed" },
  ])("$file, step $step (cerby-okta's output on the log only when it fails): no name is run as a command", ({ file, step }) => {
    const run = runStep(file, step, 0, {});
    const ran = runnerCommands(run.output);
    expect(run.exitCode).toBe(0);
    expect(ran[0]?.name).toBe("stop-commands");
    expect(ran.slice(1)).toEqual([{ name: "(resume)", data: ran[0]!.data }]);
    expect(run.output).toContain(`err: ${HOSTILE[0]}`);
  });
});
