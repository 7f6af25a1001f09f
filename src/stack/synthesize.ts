// The stacks of a desired state, added to a cdktf App: what `cdktf synth`
// runs through main.ts. Our own commands write stacks with StackSynthesizer.
import type { App } from "cdktf";
import type { DesiredState } from "../domain/desired-state.ts";
import { WorkspaceStack, type StackOptions } from "./workspace-stack.ts";

/** Adds one stack per synced workspace; workspaces with the switch off get none (R1). */
export function addWorkspaceStacks(app: App, state: DesiredState, options: StackOptions = {}): void {
  for (const workspace of state.workspaces) {
    if (workspace.synced) new WorkspaceStack(app, workspace, options);
  }
}
