// `npm run bench:terraform` (issue 11): what Terraform costs at scale, through
// the real CLI, the real `terraform`, the stand-in okta/okta provider and the
// in-process Okta emulator (harness/sync-harness.ts), never a mock.
//
// 1. Per stack: one stack (`shards: 1`, no sharding) of 100, 250, 500 and 1,000 accounts:
//    first sync (`plan`, `apply`), a no-op `plan --all` (Terraform runs although
//    the stack is unchanged), one account's change (`plan`, `apply`).
// 2. Whole workspaces of 1,000 and 10,000 accounts, sharded with
//    `shards: { <id>: suggestedShardCount(accounts) }` in cerby-okta.yaml:
//    first sync (`plan --parallel 2`, `apply --parallel 2`), a no-op `plan`
//    (unchanged stacks are skipped without Terraform), a no-op
//    `plan --all --parallel 2`, one account's change (`plan`, `apply`) with
//    the Okta requests it makes; and the time a real org's rate limits impose
//    on the first sync (src/domain/api-cost.ts).
//    Beside each, the same workspace with NO `shards:` (BENCH_UNCONFIGURED_SIZES,
//    default 1000): it must shard itself at its first plan (the advised count,
//    recorded in cerby-okta.yaml) and cost no more than the configured one.
// 3. For every step, the Terraform processes started: TERRAFORM_BINARY_NAME
//    points at a wrapper that logs its subcommand to a file, then execs the
//    real terraform.
//
// Variables: BENCH_STACK_SIZES (default 100,250,500,1000),
// BENCH_WORKSPACE_SIZES (default 1000,10000; empty for none),
// BENCH_SHARDS (default: suggestedShardCount of each workspace size; set it
// only to try the sharded path quickly on a small workspace),
// BENCH_FIRST_SYNC_LIMIT_MINUTES (default 45: a first sync still running then
// is stopped, and the benchmark fails saying so),
// BENCH_HOLD_DIR (a folder: after each size's one-account change the
// benchmark writes `ready` there and waits; create `go` in it to measure one
// more change on the same synced workspace, e.g. after rebuilding dist/ with
// `npx tsc -b tsconfig.build.json`, or `stop` to go on; for before/after
// figures without a second first sync).
//
// Every one-account change is broken down (table "One account's change"):
// each Terraform process and its time, cerby-okta's own time (the rest), the
// stand-in provider's start-ups (it logs each to OKTA_STANDIN_STARTUP_LOG; a
// real provider is a Go binary that starts in milliseconds), and Terraform's
// own floor measured beside it: `plan -out` + `apply` of one `terraform_data`
// with no provider. Then BENCH_HOSTED_ROUNDS (default 2; 0 for none) more
// changes through `plan` + `apply` with the stand-in served by provider hosts
// (harness/provider-hosts.ts, as in the tests): no provider start-up at all,
// so the figure without start-ups is measured, not only computed. Through
// `watch --apply`: BENCH_WATCH_ROUNDS (default 3) changes with the stand-in
// started per command, then as many with provider hosts (unless
// BENCH_HOSTED_ROUNDS is 0). BENCH_SETTLED_ROUNDS (default 0) more changes
// through `plan` + `apply` with provider hosts once the machine's load has
// settled, each first with BENCH_CLI_BEFORE (another checkout's
// bin/cerby-okta.js) when given: a before and after in the same run; each
// change waits BENCH_SETTLED_PAUSE_SECONDS (default 5) first. With
// BENCH_HOLD_DIR, <that folder>/cli.sh runs the CLI by hand in the held
// workspace (BENCH_NODE_FLAGS, e.g. --cpu-prof; BENCH_CLI, another checkout's).
// Progress goes to stderr, the Markdown tables to stdout.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { estimateWorkspaceCost, minutesAtRateLimits, totalCalls } from "../src/domain/api-cost.ts";
import { suggestedShardCount } from "../src/stack/shards.ts";
import { changeOneAccount, COST_WORKSPACE_ID, costWorkspace, ONE_ACCOUNT_CHANGE_LINES } from "../harness/change-cost.ts";
import { PROVIDER_HOSTS_ENV, startProviderHosts } from "../harness/provider-hosts.ts";
import { SyncHarness } from "../harness/sync-harness.ts";
import { REPO_ROOT } from "../harness/repo-root.ts";

const sizesOf = (name: string, fallback: string): number[] =>
  (process.env[name] ?? fallback)
    .split(",")
    .map((text) => text.trim())
    .filter((text) => text !== "")
    .map((text) => {
      const size = Number(text);
      if (!Number.isInteger(size) || size < 4) throw new Error(`${name}: ${text} is not a whole number of accounts of at least 4`);
      return size;
    });
const stackSizes = sizesOf("BENCH_STACK_SIZES", "100,250,500,1000");
const workspaceSizes = sizesOf("BENCH_WORKSPACE_SIZES", "1000,10000");
const unconfiguredSizes = sizesOf("BENCH_UNCONFIGURED_SIZES", "1000");
const shardOverride = process.env.BENCH_SHARDS ? Number(process.env.BENCH_SHARDS) : undefined;
if (shardOverride !== undefined && !(Number.isInteger(shardOverride) && shardOverride >= 1)) throw new Error(`BENCH_SHARDS: ${process.env.BENCH_SHARDS} is not a whole number of at least 1`);
const firstSyncLimitMs = Number(process.env.BENCH_FIRST_SYNC_LIMIT_MINUTES ?? 45) * 60_000;

