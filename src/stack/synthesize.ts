// Synthesizes every synced workspace into `outdir`, all or nothing: the app is
// written to a sibling temporary folder, then swapped in by rename.
import { App } from "cdktf";
import { randomBytes } from "node:crypto";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DesiredState } from "../domain/desired-state.ts";
import { UsageError } from "../errors.ts";
import { BackendChangedError } from "../terraform/terraform.ts";
import { swapFolder } from "../files/swap-folder.ts";
import { checkOutDir, OUT_MARKER, OUT_MARKER_TEXT, type ProtectedPaths } from "./out-dir.ts";
import { WorkspaceStack, type StackOptions } from "./workspace-stack.ts";

/** Adds one stack per synced workspace; workspaces with the switch off get none (R1). */
export function addWorkspaceStacks(app: App, state: DesiredState, options: StackOptions = {}): void {
  for (const workspace of state.workspaces) {
    if (workspace.synced) new WorkspaceStack(app, workspace, options);
  }
}

export interface SynthOptions {
  /** What the output folder must never replace. */
  readonly protectedPaths?: ProtectedPaths;
  /** Let a stack's backend differ from the one its folder was initialized with (`migrate-state` only). */
  readonly allowBackendChange?: boolean;
}

export async function synthesizeAtomically(state: DesiredState, outdir: string, options: StackOptions = {}, synth: SynthOptions = {}): Promise<void> {
  await checkOutDir(outdir, synth.protectedPaths ?? { keep: [] });
  const target = path.resolve(outdir);
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const staging = `${target}.staging-${suffix}`;
  try {
    try {
      const app = new App({ outdir: staging });
      addWorkspaceStacks(app, state, options);
      app.synth();
      await writeFile(path.join(staging, OUT_MARKER), OUT_MARKER_TEXT);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "ENOENT" || code === "EROFS" || code === "ENOTDIR" || code === "EPERM") {
        throw new UsageError(`cannot write the stacks next to --out ${outdir}: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
    if (!synth.allowBackendChange) await refuseBackendChanges(target, staging);
    await carryOverTerraformData(target, staging);
    await swapFolder(staging, target, `${target}.old-${suffix}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Files `terraform init` made in a stack folder: kept, so that a re-synth needs no new init. */
const TERRAFORM_WORKING_FILES = [".terraform", ".terraform.lock.hcl"];

async function carryOverTerraformData(previous: string, staging: string): Promise<void> {
  let stacks: string[];
  try {
    stacks = await readdir(path.join(staging, "stacks"));
  } catch {
    return;
  }
  for (const stack of stacks) {
    for (const name of TERRAFORM_WORKING_FILES) {
      try {
        await rename(path.join(previous, "stacks", stack, name), path.join(staging, "stacks", stack, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
  }
}

/**
 * A stack whose backend settings changed cannot be planned until its state is
 * moved; swapping in the new configuration would also hide where the old
 * state was. So synthesis stops before the swap and points at migrate-state.
 */
async function refuseBackendChanges(previous: string, staging: string): Promise<void> {
  let stacks: string[];
  try {
    stacks = await readdir(path.join(staging, "stacks"));
  } catch {
    return;
  }
  const changed: string[] = [];
  for (const stack of stacks) {
    let recorded: { backend?: { type?: string; config?: Record<string, unknown> } };
    try {
      recorded = JSON.parse(await readFile(path.join(previous, "stacks", stack, ".terraform", "terraform.tfstate"), "utf8"));
    } catch {
      continue; // never initialized: nothing to move
    }
    const config = JSON.parse(await readFile(path.join(staging, "stacks", stack, "cdk.tf.json"), "utf8")) as { terraform?: { backend?: Record<string, Record<string, unknown>> } };
    const [type, settings] = Object.entries(config.terraform?.backend ?? { local: {} })[0] ?? ["local", {}];
    const same = recorded.backend?.type === type && Object.entries(settings).every(([key, value]) => JSON.stringify(recorded.backend?.config?.[key]) === JSON.stringify(value));
    if (!same) changed.push(stack);
  }
  if (changed.length > 0) throw new BackendChangedError(`stacks with a new backend: ${changed.join(", ")}`);
}
