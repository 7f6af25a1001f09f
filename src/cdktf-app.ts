// What `cdktf synth|diff|deploy` runs (main.ts): the pipeline's decision, the
// same stacks as `cerby-okta synth`, added to the App cdktf hands us.
import type { App } from "cdktf";
import { defaultWorkspacesDir, loadProject, shardCountsOf } from "./config/project-config.ts";
import { errorReport } from "./errors.ts";
import { warningLines } from "./domain/desired-state.ts";
import { decide } from "./pipeline/pipeline.ts";
import { addWorkspaceStacks } from "./stack/synthesize.ts";

export async function runCdktfApp(app: App): Promise<void> {
  try {
    const project = await loadProject();
    const workspacesDir = defaultWorkspacesDir(project);
    const { stacks, desired } = await decide(workspacesDir, shardCountsOf(project));
    // The rejected accounts and other warnings `cerby-okta synth` shows.
    for (const line of warningLines(desired)) process.stderr.write(`${line}\n`);
    addWorkspaceStacks(app, stacks, { backend: project.config.backend, projectDir: project.dir });
    app.synth();
  } catch (error) {
    const { text, exitCode } = errorReport(error);
    process.stderr.write(text);
    process.exitCode = exitCode;
  }
}