const log = (message: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const load = () => loadavg().map((value) => value.toFixed(2)).join(", ");
const count = (n: number) => n.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---- the Terraform wrapper: one line per process started ----

function realTerraform(): string {
  try {
    const found = execFileSync("sh", ["-c", "command -v terraform"], { encoding: "utf8" }).trim();
    if (found) return found;
  } catch {
    /* reported below */
  }
  throw new Error("terraform is not on PATH: install Terraform 1.x (this benchmark runs the real terraform)");
}

const sh = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const terraformPath = realTerraform();
const wrapperDir = mkdtempSync(path.join(tmpdir(), "cerby-okta-tf-count-"));
const counterFile = path.join(wrapperDir, "runs.log");
const wrapper = path.join(wrapperDir, "terraform");
writeFileSync(counterFile, "");
// Logs "<subcommand> <milliseconds>" when the process ends (not exec: it waits to time it).
writeFileSync(
  wrapper,
  `#!/bin/sh\nstarted=$(date +%s%3N)\n${sh(terraformPath)} "$@"\ncode=$?\nprintf '%s %s\\n' "\${1:-}" "$(( $(date +%s%3N) - started ))" >> ${sh(counterFile)}\nexit $code\n`,
);
chmodSync(wrapper, 0o755);

const runsSoFar = () => readFileSync(counterFile, "utf8").split("\n").filter((line) => line !== "");
// The stand-in provider appends each launch's start-up (ms, process start to handshake) here.
const startupFile = path.join(wrapperDir, "provider-startups.log");
writeFileSync(startupFile, "");
const startupsSoFar = () => readFileSync(startupFile, "utf8").split("\n").filter((line) => line !== "").map(Number);

/** Terraform processes: how many, and of each subcommand how many and their total wall time (sequential runs add up; parallel ones overlap). */
function formatRuns(runs: readonly string[]): string {
  if (runs.length === 0) return "0";
  const by = new Map<string, { n: number; ms: number }>();
  for (const run of runs) {
    const [command = "", ms = "0"] = run.split(" ");
    const entry = by.get(command) ?? { n: 0, ms: 0 };
    by.set(command, { n: entry.n + 1, ms: entry.ms + Number(ms) });
  }
  return `${runs.length} (${[...by].map(([command, { n, ms }]) => `${command} ${n}: ${seconds(ms)}`).join(", ")})`;
}

// ---- the workspace: harness/change-cost.ts's, in one JSON snapshot ----

const FILE = "bench/snapshot.json";

// ---- measured steps ----

interface Step {
  readonly ms: number;
  /** The subcommand of each Terraform process started, and its milliseconds. */
  readonly runs: readonly string[];
  /** The start-up of each stand-in provider launch, in milliseconds. */
  readonly startups: readonly number[];
  readonly stdout: string;
  /** Highest 1-minute load average sampled while it ran. */
  readonly maxLoad: number;
  /** Whether a vitest process (someone else's test run) was seen while it ran. */
  readonly vitestSeen: boolean;
}

/** True when a process whose command line mentions vitest runs on the machine (not one of ours: the benchmark starts none). */
function vitestRunning(): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("vitest")) return true;
    } catch {
      /* gone */
    }
  }
  return false;
}

/** The CLI call under way, stopped cleanly when the benchmark is interrupted. */
let running: { kill(signal: NodeJS.Signals): boolean } | undefined;
let interrupted: NodeJS.Signals | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = signal;
    log(`${signal}: stopping the CLI call under way (cleanly), then the harness; again to quit at once`);
    running?.kill("SIGTERM");
  });
}

type Harness = SyncHarness;

/**
 * Runs `cerby-okta <args>` and measures it; fails loudly on an unexpected exit
 * code. `deadline` (Date.now() value): the command is stopped (SIGTERM, which
 * the CLI turns into a clean Terraform stop) when still running then.
 */
async function step(harness: Harness, args: string[], expected: readonly number[], deadline?: number, env: Record<string, string> = {}, bin?: string): Promise<Step & { exitCode: number }> {
  const from = runsSoFar().length;
  const startupsFrom = startupsSoFar().length;
  log(`  cerby-okta ${args.join(" ")} ...`);
  const started = performance.now();
  if (interrupted) throw new Error(`interrupted by ${interrupted}`);
  const child = harness.cli(args, { env: { TERRAFORM_BINARY_NAME: wrapper, OKTA_STANDIN_STARTUP_LOG: startupFile, ...env }, bin });
  running = child;
  let stopped = false;
  let maxLoad = loadavg()[0]!;
  let vitestSeen = vitestRunning();
  const sampler = setInterval(() => {
    maxLoad = Math.max(maxLoad, loadavg()[0]!);
    vitestSeen ||= vitestRunning();
  }, 5_000);
  const heartbeat = setInterval(() => log(`    ... ${seconds(performance.now() - started)}, ${runsSoFar().length - from} Terraform processes so far, load ${load()}${vitestSeen ? ", vitest seen" : ""}`), 60_000);
  const timer = deadline === undefined ? undefined : setTimeout(() => {
    stopped = true;
    log(`    stopping it: the first sync has run past ${firstSyncLimitMs / 60_000} minutes`);
    child.kill("SIGTERM");
  }, Math.max(0, deadline - Date.now()));
  try {
    const result = await child;
    const ms = performance.now() - started;
    const runs = runsSoFar().slice(from);
    const startups = startupsSoFar().slice(startupsFrom);
    const exitCode = result.exitCode ?? -1;
    maxLoad = Math.max(maxLoad, loadavg()[0]!);
    if (interrupted) throw new Error(`cerby-okta ${args.join(" ")} interrupted by ${interrupted} after ${seconds(ms)}, exit ${exitCode}:\n${String(result.stderr)}`);
    if (stopped) throw new Error(`cerby-okta ${args.join(" ")} stopped after ${seconds(ms)} (first sync over ${firstSyncLimitMs / 60_000} minutes), exit ${exitCode}:\n${String(result.stderr)}`);
    if (!expected.includes(exitCode)) {
      throw new Error(`cerby-okta ${args.join(" ")} exited ${exitCode} (expected ${expected.join(" or ")}) after ${seconds(ms)}:\n${String(result.stderr)}\n${String(result.stdout)}`);
    }
    log(`    exit ${exitCode}, ${seconds(ms)}, Terraform processes: ${formatRuns(runs)}; max load ${maxLoad.toFixed(2)}${vitestSeen ? ", vitest seen" : ""}`);
    return { ms, runs, startups, stdout: String(result.stdout), exitCode, maxLoad, vitestSeen };
  } finally {
    running = undefined;
    clearInterval(sampler);
    clearInterval(heartbeat);
    if (timer) clearTimeout(timer);
  }
}

