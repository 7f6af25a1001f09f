// The `--workspaces DIR` option every command shares, and loading through it.
import { Option } from "commander";
import path from "node:path";
import { defaultWorkspacesDir, loadProject } from "../config/project-config.ts";
import type { DesiredState } from "../domain/desired-state.ts";
import { decide } from "../pipeline/pipeline.ts";

export const DEFAULT_WORKSPACES_DIR = "workspaces";

export function workspacesOption(): Option {
  return new Option("--workspaces <dir>", `folder holding one sub-folder per workspace (default: $CERBY_OKTA_WORKSPACES, else ${DEFAULT_WORKSPACES_DIR}, in the project folder)`);
}

/** `--workspaces` as given (relative to the current folder), else $CERBY_OKTA_WORKSPACES or `workspaces` in the project folder. */
export async function workspacesDirOf(flag: string | undefined, cwd = process.cwd()): Promise<string> {
  if (flag !== undefined) return path.resolve(cwd, flag);
  return defaultWorkspacesDir(await loadProject(cwd));
}

/** Loads and checks every workspace, then decides what Okta should hold. */
export async function loadDesiredState(workspacesDir: string): Promise<DesiredState> {
  return (await decide(workspacesDir)).desired;
}
