// Options shared by the commands that synthesize or run Terraform, and the
// paths they resolve to, through the one resolution of the project
// (src/config/project.ts): a command finds the same stacks, plans and state
// from any folder of the project, as `watch`, the sandbox and `cdktf synth` do.
import { Option, type Command } from "commander";
import { nonNegativeInteger, positiveInteger } from "./number-options.ts";
import type { Project } from "../config/project-config.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_OUT_DIR, DEFAULT_STATE_DIR, requireWorkspacesDir, resolveProject, type ResolvedProject } from "../config/project.ts";
import { adoptionFile } from "../stack/adoptions.ts";
import { stackOptionsFor } from "../stack/stack-options.ts";
import { decide, type PipelineOptions, type PipelineRun } from "../pipeline/pipeline.ts";
import type { ProtectedPaths } from "../stack/out-dir.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import { DEFAULT_DESTROY_LIMITS, type DestroyLimits } from "../sync/destroy-guard.ts";
import type { SyncPaths } from "../sync/saved-plans.ts";
import { TERRAFORM_DEFAULT_PARALLELISM, TerraformCli, terraformBinary, terraformParallelism } from "../terraform/terraform.ts";
import { readAllFindings } from "../sync/people-record.ts";
import { shardHistory } from "./settle-shards.ts";
import { workspacesOption } from "./workspaces-option.ts";

export { adoptionFile, DEFAULT_OUT_DIR, DEFAULT_STATE_DIR };

export interface PathOptions {
  workspaces?: string;
  out?: string;
  stateDir?: string;
}

export interface TerraformCommandOptions extends PathOptions {
  terraformBinary?: string;
  verbose?: boolean;
  stack?: string[];
  parallel?: number;
}

/** Where everything is, resolved to absolute paths (src/config/project.ts). */
export interface CommandContext {
  readonly project: Project;
  readonly resolved: ResolvedProject;
  readonly workspacesDir: string;
  readonly paths: SyncPaths;
  readonly stackOptions: StackOptions;
  /** What `--out` must never replace. */
  readonly protectedPaths: ProtectedPaths;
}

export function addOutOption(command: Command): Command {
  return command.option("--out <dir>", `where stacks are synthesized (default: ${DEFAULT_OUT_DIR} in the project folder)`);
}

/** `readsWorkspaces: false` for `apply`, which works from saved plans only; `parallel` for the commands that run stacks at once. */
export function addTerraformOptions(command: Command, { readsWorkspaces = true, parallel = "" } = {}): Command {
  if (readsWorkspaces) command.addOption(workspacesOption());
  addOutOption(command)
    .option("--state-dir <dir>", `where saved plans and sync status are kept (default: ${DEFAULT_STATE_DIR} in the project folder)`)
    .option("--stack <id...>", "only these workspaces, or stacks (a shard: <workspace id>-s007)");
  if (parallel) command.option("--parallel <n>", parallel, positiveInteger);
  return command
    .option("--terraform-binary <path>", "Terraform or OpenTofu binary (default: $TERRAFORM_BINARY_NAME or terraform)")
    .option("--verbose", "stream Terraform's own output to stderr");
}

export const PLAN_PARALLEL_HELP =
  "plan this many stacks at once (default 1); each keeps to its workspace's whole rate-limit share (the providers see one another's requests in Okta's headers), with Terraform's -parallelism divided among them";

export function addDestroyGuardOptions(command: Command): Command {
  return command
    .option("--allow-destroy", "apply even when the plan removes more apps, or takes chiclets from more people, than the limits allow")
    .addOption(
      new Option("--max-destroy-percent <n>", "refuse plans removing more than this percent of a stack's apps or people-chiclet pairs")
        .default(DEFAULT_DESTROY_LIMITS.maxPercent)
        .argParser(nonNegativeInteger),
    )
    .addOption(
      new Option("--max-destroy-count <n>", "refuse plans removing more than this many apps or people-chiclet pairs of a stack")
        .default(DEFAULT_DESTROY_LIMITS.maxCount)
        .argParser(nonNegativeInteger),
    );
}


export function destroyLimits(options: { maxDestroyPercent: number; maxDestroyCount: number }): DestroyLimits {
  return { maxPercent: options.maxDestroyPercent, maxCount: options.maxDestroyCount };
}

export async function commandContext(options: PathOptions, cwd = process.cwd()): Promise<CommandContext> {
  const resolved = await resolveProject(options, { cwd });
  const { project, workspacesDir, outDir, stateDir } = resolved;
  return {
    project,
    resolved,
    workspacesDir,
    paths: { outDir, stateDir },
    stackOptions: { ...(await stackOptionsFor(resolved)), findings: await readAllFindings(resolved.stateDir) },
    protectedPaths: {
      keep: [
        { path: workspacesDir, what: "the workspaces folder" },
        { path: stateDir, what: "the state folder (saved plans, sync status)" },
        { path: project.dir, what: "the project folder" },
      ],
    },
  };
}

/** The pipeline's settings for this command: where to read, where to write, what never to replace. */
/** What the pipeline needs to read the workspaces, which must exist by now. */
export function pipelineOptions(context: CommandContext): PipelineOptions {
  requireWorkspacesDir(context.resolved);
  return {
    workspacesDir: context.workspacesDir,
    outDir: context.paths.outDir,
    stackOptions: context.stackOptions,
    protectedPaths: context.protectedPaths,
    shardCounts: context.resolved.shardCounts,
    shardsInUse: shardHistory(context.project, context.paths.stateDir),
  };
}

/** The pipeline up to the stacks, writing nothing, with this command's settings (shards included). */
export async function decideFor(context: CommandContext): Promise<PipelineRun> {
  const settings = pipelineOptions(context);
  return decide(context.workspacesDir, settings.shardCounts, settings.shardsInUse);
}

/**
 * Terraform for a command running `stacksAtOnce` stacks at once: each gets `-parallelism` so that together
 * they keep about $CERBY_OKTA_TERRAFORM_PARALLELISM operations in flight (default 10, Terraform's own),
 * whatever the number of stacks: each uses its workspace's whole rate-limit share, and what bounds the
 * bursts past it is the requests in flight.
 */
export function terraformFor(options: TerraformCommandOptions, signal: AbortSignal, stacksAtOnce = options.parallel ?? 1, env: NodeJS.ProcessEnv = process.env): TerraformCli {
  return new TerraformCli({ binary: terraformBinary(options.terraformBinary), verbose: options.verbose, signal, parallelism: terraformParallelism(stacksAtOnce, parallelismBudget(env)) });
}

export const PARALLELISM_VARIABLE = "CERBY_OKTA_TERRAFORM_PARALLELISM";

function parallelismBudget(env: NodeJS.ProcessEnv): number {
  const value = env[PARALLELISM_VARIABLE];
  if (value === undefined || value === "") return TERRAFORM_DEFAULT_PARALLELISM;
  if (!/^[1-9][0-9]{0,3}$/.test(value)) throw new UsageError(`${PARALLELISM_VARIABLE}=${JSON.stringify(value.slice(0, 20))}: expected a whole number from 1 to 9999 (Terraform operations in flight across the stacks run at once)`);
  return Number(value);
}

/** Progress goes to stderr, so that stdout stays for reports. */
export const logProgress = (message: string) => process.stderr.write(`${message}\n`);
