// The stacks of a desired state, added to a cdktf App: what `cdktf synth`
// runs through main.ts. Our own commands write stacks with StackSynthesizer.
import type { App } from "cdktf";
import type { StackUnit } from "./shards.ts";
import { WorkspaceStack, type StackOptions } from "./workspace-stack.ts";

/** Adds the stacks of the synced workspaces (workspaces with the switch off have none, R1). */
export function addWorkspaceStacks(app: App, stacks: readonly StackUnit[], options: StackOptions = {}): void {
  for (const stack of stacks) new WorkspaceStack(app, stack, options);
}
