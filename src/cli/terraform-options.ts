// Options shared by the commands that synthesize or run Terraform, and the
// paths they resolve to. Defaults resolve against the project folder (the one
// holding cerby-okta.yaml, see src/config/project-config.ts), so a command
// finds the same stacks, plans and state from any folder of the project.
import { Option, type Command } from "commander";
import { nonNegativeInteger, positiveInteger } from "./number-options.ts";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { loadProject, shardCountsOf, type Project } from "../config/project-config.ts";
import { UsageError } from "../errors.ts";
import { decide, type PipelineOptions, type PipelineRun } from "../pipeline/pipeline.ts";
import type { ProtectedPaths } from "../stack/out-dir.ts";
import type { Adoption } from "../stack/stack-data.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import { DEFAULT_DESTROY_LIMITS, type DestroyLimits } from "../sync/destroy-guard.ts";
import type { SyncPaths } from "../sync/saved-plans.ts";
import { shardHistory } from "./settle-shards.ts";
import { TerraformCli, terraformBinary } from "../terraform/terraform.ts";
import { workspacesOption } from "./workspaces-option.ts";

export const DEFAULT_OUT_DIR = "cdktf.out";
export { DEFAULT_STATE_DIR } from "./state-dir.ts";
import { DEFAULT_STATE_DIR } from "./state-dir.ts";

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

/** Where everything is, resolved to absolute paths. */
export interface CommandContext {
  readonly project: Project;
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

export const PLAN_PARALLEL_HELP = "plan this many stacks at once, each with its share of the workspace's rate-limit capacity (default 1)";

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
  const project = await loadProject(cwd);
  const resolve = (flag: string | undefined, fallback: string) => (flag === undefined ? path.join(project.dir, fallback) : path.resolve(cwd, flag));
  const workspacesDir = resolve(options.workspaces, "workspaces");
  const paths = { outDir: resolve(options.out, DEFAULT_OUT_DIR), stateDir: resolve(options.stateDir, DEFAULT_STATE_DIR) };
  await checkStateDir(paths.stateDir, options.stateDir ?? DEFAULT_STATE_DIR);
  const backend = project.config.backend;
  if (backend?.type === "local" && backend.path) {
    const statePath = path.resolve(project.dir, backend.path);
    const relative = path.relative(paths.outDir, statePath);
    if (!relative.startsWith("..") && !path.isAbsolute(relative)) {
      throw new UsageError(
        `${project.configFile}: backend.path ${backend.path} puts the state inside the output folder ${paths.outDir}, which every synth replaces: the next plan would create every app again. Choose a path outside it, such as state/{workspaceId}.tfstate`,
      );
    }
  }
  return {
    project,
    workspacesDir,
    paths,
    stackOptions: { backend, projectDir: project.dir, adoptions: await readAdoptions(paths.stateDir) },
    protectedPaths: {
      keep: [
        { path: workspacesDir, what: "the workspaces folder" },
        { path: paths.stateDir, what: "the state folder (saved plans, sync status)" },
        { path: project.dir, what: "the project folder" },
      ],
    },
  };
}

/** `--state-dir` must be a folder (or not exist yet). */
async function checkStateDir(stateDir: string, shown: string): Promise<void> {
  try {
    await readdir(stateDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === "ENOTDIR") throw new UsageError(`--state-dir ${shown} is a file, not a folder`);
    throw new UsageError(`cannot use --state-dir ${shown}: ${(error as Error).message}`, { cause: error });
  }
}

/** Where `cerby-okta adopt` leaves the objects a stack is to import, until an apply takes them in. */
export const adoptionFile = (stateDir: string, stack: string) => path.join(stateDir, "adopt", `${stack}.json`);

async function readAdoptions(stateDir: string): Promise<Map<string, Adoption>> {
  const adoptions = new Map<string, Adoption>();
  let files: string[];
  try {
    files = (await readdir(path.join(stateDir, "adopt"))).filter((file) => file.endsWith(".json"));
  } catch {
    return adoptions;
  }
  for (const file of files) {
    const stack = file.slice(0, -".json".length);
    try {
      adoptions.set(stack, JSON.parse(await readFile(adoptionFile(stateDir, stack), "utf8")) as Adoption);
    } catch (error) {
      throw new UsageError(`cannot read ${adoptionFile(stateDir, stack)} (written by cerby-okta adopt): ${(error as Error).message}; delete it and run adopt again`);
    }
  }
  return adoptions;
}

/** The pipeline's settings for this command: where to read, where to write, what never to replace. */
export function pipelineOptions(context: CommandContext): PipelineOptions {
  return {
    workspacesDir: context.workspacesDir,
    outDir: context.paths.outDir,
    stackOptions: context.stackOptions,
    protectedPaths: context.protectedPaths,
    shardCounts: shardCountsOf(context.project),
    shardsInUse: shardHistory(context.project, context.paths.stateDir),
  };
}

/** The pipeline up to the stacks, writing nothing, with this command's settings (shards included). */
export async function decideFor(context: CommandContext): Promise<PipelineRun> {
  const settings = pipelineOptions(context);
  return decide(context.workspacesDir, settings.shardCounts, settings.shardsInUse);
}

export function terraformFor(options: TerraformCommandOptions, signal: AbortSignal): TerraformCli {
  return new TerraformCli({ binary: terraformBinary(options.terraformBinary), verbose: options.verbose, signal });
}

/** Progress goes to stderr, so that stdout stays for reports. */
export const logProgress = (message: string) => process.stderr.write(`${message}\n`);
