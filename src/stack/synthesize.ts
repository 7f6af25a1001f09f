// Synthesizes every synced workspace into `outdir`, all or nothing: the app is
// written to a sibling temporary folder, then swapped in by rename.
import { App } from "cdktf";
import { randomBytes } from "node:crypto";
import { readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { DesiredState } from "../domain/desired-state.ts";
import { swapFolder } from "../files/swap-folder.ts";
import { WorkspaceStack, type StackOptions } from "./workspace-stack.ts";

/** Adds one stack per synced workspace; workspaces with the switch off get none (R1). */
export function addWorkspaceStacks(app: App, state: DesiredState, options: StackOptions = {}): void {
  for (const workspace of state.workspaces) {
    if (workspace.synced) new WorkspaceStack(app, workspace, options);
  }
}

export async function synthesizeAtomically(state: DesiredState, outdir: string, options: StackOptions = {}): Promise<void> {
  const target = path.resolve(outdir);
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const staging = `${target}.staging-${suffix}`;
  try {
    const app = new App({ outdir: staging });
    addWorkspaceStacks(app, state, options);
    app.synth();
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
