// The `--workspaces DIR` option every command shares, and loading through it.
import { Option } from "commander";
import { DEFAULT_WORKSPACES_DIR, requireWorkspacesDir, resolveProject, WORKSPACES_ENV } from "../config/project.ts";
import type { DesiredState } from "../domain/desired-state.ts";
import { decide } from "../pipeline/pipeline.ts";

export function workspacesOption(): Option {
  return new Option("--workspaces <dir>", `folder holding one sub-folder per workspace (default: $${WORKSPACES_ENV}, else ${DEFAULT_WORKSPACES_DIR} in the project folder)`);
}

/** The workspaces folder, as every entry resolves it (src/config/project.ts). */
export async function workspacesDirOf(flag: string | undefined, cwd = process.cwd()): Promise<string> {
  const resolved = await resolveProject({ workspaces: flag }, { cwd });
  requireWorkspacesDir(resolved, cwd);
  return resolved.workspacesDir;
}

/** Loads and checks every workspace, then decides what Okta should hold. */
export async function loadDesiredState(workspacesDir: string): Promise<DesiredState> {
  return (await decide(workspacesDir)).desired;
}
