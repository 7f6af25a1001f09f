// Terraform behind an interface: commands call `Terraform`, tests and other
// binaries (OpenTofu) plug in through it. The CLI implementation runs the
// binary with execa, one working directory per stack.
import type { ResultPromise } from "execa";
import { BackendChangedError, ExternalError, UsageError } from "../errors.ts";
import { parseEvent, progressKind, type ProgressKind, type TerraformEvent } from "./progress.ts";

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
  /** Called for each resource read back or change planned, as Terraform reports it (`-json` events). */
  readonly onProgress?: (kind: ProgressKind) => void;
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

export interface Terraform {
  /** `migrateState` moves existing state to a changed backend (`-migrate-state -force-copy`). */
  init(dir: string, options?: { migrateState?: boolean }): Promise<void>;
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
  /** Aborting stops the running Terraform with SIGINT, its own clean stop (it releases the state lock). */
  readonly signal?: AbortSignal;
}

/** How long Terraform gets to stop cleanly after SIGINT before it is killed. */
const STOP_GRACE_MS = 60_000;
/** Addresses per `terraform state rm` (each a few dozen bytes; Linux allows 128 KiB per argument, 2 MiB in all). */
const FORGET_BATCH = 2_000;

export function terraformBinary(flag: string | undefined): string {
  return flag ?? process.env.TERRAFORM_BINARY_NAME ?? "terraform";
}

export class TerraformCli implements Terraform {
  constructor(private readonly options: TerraformCliOptions) {}

  async init(dir: string, options: { migrateState?: boolean } = {}): Promise<void> {
    await this.run(dir, ["init", "-input=false", "-no-color", ...(options.migrateState ? ["-migrate-state", "-force-copy"] : [])]);
  }

  async plan(dir: string, { out, refresh, refreshOnly, targets, vars, onProgress }: PlanOptions): Promise<{ hasChanges: boolean }> {
    const args = ["plan", "-input=false", "-no-color", "-json", "-detailed-exitcode", "-lock-timeout=60s", `-out=${out}`];
    if (refreshOnly) args.push("-refresh-only");
    else if (!refresh) args.push("-refresh=false");
    for (const target of targets ?? []) args.push(`-target=${target}`);
    for (const [name, value] of Object.entries(vars ?? {})) args.push("-var", `${name}=${value}`);
    const errors: string[] = [];
    const result = await this.stream(dir, args, (event) => {
      const kind = progressKind(event);
      if (kind) onProgress?.(kind);
      // With -json, Terraform's errors are events on stdout, not text on stderr.
      if (event.type === "diagnostic" && event["@level"] === "error") errors.push([event.diagnostic?.address, event.diagnostic?.summary, event.diagnostic?.detail].filter(Boolean).join(": "));
    });
    // -detailed-exitcode: 0 no changes, 1 error, 2 changes.
    this.check({ ...result, stderr: [String(result.stderr ?? "").trim(), ...errors].filter(Boolean).join("\n"), stdout: "" }, args, [0, 2]);
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
    const args = ["apply", "-input=false", "-no-color", "-lock-timeout=60s", "-json", planFile];
    // `-json` streams one event per line, e.g.
    // {"@level":"info","@message":"okta_app_bookmark.app[\"a-1\"]: Creation complete after 0s [id=0oa1]","type":"apply_complete","hook":{"resource":{"addr":"okta_app_bookmark.app[\"a-1\"]",...},"action":"create",...}}
    // {"@level":"error","type":"diagnostic","diagnostic":{"severity":"error","summary":"failed to update ...","detail":"...","address":"okta_app_group_assignments.assignments[\"a-1\"]"}}
    const errors: Diagnostic[] = [];
    const errored: string[] = [];
    const result = await this.stream(dir, args, (event) => {
      if (event.type === "apply_complete" && event.hook?.resource?.addr) {
        onProgress?.({ address: event.hook.resource.addr, action: event.hook.action ?? "" });
      }
      if (event.type === "apply_errored" && event.hook?.resource?.addr) errored.push(event.hook.resource.addr);
      if (event.type === "diagnostic" && event["@level"] === "error") {
        errors.push({
          summary: event.diagnostic?.summary ?? "",
          detail: event.diagnostic?.detail ?? "",
          ...(event.diagnostic?.address ? { address: event.diagnostic.address } : {}),
        });
      }
    });
    if (errors.length > 0 && !result.isCanceled) throw new TerraformApplyError(this.options.binary, errors, errored);
    this.check(result, args);
  }

