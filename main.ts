// Entry point for `cdktf synth` / `cdktf deploy` (see cdktf.json): one stack
// per synced workspace under ./workspaces, or under $CERBY_OKTA_WORKSPACES.
import { App } from "cdktf";
import { loadProjectConfig } from "./src/config/project-config.ts";
import { reportError } from "./src/cli/run.ts";
import { loadDesiredState } from "./src/cli/workspaces-option.ts";
import { addWorkspaceStacks } from "./src/stack/synthesize.ts";

try {
  const app = new App();
  const { backend } = await loadProjectConfig();
  addWorkspaceStacks(app, await loadDesiredState(process.env.CERBY_OKTA_WORKSPACES ?? "workspaces"), { backend });
  app.synth();
} catch (error) {
  process.exitCode = reportError(error);
}
