// Terraform behind an interface: commands call `Terraform`, tests and other
// binaries (OpenTofu) plug in through it. The CLI implementation runs the
// binary with execa, one working directory per stack.
import type { ResultPromise } from "execa";
import { BackendChangedError, ExternalError, UsageError } from "../errors.ts";
import { parseEvent, progressKind, type ProgressKind, type TerraformEvent } from "./progress.ts";
import { forgetInit, initIsCurrent, recordInit } from "./init-record.ts";
import { stateLockAdvice } from "./state-lock.ts";
import { cannotRun, checkTerraformVersion } from "./version.ts";

export interface PlanOptions {
  /** Where to save the plan, so that apply runs exactly what was reviewed. */
  readonly out: string;
  /** Read every resource back from Okta first (full refresh). Off for incremental syncs (R8). */
  readonly refresh: boolean;
  /** Only read back, change nothing (`-refresh-only`): used to check what an apply did. */
  readonly refreshOnly?: boolean;
  /** Only these resource addresses and what they depend on (`-target`). */
  readonly targets?: readonly string[];
  /** Input variables (`-var name=value`), saved in the plan. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Plan the removal of everything the state holds (`-destroy`): `remove-workspace`. */
  readonly destroy?: boolean;
  /** Called for each resource read back or change planned, as Terraform reports it (`-json` events). */
  readonly onProgress?: (kind: ProgressKind) => void;
  /** Called once the Terraform process is started. */
  readonly onStarted?: () => void;
}

/** One error Terraform reported, with the resource it is about when it is about one. */
export interface Diagnostic {
  readonly summary: string;
  readonly detail: string;
  /** e.g. `okta_app_bookmark.app["a-1"]`. */
  readonly address?: string;
}

/** An apply that failed, with each error Terraform reported. */
export class TerraformApplyError extends ExternalError {
  override name = "TerraformApplyError";
  constructor(
    readonly binary: string,
    readonly diagnostics: readonly Diagnostic[],
    /** Addresses Terraform reported as failed (`apply_errored`), whether or not a diagnostic names them. */
    readonly erroredAddresses: readonly string[] = [],
  ) {
    super(`${binary} apply failed:\n${diagnostics.map((diagnostic) => `  ${[diagnostic.address, diagnostic.summary, diagnostic.detail].filter(Boolean).join(": ")}`).join("\n")}`);
  }
}

/** A run stopped on request (Ctrl-C, SIGTERM) before it finished: what it did is in the state, the rest was not done. */
export class TerraformStopped extends ExternalError {
  override name = "TerraformStopped";
}

export interface Terraform {
  /** Starts whatever check precedes the first command (the version), now, in the background: a run about to need Terraform. */
  checkVersionSoon?(): void;
  /**
   * `migrateState` moves existing state to a changed backend (`-migrate-state -force-copy`); `reconfigure` points the folder at it without copying (`-reconfigure`).
   * A plain init may be skipped when the folder is as its last successful init left it (init-record.ts).
   */
  init(dir: string, options?: { migrateState?: boolean; reconfigure?: boolean }): Promise<void>;
  /** Returns whether the plan has changes (from `-detailed-exitcode`). */
  plan(dir: string, options: PlanOptions): Promise<{ hasChanges: boolean }>;
  /** `terraform show -json <plan>`, parsed. */
  showPlan(dir: string, planFile: string): Promise<unknown>;
  /** Applies a saved plan and nothing else; reports each resource as it completes. Throws TerraformApplyError. */
  apply(dir: string, planFile: string, onProgress?: (event: ApplyProgress) => void): Promise<void>;
  /** `terraform state pull`, parsed: the state as the backend holds it. */
  pullState(dir: string): Promise<unknown>;
  /** `terraform show -json`, parsed: the state's resources with their values (no Okta request). */
  showState(dir: string): Promise<unknown>;
  /** `terraform state rm`: the state stops tracking these instances; nothing in Okta changes. Each must be in the state. */
  forget(dir: string, addresses: readonly string[]): Promise<void>;
}

export interface ApplyProgress {
  /** Terraform address of the resource just created, updated or destroyed. */
  readonly address: string;
  readonly action: string;
}

export interface TerraformCliOptions {
  /** `terraform`, `tofu`, or a path. */
  readonly binary: string;
  /** Extra environment, e.g. TF_DATA_DIR or TF_CLI_CONFIG_FILE. Credentials pass through from the process environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Stream Terraform's own output to stderr. */
  readonly verbose?: boolean;
  /** Aborting stops the running Terraform: SIGINT to its process group, its own clean stop (it releases the state lock); SIGKILL after STOP_GRACE_MS. */
  readonly signal?: AbortSignal;
  /** Where the message about a Terraform that had to be killed goes (default stderr). */
  readonly log?: (message: string) => void;
  /**
   * Operations one plan or apply runs at once (`-parallelism`; Terraform's default is 10). Stacks run
   * at once each keep to their workspace's whole rate-limit share, their governors seeing one another's
   * requests in Okta's headers; what a governor cannot stop is the requests already in flight, so
   * this bounds the bursts (terraformParallelism).
   */
  readonly parallelism?: number;
  /** Check the binary's version (`version -json`, once per process) before its first command: the CLI does; unit tests of other things may not. */
  readonly checkVersion?: boolean;
}

