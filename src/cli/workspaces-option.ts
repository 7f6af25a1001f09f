// The `--workspaces DIR` option every command shares, and loading through it.
import { Option } from "commander";
import { computeDesiredState, type DesiredState } from "../domain/desired-state.ts";
import { loadWorkspaces } from "../workspace/load.ts";

export const DEFAULT_WORKSPACES_DIR = "workspaces";

export function workspacesOption(): Option {
  return new Option("--workspaces <dir>", "folder holding one sub-folder per workspace").default(DEFAULT_WORKSPACES_DIR);
}

/** Loads and checks every workspace, then decides what Okta should hold. */
export async function loadDesiredState(workspacesDir: string): Promise<DesiredState> {
  return computeDesiredState(await loadWorkspaces(workspacesDir));
}
