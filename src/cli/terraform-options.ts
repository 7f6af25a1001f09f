// Options shared by the commands that run Terraform, and what they build.
import { InvalidArgumentError, Option, type Command } from "commander";
import { loadProjectConfig } from "../config/project-config.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import { DEFAULT_DESTROY_LIMITS, type DestroyLimits } from "../sync/destroy-guard.ts";
import type { SyncPaths } from "../sync/workflow.ts";
import { TerraformCli, terraformBinary } from "../terraform/terraform.ts";
import { workspacesOption } from "./workspaces-option.ts";

export interface TerraformCommandOptions {
  workspaces: string;
  out: string;
  stateDir: string;
  terraformBinary?: string;
  verbose?: boolean;
  stack?: string[];
}

/** `readsWorkspaces: false` for `apply`, which works from saved plans only. */
export function addTerraformOptions(command: Command, { readsWorkspaces = true } = {}): Command {
  if (readsWorkspaces) command.addOption(workspacesOption());
  return command
    .option("--out <dir>", "where stacks are synthesized", "cdktf.out")
    .option("--state-dir <dir>", "where saved plans and sync status are kept", ".cerby-okta")
    .option("--stack <id...>", "only these workspaces (stacks)")
    .option("--terraform-binary <path>", "Terraform or OpenTofu binary (default: $TERRAFORM_BINARY_NAME or terraform)")
    .option("--verbose", "stream Terraform's own output to stderr");
}

export function addDestroyGuardOptions(command: Command): Command {
  return command
    .option("--allow-destroy", "apply even when the plan removes more apps than the limits allow")
    .addOption(new Option("--max-destroy-percent <n>", "refuse plans removing more than this percent of a stack's apps").default(DEFAULT_DESTROY_LIMITS.maxPercent).argParser(parseCount))
    .addOption(new Option("--max-destroy-count <n>", "refuse plans removing more than this many apps of a stack").default(DEFAULT_DESTROY_LIMITS.maxCount).argParser(parseCount));
}

function parseCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError("must be a whole number, 0 or more");
  return number;
}

export function destroyLimits(options: { maxDestroyPercent: number; maxDestroyCount: number }): DestroyLimits {
  return { maxPercent: options.maxDestroyPercent, maxCount: options.maxDestroyCount };
}

export function syncPaths(options: TerraformCommandOptions): SyncPaths {
  return { outDir: options.out, stateDir: options.stateDir };
}

export function terraformFor(options: TerraformCommandOptions, signal: AbortSignal): TerraformCli {
  return new TerraformCli({ binary: terraformBinary(options.terraformBinary), verbose: options.verbose, signal });
}

/** Progress goes to stderr, so that stdout stays for reports. */
export const logProgress = (message: string) => process.stderr.write(`${message}\n`);

/** Stack settings from the project configuration (cerby-okta.yaml). */
export async function stackOptions(): Promise<StackOptions> {
  return { backend: (await loadProjectConfig()).backend };
}