const PLAN_OK = [0, 2];
const APPLY_OK = [0];

function sum(a: Step, b: Step): Step {
  return { ms: a.ms + b.ms, runs: [...a.runs, ...b.runs], startups: [...a.startups, ...b.startups], stdout: "", maxLoad: Math.max(a.maxLoad, b.maxLoad), vitestSeen: a.vitestSeen || b.vitestSeen };
}

async function startHarness(accounts: number, shards: number | undefined) {
  const document = costWorkspace(accounts);
  const harness = await SyncHarness.start(async (dir) => {
    await mkdir(path.join(dir, path.dirname(FILE)), { recursive: true });
    await writeFile(path.join(dir, FILE), JSON.stringify(document));
  });
  if (shards !== undefined) await writeFile(path.join(harness.cwd, "cerby-okta.yaml"), `shards:\n  ${COST_WORKSPACE_ID}: ${shards}\n`);
  return { harness, document };
}

/** Exactly one app per account in the emulator, each with its expected label. */
function checkOneAppPerAccount(harness: Harness, accounts: number, labelOf: (index: number) => string): string {
  const apps = [...harness.emulator.state.apps.values()];
  const labels = new Map<string, number>();
  for (const app of apps) labels.set(app.label, (labels.get(app.label) ?? 0) + 1);
  const duplicates = [...labels].filter(([, n]) => n > 1);
  const missing: string[] = [];
  for (let index = 0; index < accounts; index++) if (!labels.has(labelOf(index))) missing.push(labelOf(index));
  if (apps.length !== accounts || duplicates.length > 0 || missing.length > 0) {
    throw new Error(
      `the emulator holds ${apps.length} apps for ${accounts} accounts; ${duplicates.length} labels held by several apps (${duplicates.slice(0, 5).map(([label, n]) => `${label} x${n}`).join(", ")}); ${missing.length} accounts without an app (${missing.slice(0, 5).join(", ")})`,
    );
  }
  return `${count(apps.length)} apps, one per account, no duplicate`;
}

/** Measures harness/change-cost.ts's one-account change, from the edit to applied, and checks the plan and the dashboard in Okta. */
async function measureOneChange(harness: Harness, document: ReturnType<typeof costWorkspace>, shards: number): Promise<{ changePlan: Step; changeApply: Step; changeRequests: number }> {
  changeOneAccount(document);
  await harness.writeFile(FILE, JSON.stringify(document));
  harness.emulator.resetRequestLog();
  const changePlan = await step(harness, ["plan"], [2]);
  const changeApply = await step(harness, ["apply"], APPLY_OK);
  const changeRequests = harness.emulator.requests.length;
  for (const expected of ONE_ACCOUNT_CHANGE_LINES) {
    if (!changePlan.stdout.includes(expected)) throw new Error(`the plan of the one-account change does not say ${expected}:\n${changePlan.stdout}`);
  }
  checkSees(harness, "Brand three - Instagram", true, "Brand 3 - Instagram");
  await recordOneChange(document.accounts.length, shards, "first", changePlan, changeApply, changeRequests);
  await measureHostedChanges(harness, document, shards);
  await measureWatchChanges(harness, document, shards);
  await withProviderHosts((env) => measureWatchChanges(harness, document, shards, env));
  await measureSettledChanges(harness, document, shards);
  await holdForMoreChanges(harness, document, shards);
  return { changePlan, changeApply, changeRequests };
}

/** After the apply: user2 sees (or not) `label`, and no app is labelled `oldLabel` any more. */
function checkSees(harness: Harness, label: string, sees: boolean, oldLabel: string): void {
  const links = harness.emulator.appLinksFor("user2@bench.example").map((link) => link.label);
  if (links.includes(label) !== sees) throw new Error(`after the apply, user2 ${sees ? "does not see" : "still sees"} "${label}" in Okta (sees: ${links.join(", ") || "nothing"})`);
  if (harness.appIdByLabel(oldLabel) !== undefined) throw new Error(`after the apply, Okta still holds an app labelled "${oldLabel}"`);
}

// ---- one account's change, in detail ----

interface OneChangeRow {
  accounts: number;
  shards: number;
  round: string;
  plan: Step;
  apply: Step;
  requests: number;
  /** Terraform alone: `plan -out` + `apply` of one terraform_data, no provider, measured right after. */
  floorMs: number;
}
const oneChangeRows: OneChangeRow[] = [];