/** Terraform's own `-parallelism` default: the requests in flight that a whole run keeps to. */
export const TERRAFORM_DEFAULT_PARALLELISM = 10;

/** `-parallelism` for each of `stacksAtOnce` Terraform runs, so that together they keep about `total` operations in flight. */
export function terraformParallelism(stacksAtOnce: number, total = TERRAFORM_DEFAULT_PARALLELISM): number {
  return Math.max(1, Math.ceil(total / Math.max(1, stacksAtOnce)));
}

/**
 * How long Terraform gets to stop cleanly after SIGINT before it and its
 * providers are killed. A clean stop waits only for the requests in flight
 * and writes the state: a few seconds. A service manager stopping the watcher
 * (or a person at Ctrl-C) must not find Terraform still applying minutes later.
 */
export const STOP_GRACE_MS = 8_000;

/** Process groups of the Terraform runs in progress: killed if this process exits before they end. */
const runningGroups = new Set<number>();
let killedAfterGrace = false;

/** Whether a Terraform run of this process had to be killed after STOP_GRACE_MS. */
export function terraformWasKilled(): boolean {
  return killedAfterGrace;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Diagnostics Terraform gives each resource it did not reach after an interrupt, e.g. `{"@level":"error","diagnostic":{"summary":"execution halted",...}}`. */
const HALTED = /^execution halted$/i;
/** Addresses per `terraform state rm` (each a few dozen bytes; Linux allows 128 KiB per argument, 2 MiB in all). */
const FORGET_BATCH = 2_000;

/**
 * The binary to run: `--terraform-binary`, else $TERRAFORM_BINARY_NAME (which `cdktf deploy` reads too), else
 * `terraformBinary` in cerby-okta.yaml, else `terraform`.
 */
export function terraformBinary(flag: string | undefined, configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.TERRAFORM_BINARY_NAME || configured || "terraform";
}

export class TerraformCli implements Terraform {
  constructor(private readonly options: TerraformCliOptions) {}

  /**
   * Starts the version check now, in the background, so that the first Terraform command does not wait for
   * `version -json` (about 50 ms on the path of every plan and apply). A failure is not reported here: the first
   * command runs the check again and reports it (a run that never needs Terraform never sees it).
   */
  checkVersionSoon(): void {
    if (this.options.checkVersion) checkTerraformVersion(this.options.binary, this.commandEnv()).catch(() => undefined);
  }

  private commandEnv(): Record<string, string | undefined> {
    return { TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", ...this.options.env };
  }

  async init(dir: string, options: { migrateState?: boolean; reconfigure?: boolean } = {}): Promise<void> {
    const plain = !options.migrateState && !options.reconfigure;
    const env = { ...process.env, ...this.options.env };
    // Nothing init reads changed since it last succeeded here: it would do nothing (init-record.ts).
    if (plain && (await initIsCurrent(dir, this.options.binary, env))) return;
    await forgetInit(dir, env);
    await this.run(dir, ["init", "-input=false", "-no-color", ...(options.migrateState ? ["-migrate-state", "-force-copy"] : []), ...(options.reconfigure ? ["-reconfigure"] : [])]);
    await recordInit(dir, this.options.binary, env);
  }

  async plan(dir: string, { out, refresh, refreshOnly, targets, vars, destroy, onProgress, onStarted }: PlanOptions): Promise<{ hasChanges: boolean }> {
    const args = ["plan", "-input=false", "-no-color", "-json", "-detailed-exitcode", "-lock-timeout=60s", `-out=${out}`];
    if (destroy) args.push("-destroy");
    if (refreshOnly) args.push("-refresh-only");
    else if (!refresh) args.push("-refresh=false");
    for (const target of targets ?? []) args.push(`-target=${target}`);
    for (const [name, value] of Object.entries(vars ?? {})) args.push("-var", `${name}=${value}`);
    args.push(...this.parallelismArgs());
    const errors: string[] = [];
    const { result, stopped } = await this.stream(dir, args, onStarted, (event) => {
      const kind = progressKind(event);
      if (kind) onProgress?.(kind);
      // With -json, Terraform's errors are events on stdout, not text on stderr.
      if (event.type === "diagnostic" && event["@level"] === "error") errors.push([event.diagnostic?.address, event.diagnostic?.summary, event.diagnostic?.detail].filter(Boolean).join(": "));
    });
    // -detailed-exitcode: 0 no changes, 1 error, 2 changes.
    this.check({ ...result, stderr: [String(result.stderr ?? "").trim(), ...errors].filter(Boolean).join("\n"), stdout: "" }, args, stopped, dir, [0, 2]);
    return { hasChanges: result.exitCode === 2 };
  }

  async showPlan(dir: string, planFile: string): Promise<unknown> {
    const stdout = await this.capture(dir, ["show", "-json", "-no-color", planFile]);
    try {
      return JSON.parse(stdout);
    } catch (error) {
      throw new ExternalError(`${this.options.binary} show -json printed something that is not JSON`, { cause: error });
    }
  }

  async apply(dir: string, planFile: string, onProgress?: (event: ApplyProgress) => void): Promise<void> {
    const args = ["apply", "-input=false", "-no-color", "-lock-timeout=60s", "-json", ...this.parallelismArgs(), planFile];
    // `-json` streams one event per line, e.g.
    // {"@level":"info","@message":"okta_app_bookmark.app[\"a-1\"]: Creation complete after 0s [id=0oa1]","type":"apply_complete","hook":{"resource":{"addr":"okta_app_bookmark.app[\"a-1\"]",...},"action":"create",...}}
    // {"@level":"error","type":"diagnostic","diagnostic":{"severity":"error","summary":"failed to update ...","detail":"...","address":"okta_app_group_assignments.assignments[\"a-1\"]"}}
    const errors: Diagnostic[] = [];
    const errored: string[] = [];
    const { result, stopped } = await this.stream(dir, args, undefined, (event) => {
      if (event.type === "apply_complete" && event.hook?.resource?.addr) {
        onProgress?.({ address: event.hook.resource.addr, action: event.hook.action ?? "" });
      }
      if (event.type === "apply_errored" && event.hook?.resource?.addr) errored.push(event.hook.resource.addr);
      if (event.type === "diagnostic" && event["@level"] === "error" && !HALTED.test(event.diagnostic?.summary ?? "")) {
        errors.push({
          summary: event.diagnostic?.summary ?? "",
          detail: event.diagnostic?.detail ?? "",
          ...(event.diagnostic?.address ? { address: event.diagnostic.address } : {}),
        });
      }
    });
    if (errors.length > 0 && !stopped) {
      const locked = errors.map((error) => stateLockAdvice(`${error.summary}\n${error.detail}`, dir, this.options.binary)).find(Boolean);
      if (locked) throw new ExternalError(locked);
      throw new TerraformApplyError(this.options.binary, errors, errored);
    }
    this.check(result, args, stopped, dir);
  }

  /** Runs a `-json` command, handing each event line to `onEvent` as it comes (and, with --verbose, its message to stderr). `stopped`: whether the run was told to stop. */
  private async stream(dir: string, args: string[], onStarted: (() => void) | undefined, onEvent: (event: TerraformEvent) => void) {
    const { subprocess, stopped } = await this.start(dir, args, true);
    onStarted?.();
    for await (const line of subprocess.iterable({ from: "stdout" })) {
      const event = parseEvent(String(line));
      if (!event) continue;
      if (this.options.verbose && event["@message"] && !stopped()) process.stderr.write(`${event["@message"]}\n`);
      onEvent(event);
    }
    return { result: await subprocess, stopped: stopped() };
  }

  async showState(dir: string): Promise<unknown> {
    const stdout = await this.capture(dir, ["show", "-json", "-no-color"]);
    try {
      return JSON.parse(stdout);
    } catch (error) {
      throw new ExternalError(`${this.options.binary} show -json printed something that is not JSON`, { cause: error });
    }
  }

  async pullState(dir: string): Promise<unknown> {
    const stdout = await this.capture(dir, ["state", "pull"]);
    if (stdout.trim() === "") return {};
    try {
      return JSON.parse(stdout);
    } catch (error) {
      throw new ExternalError(`${this.options.binary} state pull printed something that is not JSON`, { cause: error });
    }
  }

  async forget(dir: string, addresses: readonly string[]): Promise<void> {
    // In batches: tens of thousands of addresses would not fit one command line.
    for (let start = 0; start < addresses.length; start += FORGET_BATCH) {
      await this.run(dir, ["state", "rm", "-no-color", "-lock-timeout=60s", ...addresses.slice(start, start + FORGET_BATCH)]);
    }
  }

  private parallelismArgs(): string[] {
    return this.options.parallelism === undefined ? [] : [`-parallelism=${this.options.parallelism}`];
  }

  /** Wrapped in an object: a subprocess is thenable, and an async function would wait for it. `stopped`: whether this run was told to stop. */
  private async start(dir: string, args: string[], buffer: boolean): Promise<{ subprocess: ResultPromise; stopped: () => boolean }> {
    const command = `${this.options.binary} ${args[0]}`;
    if (this.options.signal?.aborted) throw new TerraformStopped(`${command} was not started: stopping`);
    const env = this.commandEnv();
    if (this.options.checkVersion) await checkTerraformVersion(this.options.binary, env);
    // execa takes a while to load; commands that never run Terraform skip it.
    const { execa } = await import("execa");
    const subprocess = execa(this.options.binary, args, {
      cwd: dir,
      env,
      reject: false,
      stdin: "ignore",
      // --verbose: Terraform's output goes to our stderr, keeping stdout for reports.
      stdout: buffer || !this.options.verbose ? "pipe" : ["pipe", process.stderr],
      stderr: this.options.verbose ? ["pipe", process.stderr] : "pipe",
      // Its own process group, with its providers: a stop reaches all of them, and only through us (below).
      detached: true,
      maxBuffer: 1024 * 1024 * 1024,
    }) as unknown as ResultPromise;
    return { subprocess, stopped: this.stopOnAbort(subprocess, `${command} (in ${dir})`) };
  }

  /** On abort: SIGINT to Terraform's process group, SIGKILL after STOP_GRACE_MS. Returns whether the run was told to stop. */
  private stopOnAbort(subprocess: ResultPromise, command: string): () => boolean {
    const pid = subprocess.pid;
    const signal = this.options.signal;
    if (pid === undefined) return () => false;
    if (runningGroups.size === 0) process.once("exit", killRunningGroups);
    runningGroups.add(pid);
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      stopped = true;
      signalGroup(pid, "SIGINT");
      timer = setTimeout(() => {
        killedAfterGrace = true;
        (this.options.log ?? ((message: string) => process.stderr.write(`${message}\n`)))(
          `${command} did not stop within ${STOP_GRACE_MS / 1000} s of SIGINT: killed, with its providers. ` +
            "Its state may stay locked (`terraform force-unlock`) and miss changes that were in flight: plan again before applying.",
        );
        signalGroup(pid, "SIGKILL");
      }, STOP_GRACE_MS);
    };
    // Aborted while execa was loading: stop it at once.
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    void subprocess.finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      runningGroups.delete(pid);
      if (runningGroups.size === 0) process.removeListener("exit", killRunningGroups);
    });
    return () => stopped;
  }

  private async run(dir: string, args: string[], okCodes: number[] = [0]): Promise<number> {
    const { subprocess, stopped } = await this.start(dir, args, false);
    const result = await subprocess;
    this.check(result, args, stopped(), dir, okCodes);
    return result.exitCode ?? 1;
  }

  private async capture(dir: string, args: string[]): Promise<string> {
    const { subprocess, stopped } = await this.start(dir, args, true);
    const result = await subprocess;
    this.check(result, args, stopped(), dir);
    return String(result.stdout);
  }

  private check(
    result: { exitCode?: number; failed?: boolean; stderr?: unknown; stdout?: unknown; code?: string },
    args: string[],
    stopped: boolean,
    dir: string,
    okCodes: number[] = [0],
  ): void {
    const command = `${this.options.binary} ${args[0]}`;
    if (stopped && (result.exitCode === undefined || !okCodes.includes(result.exitCode))) throw new TerraformStopped(`${command} was stopped`);
    const notRun = cannotRun(this.options.binary, result.code);
    if (notRun) throw new UsageError(notRun);
    if (result.exitCode === undefined || !okCodes.includes(result.exitCode)) {
      // Colour codes, from commands that have no -no-color, would print as garbage.
      const detail = (String(result.stderr ?? "").trim() || String(result.stdout ?? "").trim().split("\n").slice(-20).join("\n")).replace(/\x1b\[[0-9;]*m/g, "");
      if (/Backend configuration changed|Backend initialization required/.test(detail)) throw new BackendChangedError(detail);
      // Interrupted by a signal sent to Terraform itself: one line, not one "execution halted" per resource.
      if (/Interrupt received|execution halted/i.test(detail)) throw new ExternalError(`${command} was interrupted (Terraform received a signal) before it finished`);
      const locked = stateLockAdvice(detail, dir, this.options.binary);
      if (locked) throw new ExternalError(locked, { cause: new ExternalError(`${command} failed (exit ${result.exitCode ?? "none"}):\n${detail}`) });
      throw new ExternalError(`${command} failed (exit ${result.exitCode ?? "none"}):\n${detail}`);
    }
  }
}

function killRunningGroups(): void {
  for (const pid of runningGroups) signalGroup(pid, "SIGKILL");
}
