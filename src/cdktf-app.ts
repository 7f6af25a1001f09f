// What `cdktf synth|diff|deploy` runs (main.ts): the pipeline's decision, the
// same stacks as `cerby-okta synth`, added to the App cdktf hands us.
import type { App } from "cdktf";
import path from "node:path";
import { loadProject, shardCountsOf } from "./config/project-config.ts";
import { errorReport } from "./errors.ts";
import { warningLines } from "./domain/desired-state.ts";
import { decide } from "./pipeline/pipeline.ts";
import { addWorkspaceStacks } from "./stack/synthesize.ts";
import { readAllFindings } from "./sync/people-record.ts";

export async function runCdktfApp(app: App): Promise<void> {
  try {
    const project = await loadProject();
    const workspacesDir = path.resolve(project.dir, process.env.CERBY_OKTA_WORKSPACES ?? "workspaces");
    const { stacks, desired } = await decide(workspacesDir, shardCountsOf(project));
    // The rejected accounts and other warnings `cerby-okta synth` shows.
    for (const line of warningLines(desired)) process.stderr.write(`${line}\n`);
    // What `cerby-okta plan` learned from Okta (people held, IDs Okta does not know), in the CLI's default state folder.
    const findings = await readAllFindings(path.join(project.dir, ".cerby-okta"));
    addWorkspaceStacks(app, stacks, { backend: project.config.backend, projectDir: project.dir, findings });
    app.synth();
  } catch (error) {
    const { text, exitCode } = errorReport(error);
    process.stderr.write(text);
    process.exitCode = exitCode;
  }
}