async function recordOneChange(accounts: number, shards: number, round: string, plan: Step, apply: Step, requests: number): Promise<void> {
  const floorMs = await terraformFloor();
  const row = { accounts, shards, round, plan, apply, requests, floorMs };
  oneChangeRows.push(row);
  log(`    one-account change (${round}): ${oneChangeLine(row)}`);
}

/** The folder Terraform's floor is measured in: initialized once. */
let floorDir: string | undefined;

/** Median of three `terraform plan -out` + `terraform apply` of one changed terraform_data, with no provider: what any Terraform-driven change costs at least. */
async function terraformFloor(): Promise<number> {
  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  const run = (args: string[]) => execFileSync(terraformPath, args, { cwd: floorDir, env, stdio: ["ignore", "ignore", "pipe"] });
  const config = (value: number) => writeFileSync(path.join(floorDir!, "main.tf"), `resource "terraform_data" "one" {\n  input = "${value}"\n}\n`);
  if (floorDir === undefined) {
    floorDir = path.join(wrapperDir, "floor");
    await mkdir(floorDir);
    config(0);
    run(["init", "-input=false", "-no-color"]);
    run(["apply", "-input=false", "-no-color", "-auto-approve"]);
  }
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    config(Date.now() + round);
    const started = performance.now();
    run(["plan", "-input=false", "-no-color", "-out=floor.tfplan"]);
    run(["apply", "-input=false", "-no-color", "floor.tfplan"]);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1]!;
}

const terraformMs = (runs: readonly string[]) => runs.reduce((total, run) => total + Number(run.split(" ")[1] ?? 0), 0);
const total = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** Where a one-account change's time goes: Terraform processes, cerby-okta itself, the stand-in's start-ups, against Terraform's floor. */
function oneChangeLine(row: OneChangeRow): string {
  const all = sum(row.plan, row.apply);
  const startup = total(all.startups);
  const part = (name: string, part: Step) =>
    `${name} ${seconds(part.ms)} = Terraform ${seconds(terraformMs(part.runs))} [${formatRuns(part.runs)}] + cerby-okta ${seconds(part.ms - terraformMs(part.runs))}`;
  return (
    `${seconds(all.ms)}; without the stand-in's start-up ${seconds(all.ms - startup)} (${all.startups.length} launches, ${seconds(startup)}); ` +
    `${part("plan", row.plan)}; ${part("apply", row.apply)}; Terraform's floor ${seconds(row.floorMs)} (${(all.ms / row.floorMs).toFixed(1)}x, ${((all.ms - startup) / row.floorMs).toFixed(1)}x without start-up)`
  );
}

/**
 * BENCH_HOLD_DIR: more changes on the same synced workspace, each when `go`
 * appears in the folder (the code under dist/ may have been rebuilt meanwhile);
 * `stop` ends. Each relabels a-3 again and adds or removes user2.
 */
