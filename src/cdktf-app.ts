// What `cdktf synth|diff|deploy` runs (main.ts): the pipeline's decision, the
// same stacks as `cerby-okta synth`, added to the App cdktf hands us. The
// project (workspaces folder, shards, backend) is resolved as every other
// entry resolves it (src/config/project.ts).
import type { App } from "cdktf";
import { requireWorkspacesDir, resolveProject } from "./config/project.ts";
import { errorReport, UsageError } from "./errors.ts";
import { warningLines } from "./domain/desired-state.ts";
import { decide } from "./pipeline/pipeline.ts";
import { stackOptionsFor } from "./stack/stack-options.ts";
import { addWorkspaceStacks } from "./stack/synthesize.ts";
import { readAllFindings } from "./sync/people-record.ts";
import { shardsInUse } from "./sync/shard-history.ts";
import { terraformBinary } from "./terraform/terraform.ts";
import { checkTerraformVersion } from "./terraform/version.ts";

export async function runCdktfApp(app: App): Promise<void> {
  try {
    const project = await resolveProject();
    requireWorkspacesDir(project);
    await checkCdktfBinary(project.terraformBinary, project.project.configFile);
    // Shard counts as `cerby-okta plan` chooses them: `shards:`, else the count in use, else the advised one.
    const inUse = (workspaceIds: readonly string[]) => shardsInUse(project.stateDir, { projectDir: project.project.dir, backend: project.backend, workspaceIds });
    const { stacks, desired } = await decide(project.workspacesDir, project.shardCounts, inUse);
    // The rejected accounts and other warnings `cerby-okta synth` shows. On
    // stdout: cdktf prints each line the app writes to stderr as an [ERROR].
    for (const line of warningLines(desired)) process.stdout.write(`${line}\n`);
    // What `cerby-okta plan` learned from Okta (people held, IDs Okta does not know), in the project's state folder.
    addWorkspaceStacks(app, stacks, { ...(await stackOptionsFor(project)), findings: await readAllFindings(project.stateDir) });
    app.synth();
  } catch (error) {
    const { text, exitCode } = errorReport(error);
    process.stderr.write(text);
    process.exitCode = exitCode;
  }
}

/**
 * `cdktf deploy` runs $TERRAFORM_BINARY_NAME, else `terraform`, and reads no
 * cerby-okta.yaml: when that file names another binary (`tofu`), deploying
 * with `terraform` would write the states with the other tool. Refused here,
 * at synth, before cdktf runs anything; and the binary's version is checked
 * as every cerby-okta command checks it.
 */
async function checkCdktfBinary(configured: string | undefined, configFile: string | undefined): Promise<void> {
  const runs = terraformBinary(undefined, undefined);
  if (configured !== undefined && !process.env.TERRAFORM_BINARY_NAME && configured !== runs) {
    throw new UsageError(
      `${configFile}: terraformBinary is ${configured}, but cdktf runs $TERRAFORM_BINARY_NAME, which is not set (so: ${runs}). ` +
        `Run cdktf with TERRAFORM_BINARY_NAME=${configured}, e.g. \`TERRAFORM_BINARY_NAME=${configured} npx cdktf deploy\``,
    );
  }
  await checkTerraformVersion(runs, process.env);
}
