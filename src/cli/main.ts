// The `cerby-okta` command line. Each command lives in its own file under
// ./commands and registers itself on the program.
import { Command } from "commander";
import { runCli } from "./run.ts";
import * as preview from "./commands/preview.ts";
import * as synth from "./commands/synth.ts";
import * as validate from "./commands/validate.ts";
import * as snapshot from "./commands/snapshot.ts";
import * as deprovision from "./commands/deprovision.ts";
import * as plan from "./commands/plan.ts";
import * as review from "./commands/review.ts";
import * as apply from "./commands/apply.ts";
import * as reconcile from "./commands/reconcile.ts";
import * as status from "./commands/status.ts";
import * as watch from "./commands/watch.ts";
import * as adopt from "./commands/adopt.ts";
import * as migrateState from "./commands/migrate-state.ts";
import { packageVersion } from "./version.ts";

const program = new Command("cerby-okta")
  .description("Keep an Okta org in step with a Cerby workspace.")
  .version(packageVersion(), "-V, --version", "print the version")
  .showHelpAfterError();

for (const command of [validate, preview, synth, plan, review, apply, reconcile, status, watch, adopt, migrateState, snapshot, deprovision]) command.register(program);
(await import("./commands/schema.ts")).register(program);

process.exitCode = await runCli(program, process.argv);