async function holdForMoreChanges(harness: Harness, document: ReturnType<typeof costWorkspace>, shards: number): Promise<void> {
  const hold = process.env.BENCH_HOLD_DIR;
  if (!hold) return;
  writeHoldScript(harness, hold);
  for (let round = 2; ; round++) {
    rmSync(path.join(hold, "go"), { force: true });
    writeFileSync(path.join(hold, "ready"), `${document.accounts.length} accounts, round ${round} next\n`);
    log(`    holding: create ${path.join(hold, "go")} for one more change, or ${path.join(hold, "stop")} to go on`);
    while (!existsSync(path.join(hold, "go")) && !existsSync(path.join(hold, "stop"))) {
      if (interrupted) throw new Error(`interrupted by ${interrupted}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    rmSync(path.join(hold, "ready"), { force: true });
    if (existsSync(path.join(hold, "stop"))) {
      rmSync(path.join(hold, "stop"), { force: true });
      return;
    }
    const change = nextChange(document, `r${round}`);
    await harness.writeFile(FILE, JSON.stringify(document));
    harness.emulator.resetRequestLog();
    const plan = await step(harness, ["plan"], [2]);
    const apply = await step(harness, ["apply"], APPLY_OK);
    checkSees(harness, change.label, change.sees, change.oldLabel);
    await recordOneChange(document.accounts.length, shards, `round ${round}`, plan, apply, harness.emulator.requests.length);
  }
}

/**
 * `<BENCH_HOLD_DIR>/cli.sh <args>`: runs cerby-okta by hand in the held workspace, with the harness's environment
 * (the emulator's URL and its token of this run only, the stand-in's install); BENCH_NODE_FLAGS are Node's (e.g.
 * `--cpu-prof`, which NODE_OPTIONS refuses); BENCH_CLI=<checkout>/bin/cerby-okta.js runs another checkout's CLI. The caller's environment passes
 * through (PROVIDER_HOSTS_ENV, to be served by provider hosts one starts).
 */
function writeHoldScript(harness: Harness, hold: string): void {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  // Only what the harness sets: the rest of the caller's environment (whatever secrets it holds) is never written.
  const variables = Object.fromEntries(
    Object.entries({ ...harness.sandbox.env, CERBY_OKTA_OKTA_URL: harness.emulator.url, CI: "true" }).filter(([name, value]) => process.env[name] !== value),
  );
  const lines = [
    "#!/bin/sh",
    "# Written by bench:terraform (BENCH_HOLD_DIR) for this run only: the token is the emulator's, gone when the run ends.",
    ...Object.entries(variables).map(([name, value]) => `export ${name}=${quote(value)}`),
    `cd ${quote(harness.cwd)} || exit 1`,
    `exec node \${BENCH_NODE_FLAGS:-} "\${BENCH_CLI:-${path.join(REPO_ROOT, "bin", "cerby-okta.js")}}" "$@"`,
    "",
  ];
  writeFileSync(path.join(hold, "cli.sh"), lines.join("\n"), { mode: 0o700 });
}

const hostedRounds = Number(process.env.BENCH_HOSTED_ROUNDS ?? 2);

/**
 * Runs `measure` with provider hosts (harness/provider-hosts.ts, as the tests
 * use them) serving the stand-in: Terraform starts no Node process for the
 * provider, so what is measured has no stand-in start-up in it, as with the
 * real provider, a Go binary. `env` names the hosts to the CLI's Terraform.
 */
async function withProviderHosts(measure: (env: Record<string, string>) => Promise<void>, rounds = hostedRounds): Promise<void> {
  if (!(rounds > 0)) return;
  const hosts = await startProviderHosts(availableParallelism());
  try {
    await measure({ [PROVIDER_HOSTS_ENV]: hosts.ports });
  } finally {
    hosts.stop();
  }
}

/** BENCH_HOSTED_ROUNDS more changes of a-3 through `plan` then `apply`, the stand-in served by provider hosts: the figure without its start-ups, measured rather than subtracted. */
async function measureHostedChanges(harness: Harness, document: ReturnType<typeof costWorkspace>, shards: number): Promise<void> {
  await withProviderHosts(async (env) => {
    for (let round = 1; round <= hostedRounds; round++) {
      const change = nextChange(document, `h${round}`);
      await harness.writeFile(FILE, JSON.stringify(document));
      harness.emulator.resetRequestLog();
      const plan = await step(harness, ["plan"], [2], undefined, env);
      const apply = await step(harness, ["apply"], APPLY_OK, undefined, env);
      checkSees(harness, change.label, change.sees, change.oldLabel);
      await recordOneChange(document.accounts.length, shards, `provider hosts ${round}`, plan, apply, harness.emulator.requests.length);
    }
  });
}

const settledRounds = Number(process.env.BENCH_SETTLED_ROUNDS ?? 0);
const cliBefore = process.env.BENCH_CLI_BEFORE;

/**
 * BENCH_SETTLED_ROUNDS more changes through `plan` then `apply` with provider
 * hosts, once the machine has settled after the first sync and the rounds
 * above (its 1-minute load under 1, waiting at most 3 minutes): as a person
 * editing a file meets it. With BENCH_CLI_BEFORE (another checkout's
 * bin/cerby-okta.js), each round makes one change with that CLI, then one
 * with this checkout's: a before and after under the same conditions.
 */
/** BENCH_SETTLED_PAUSE_SECONDS (default 5): the pause before each settled change. */
const settledPauseMs = Number(process.env.BENCH_SETTLED_PAUSE_SECONDS ?? 5) * 1000;

async function measureSettledChanges(harness: Harness, document: ReturnType<typeof costWorkspace>, shards: number): Promise<void> {
  if (!(settledRounds > 0)) return;
  const waitUntil = Date.now() + 180_000;
  while (loadavg()[0]! >= 1 && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 2_000));
  log(`  settled rounds at a load of ${load()}${cliBefore ? `, each first with ${cliBefore}` : ""}`);
  await withProviderHosts(async (env) => {
    for (let round = 1; round <= settledRounds; round++) {
      // Each change adds or removes user2's grant in turn: the CLIs take turns going first, so that each makes both.
      for (const bin of cliBefore ? (round % 2 === 1 ? [cliBefore, undefined] : [undefined, cliBefore]) : [undefined]) {
        // A person's pace: the last change's Terraform and provider work has settled before the next edit.
        await new Promise((resolve) => setTimeout(resolve, settledPauseMs));
        const change = nextChange(document, `s${round}${bin ? "b" : ""}`);
        await harness.writeFile(FILE, JSON.stringify(document));
        harness.emulator.resetRequestLog();
        const plan = await step(harness, ["plan"], [2], undefined, env, bin);
        const apply = await step(harness, ["apply"], APPLY_OK, undefined, env, bin);
        checkSees(harness, change.label, change.sees, change.oldLabel);
        await recordOneChange(document.accounts.length, shards, `settled ${round}${bin ? ", before" : ""}`, plan, apply, harness.emulator.requests.length);
      }
    }
  }, settledRounds);
}

/** One more change of a-3: relabelled with `tag`, and user2's grant removed if it has one, added if not. */
function nextChange(document: ReturnType<typeof costWorkspace>, tag: string): { label: string; oldLabel: string; sees: boolean } {
  const account = document.accounts[3]!;
  const oldLabel = `${account.name} - Instagram`;
  account.name = `Brand three ${tag}`;
  const seen = account.grants.some((grant) => "user" in grant && grant.user === "u-2");
  account.grants = seen ? account.grants.filter((grant) => !("user" in grant && grant.user === "u-2")) : [...account.grants, { user: "u-2", role: "collaborator" }];
  return { label: `${account.name} - Instagram`, oldLabel, sees: !seen };
}

// ---- the same change through `watch --apply`: from the edit saved to applied in Okta ----

interface WatchChangeRow {
  accounts: number;
  shards: number;
  round: number;
  /** The stand-in served by provider hosts: no start-ups. */
  hosted: boolean;
  /** From the start of the file write to the watcher's "applied" line. */
  ms: number;
  /** The watcher's own sync (read, decide, write the changed stack), as it reports it. */
  syncMs: number;
  runs: readonly string[];
  startups: readonly number[];
  requests: number;
}
const watchChangeRows: WatchChangeRow[] = [];
const watchRounds = Number(process.env.BENCH_WATCH_ROUNDS ?? 3);

/**
 * `cerby-okta watch --apply` on the synced workspace: once it is watching (its
 * first sync applies nothing), BENCH_WATCH_ROUNDS changes of a-3, each timed
 * from the start of the file write to the watcher's line saying it applied the
 * stack, then checked in the emulator.
 */
async function measureWatchChanges(harness: Harness, document: ReturnType<typeof costWorkspace>, shards: number, env: Record<string, string> = {}): Promise<void> {
  if (!(watchRounds > 0)) return;
  const hosted = PROVIDER_HOSTS_ENV in env;
  log(`  cerby-okta watch --apply (${watchRounds} changes${hosted ? ", provider hosts" : ""}) ...`);
  const child = harness.cli(["watch", "--apply"], { env: { TERRAFORM_BINARY_NAME: wrapper, OKTA_STANDIN_STARTUP_LOG: startupFile, ...env } });
  running = child;
  let output = "";
  let exited = false;
  const onOutput = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on("data", onOutput);
  child.stderr?.on("data", onOutput);
  void child.finally(() => (exited = true)).catch(() => undefined);
  /** Waits until `test` holds for the output written after position `from`; fails when the watcher exits or reports a failure first. */
  const waitFor = async (from: number, what: string, test: (text: string) => boolean, limitMs: number): Promise<void> => {
    const started = Date.now();
    for (;;) {
      const text = output.slice(from);
      if (test(text)) return;
      if (/ failed: /.test(text)) throw new Error(`watch --apply failed while waiting for ${what}:\n${output}`);
      if (exited || interrupted) throw new Error(`watch --apply ended while waiting for ${what}:\n${output}`);
      if (Date.now() - started > limitMs) throw new Error(`watch --apply: no ${what} within ${limitMs / 1000} s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  try {
    // The first sync writes every stack; none differs from what was applied, so it applies nothing but says so.
    await waitFor(0, "first sync", (text) => /sync #1 \(first\) done/.test(text) && (!/applying/.test(text) || /\bapplied\b/.test(text)), 300_000);
    for (let round = 1; round <= watchRounds; round++) {
      const change = nextChange(document, `${hosted ? "hw" : "w"}${round}`);
      const from = output.length;
      const runsFrom = runsSoFar().length;
      const startupsFrom = startupsSoFar().length;
      harness.emulator.resetRequestLog();
      const started = performance.now();
      await harness.writeFile(FILE, JSON.stringify(document));
      await waitFor(from, "applied line", (text) => /\bapplied \S+ in /.test(text), 300_000);
      const ms = performance.now() - started;
      const text = output.slice(from);
      const reported = /sync #\d+ done in ([\d.]+) (ms|s)\b/.exec(text);
      const syncMs = reported ? Number(reported[1]) * (reported[2] === "s" ? 1000 : 1) : NaN;
      checkSees(harness, change.label, change.sees, change.oldLabel);
      const row = { accounts: document.accounts.length, shards, round, hosted, ms, syncMs, runs: runsSoFar().slice(runsFrom), startups: startupsSoFar().slice(startupsFrom), requests: harness.emulator.requests.length };
      watchChangeRows.push(row);
      log(`    watch change ${round}: ${watchLine(row)}`);
    }
  } finally {
    child.kill("SIGTERM");
    await child;
    running = undefined;
  }
}

function watchLine(row: WatchChangeRow): string {
  const startup = total(row.startups);
  const terraform = terraformMs(row.runs);
  return `${seconds(row.ms)}; without the stand-in's start-up ${seconds(row.ms - startup)} (${row.startups.length} launches, ${seconds(startup)}); Terraform ${seconds(terraform)} [${formatRuns(row.runs)}]; the watcher's sync ${Number.isNaN(row.syncMs) ? "?" : seconds(row.syncMs)}; cerby-okta otherwise ${seconds(row.ms - terraform - (Number.isNaN(row.syncMs) ? 0 : row.syncMs))}; ${row.requests} Okta requests`;
}

/** A plan of an unchanged workspace; one that finds changes is reported, not fatal. */
async function noopPlan(harness: Harness, args: string[]): Promise<Step & { exitCode: number }> {
  const noop = await step(harness, args, PLAN_OK);
  if (noop.exitCode !== 0) log(`    WARNING: the no-op ${args.join(" ")} found changes (exit ${noop.exitCode})`);
  return noop;
}

const labelOf = (index: number) => `Brand ${index} - Instagram`;

/** After the first plan of a workspace with no `shards:`: its advised count is recorded, and its stacks are that many shards. */
async function checkShardedItself(harness: Harness, shards: number): Promise<void> {
  const config = readFileSync(path.join(harness.cwd, "cerby-okta.yaml"), "utf8");
  if (!config.includes(`${COST_WORKSPACE_ID}: ${shards}`)) throw new Error(`the first plan did not record ${COST_WORKSPACE_ID}: ${shards} in cerby-okta.yaml:\n${config}`);
  const stacks = readdirSync(path.join(harness.cwd, "cdktf.out", "stacks"));
  if (stacks.length !== shards) throw new Error(`the first plan synthesized ${stacks.length} stacks, not ${shards} shards: ${stacks.join(", ")}`);
  log(`    sharded itself: ${shards} stacks, recorded in cerby-okta.yaml`);
}

// ---- 1. one stack ----

interface StackRow {
  accounts: number;
  firstPlan: Step;
  firstApply: Step;
  apps: string;
  noop: Step & { exitCode: number };
  changePlan: Step;
  changeApply: Step;
  changeRequests: number;
}

async function measureOneStack(accounts: number): Promise<StackRow> {
  log(`one stack of ${count(accounts)} accounts (load ${load()})`);
  // One stack: `shards: 1`, or a workspace this large would shard itself.
  const { harness, document } = await startHarness(accounts, 1);
  try {
    const firstPlan = await step(harness, ["plan"], PLAN_OK);
    const firstApply = await step(harness, ["apply"], APPLY_OK);
    const apps = checkOneAppPerAccount(harness, accounts, labelOf);
    log(`    ${apps}`);
    const noop = await noopPlan(harness, ["plan", "--all"]);
    return { accounts, firstPlan, firstApply, apps, noop, ...(await measureOneChange(harness, document, 1)) };
  } finally {
    await harness.stop();
  }
}

// ---- 2. a sharded workspace ----

interface WorkspaceRow {
  accounts: number;
  shards: number;
  /** `shards:` in cerby-okta.yaml (`configured`), or none: the first plan chose the advised count (`automatic`). */
  how: "configured" | "automatic";
  firstPlan: Step;
  firstApply: Step;
  firstRequests: number;
  apps: string;
  noop: Step & { exitCode: number };
  noopAll: Step & { exitCode: number };
  changePlan: Step;
  changeApply: Step;
  changeRequests: number;
  predictedFirstSync: number;
  minutesAtLimits: number;
}

async function measureWorkspace(accounts: number, how: WorkspaceRow["how"] = "configured"): Promise<WorkspaceRow> {
  const shards = how === "automatic" ? suggestedShardCount(accounts) : (shardOverride ?? suggestedShardCount(accounts));
  log(`workspace of ${count(accounts)} accounts in ${shards} shards, ${how} (load ${load()})`);
  const { harness, document } = await startHarness(accounts, how === "automatic" ? undefined : shards);
  try {
    const cost = estimateWorkspaceCost((await harness.desiredState()).workspaces[0]!);
    const deadline = Date.now() + firstSyncLimitMs;
    harness.emulator.resetRequestLog();
    const firstPlan = await step(harness, ["plan", "--parallel", "2"], PLAN_OK, deadline);
    if (how === "automatic") await checkShardedItself(harness, shards);
    const firstApply = await step(harness, ["apply", "--parallel", "2"], APPLY_OK, deadline);
    const firstRequests = harness.emulator.requests.length;
    const apps = checkOneAppPerAccount(harness, accounts, labelOf);
    log(`    ${apps}`);
    const noop = await noopPlan(harness, ["plan"]);
    const noopAll = await noopPlan(harness, ["plan", "--all", "--parallel", "2"]);
    const change = await measureOneChange(harness, document, shards);
    return {
      accounts,
      shards,
      how,
      firstPlan,
      firstApply,
      firstRequests,
      apps,
      noop,
      noopAll,
      ...change,
      predictedFirstSync: totalCalls(cost.firstSync),
      minutesAtLimits: minutesAtRateLimits(cost.firstSync, 50),
    };
  } finally {
    await harness.stop();
  }
}

// ---- run and report ----

const stackRows: StackRow[] = [];
const workspaceRows: WorkspaceRow[] = [];
const loadBefore = load();
const startedAt = new Date();

/** Highest load average during each step of a size, and the steps during which someone else's vitest ran. */
function loadNote(steps: Record<string, Step>): string {
  const max = Math.max(...Object.values(steps).map((step) => step.maxLoad));
  const disturbed = Object.entries(steps).filter(([, step]) => step.vitestSeen).map(([name]) => name);
  return `highest 1-min load average ${max.toFixed(2)} (${Object.entries(steps).map(([name, step]) => `${name} ${step.maxLoad.toFixed(2)}`).join(", ")}); ${disturbed.length === 0 ? "no other vitest run seen" : `a vitest run was seen during: ${disturbed.join(", ")}`}`;
}

function report(): string {
  const out: string[] = [];
  const exitNote = (s: { exitCode: number }) => (s.exitCode === 0 ? "" : ` (exit ${s.exitCode}: changes!)`);
  if (stackRows.length > 0) {
    out.push(
      "One stack (`shards: 1` in cerby-okta.yaml, no sharding): wall time of each CLI call; Terraform processes started, by subcommand",
      "",
      "| accounts | first sync: plan + apply | its Terraform processes | no-op `plan --all` | its Terraform processes | one-account change: plan + apply | its Terraform processes | its Okta requests |",
      "| ---: | ---: | --- | ---: | --- | ---: | --- | ---: |",
      ...stackRows.map((row) => {
        const first = sum(row.firstPlan, row.firstApply);
        const change = sum(row.changePlan, row.changeApply);
        return `| ${count(row.accounts)} | ${seconds(first.ms)} (${seconds(row.firstPlan.ms)} + ${seconds(row.firstApply.ms)}) | ${formatRuns(first.runs)} | ${seconds(row.noop.ms)}${exitNote(row.noop)} | ${formatRuns(row.noop.runs)} | ${seconds(change.ms)} (${seconds(row.changePlan.ms)} + ${seconds(row.changeApply.ms)}) | ${formatRuns(change.runs)} | ${row.changeRequests} |`;
      }),
      "",
      ...stackRows.map(
        (row) =>
          `- ${count(row.accounts)} accounts: after the first sync ${row.apps}; ${loadNote({ "first plan": row.firstPlan, "first apply": row.firstApply, "plan --all": row.noop, "change plan": row.changePlan, "change apply": row.changeApply })}`,
      ),
      "",
    );
  }
  if (workspaceRows.length > 0) {
    out.push(
      `Whole workspaces, sharded (configured: \`shards:\` = ${shardOverride === undefined ? "suggestedShardCount" : `BENCH_SHARDS=${shardOverride}`}; automatic: no \`shards:\`, the first plan chose it): wall time of each CLI call; Terraform processes started, by subcommand`,
      "",
      "| accounts | shards | first sync: `plan --parallel 2` + `apply --parallel 2` | its Terraform processes | no-op `plan` | its Terraform processes | no-op `plan --all --parallel 2` | its Terraform processes | one-account change: plan + apply | its Terraform processes | its Okta requests |",
      "| ---: | ---: | ---: | --- | ---: | --- | ---: | --- | ---: | --- | ---: |",
      ...workspaceRows.map((row) => {
        const first = sum(row.firstPlan, row.firstApply);
        const change = sum(row.changePlan, row.changeApply);
        return `| ${count(row.accounts)} | ${row.shards} (${row.how}) | ${seconds(first.ms)} (${seconds(row.firstPlan.ms)} + ${seconds(row.firstApply.ms)}) | ${formatRuns(first.runs)} | ${seconds(row.noop.ms)}${exitNote(row.noop)} | ${formatRuns(row.noop.runs)} | ${seconds(row.noopAll.ms)}${exitNote(row.noopAll)} | ${formatRuns(row.noopAll.runs)} | ${seconds(change.ms)} (${seconds(row.changePlan.ms)} + ${seconds(row.changeApply.ms)}) | ${formatRuns(change.runs)} | ${row.changeRequests} |`;
      }),
      "",
      ...workspaceRows.map(
        (row) =>
          `- ${count(row.accounts)} accounts: after the first sync ${row.apps}; ${loadNote({ "first plan": row.firstPlan, "first apply": row.firstApply, plan: row.noop, "plan --all": row.noopAll, "change plan": row.changePlan, "change apply": row.changeApply })}`,
      ),
      "",
      "First sync against a real Okta org: Okta requests measured here (predicted by src/domain/api-cost.ts), and the time Okta's default rate limits impose at max_api_capacity 50",
      "",
      "| accounts | requests measured (predicted) | at Okta's limits | stand-in wall |",
      "| ---: | ---: | ---: | ---: |",
      ...workspaceRows.map(
        (row) =>
          `| ${count(row.accounts)} | ${count(row.firstRequests)} (${count(row.predictedFirstSync)}) | ${row.minutesAtLimits.toFixed(1)} min (${(row.minutesAtLimits / 60).toFixed(1)} h) | ${seconds(row.firstPlan.ms + row.firstApply.ms)} |`,
      ),
      "",
    );
  }
  if (oneChangeRows.length > 0) {
    out.push(
      "One account's change, edit to applied, in detail: Terraform processes (sequential), cerby-okta's own time (the rest), the stand-in provider's start-ups, and Terraform's floor (`plan -out` + `apply` of one `terraform_data`, no provider) measured right after",
      "",
      "| accounts | shards | change | plan + apply | without the stand-in's start-up | against the floor | breakdown | Okta requests |",
      "| ---: | ---: | --- | ---: | ---: | ---: | --- | ---: |",
      ...oneChangeRows.map((row) => {
        const all = sum(row.plan, row.apply);
        const startup = total(all.startups);
        return `| ${count(row.accounts)} | ${row.shards} | ${row.round} | ${seconds(all.ms)} | ${seconds(all.ms - startup)} | ${(all.ms / row.floorMs).toFixed(1)}x (${((all.ms - startup) / row.floorMs).toFixed(1)}x), floor ${seconds(row.floorMs)} | ${oneChangeLine(row).split("; ").slice(2, 4).join("; ")} | ${row.requests} |`;
      }),
      "",
    );
  }
  if (watchChangeRows.length > 0) {
    out.push(
      "The same kind of change through `watch --apply`, from the start of the file write to the watcher's line saying it applied the stack (the watcher already running): Terraform processes, the watcher's own sync (read, decide, write the changed stack) and the rest of cerby-okta (checks, plan report, verification)",
      "",
      "| accounts | shards | change | edit to applied | without the stand-in's start-up | breakdown | Okta requests |",
      "| ---: | ---: | --- | ---: | ---: | --- | ---: |",
      ...watchChangeRows.map((row) => `| ${count(row.accounts)} | ${row.shards} | ${row.hosted ? `provider hosts ${row.round}` : row.round} | ${seconds(row.ms)} | ${seconds(row.ms - total(row.startups))} | ${watchLine(row).split("; ").slice(2, 5).join("; ")} | ${row.requests} |`),
      "",
    );
  }
  out.push(`Node ${process.version}, ${cpus().length} cores; started ${startedAt.toISOString()}, load average before ${loadBefore}, after ${load()}.`, "");
  return out.join("\n");
}

let failure: unknown;
try {
  for (const accounts of stackSizes) stackRows.push(await measureOneStack(accounts));
  for (const accounts of workspaceSizes) workspaceRows.push(await measureWorkspace(accounts));
  for (const accounts of unconfiguredSizes) workspaceRows.push(await measureWorkspace(accounts, "automatic"));
} catch (error) {
  failure = error;
} finally {
  rmSync(wrapperDir, { recursive: true, force: true });
}
process.stdout.write(report());
if (failure !== undefined) {
  log(`FAILED: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`);
  if (stackRows.length + workspaceRows.length > 0) log("the tables above hold only the steps measured before the failure");
  process.exitCode = 1;
}