  /** Runs a `-json` command, handing each event line to `onEvent` as it comes (and, with --verbose, its message to stderr). */
  private async stream(dir: string, args: string[], onEvent: (event: TerraformEvent) => void) {
    const { subprocess } = await this.start(dir, args, true);
    for await (const line of subprocess.iterable({ from: "stdout" })) {
      const event = parseEvent(String(line));
      if (!event) continue;
      if (this.options.verbose && event["@message"]) process.stderr.write(`${event["@message"]}\n`);
      onEvent(event);
    }
    return await subprocess;
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
      await this.run(dir, ["state", "rm", "-lock-timeout=60s", ...addresses.slice(start, start + FORGET_BATCH)]);
    }
  }

  /** Wrapped in an object: a subprocess is thenable, and an async function would wait for it. */
  private async start(dir: string, args: string[], buffer: boolean): Promise<{ subprocess: ResultPromise }> {
    // execa takes a while to load; commands that never run Terraform skip it.
    const { execa } = await import("execa");
    const subprocess = execa(this.options.binary, args, {
      cwd: dir,
      env: { TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", ...this.options.env },
      reject: false,
      stdin: "ignore",
      // --verbose: Terraform's output goes to our stderr, keeping stdout for reports.
      stdout: buffer || !this.options.verbose ? "pipe" : ["pipe", process.stderr],
      stderr: this.options.verbose ? ["pipe", process.stderr] : "pipe",
      cancelSignal: this.options.signal,
      killSignal: "SIGINT",
      forceKillAfterDelay: STOP_GRACE_MS,
      maxBuffer: 1024 * 1024 * 1024,
    }) as unknown as ResultPromise;
    return { subprocess };
  }

  private async run(dir: string, args: string[], okCodes: number[] = [0]): Promise<number> {
    const result = await (await this.start(dir, args, false)).subprocess;
    this.check(result, args, okCodes);
    return result.exitCode ?? 1;
  }

  private async capture(dir: string, args: string[]): Promise<string> {
    const result = await (await this.start(dir, args, true)).subprocess;
    this.check(result, args);
    return String(result.stdout);
  }

  private check(
    result: { exitCode?: number; isCanceled?: boolean; failed?: boolean; stderr?: unknown; stdout?: unknown; code?: string },
    args: string[],
    okCodes: number[] = [0],
  ): void {
    const command = `${this.options.binary} ${args[0]}`;
    if (result.isCanceled) throw new ExternalError(`${command} was stopped`);
    if (result.code === "ENOENT") {
      throw new UsageError(
        this.options.binary.includes("/")
          ? `cannot run ${this.options.binary}: no such file (check --terraform-binary or TERRAFORM_BINARY_NAME)`
          : `cannot run ${this.options.binary}: not found on PATH (set --terraform-binary or TERRAFORM_BINARY_NAME)`,
      );
    }
    if (result.code === "EACCES") throw new UsageError(`cannot run ${this.options.binary}: it is not executable`);
    if (result.exitCode === undefined || !okCodes.includes(result.exitCode)) {
      const detail = String(result.stderr ?? "").trim() || String(result.stdout ?? "").trim().split("\n").slice(-20).join("\n");
      if (/Backend configuration changed|Backend initialization required/.test(detail)) throw new BackendChangedError(detail);
      throw new ExternalError(`${command} failed (exit ${result.exitCode ?? "none"}):\n${detail}`);
    }
  }
}
