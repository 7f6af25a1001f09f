// What `cdktf synth|diff|deploy` runs (main.ts): the same pipeline as
// `cerby-okta synth`, into the App cdktf hands us.
import type { App } from "cdktf";
import { loadProject } from "./config/project-config.ts";
import { reportError } from "./cli/run.ts";
import { loadDesiredState } from "./cli/workspaces-option.ts";
import { addWorkspaceStacks } from "./stack/synthesize.ts";
import path from "node:path";

export async function runCdktfApp(app: App): Promise<void> {
  try {
    const project = await loadProject();
    const workspacesDir = path.resolve(project.dir, process.env.CERBY_OKTA_WORKSPACES ?? "workspaces");
    addWorkspaceStacks(app, await loadDesiredState(workspacesDir), { backend: project.config.backend, projectDir: project.dir });
    app.synth();
  } catch (error) {
    process.exitCode = reportError(error);
  }
}
