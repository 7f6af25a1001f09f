// The `cerby-okta` command line. Each command lives in its own file under
// ./commands and registers itself on the program. Only the command being run
// is loaded (start-up is mostly module loading); help and an unknown command
// load them all, to list them.
import { Command } from "commander";
import { runCli } from "./run.ts";
import { SUPPORTED_TERRAFORM_TEXT, TESTED_TERRAFORM } from "../terraform/version.ts";
import { packageVersion } from "./version.ts";
import { addCredentialsHelp } from "./credentials-help.ts";

type CommandModule = { register(program: Command): void };

/** In the order `--help` lists them. */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  init: () => import("./commands/init.ts"),
  validate: () => import("./commands/validate.ts"),
  preview: () => import("./commands/preview.ts"),
  synth: () => import("./commands/synth.ts"),
  plan: () => import("./commands/plan.ts"),
  review: () => import("./commands/review.ts"),
  apply: () => import("./commands/apply.ts"),
  reconcile: () => import("./commands/reconcile.ts"),
  status: () => import("./commands/status.ts"),
  watch: () => import("./commands/watch.ts"),
  adopt: () => import("./commands/adopt.ts"),
  "migrate-state": () => import("./commands/migrate-state.ts"),
  shards: () => import("./commands/shards.ts"),
  reshard: () => import("./commands/reshard.ts"),
  snapshot: () => import("./commands/snapshot.ts"),
  deprovision: () => import("./commands/deprovision.ts"),
  "remove-workspace": () => import("./commands/remove-workspace.ts"),
  schema: () => import("./commands/schema.ts"),
};

const program = new Command("cerby-okta")
  .description("Keep an Okta org in step with a Cerby workspace.")
  .version(packageVersion(), "-V, --version", "print the version")
  .showHelpAfterError()
  .addHelpText(
    "after",
    "\nRuns on Node 22 or 24 (LTS); Node 20.19+ still runs, but is out of support since 2026-04-30 and warned about at start.\n" +
      `Runs ${SUPPORTED_TERRAFORM_TEXT}; tested with ${TESTED_TERRAFORM}. Choose the binary (e.g. tofu) with --terraform-binary, $TERRAFORM_BINARY_NAME or terraformBinary in cerby-okta.yaml.`,
  );
addCredentialsHelp(program);

const requested = process.argv[2];
const only =
  requested === "--version" || requested === "-V" ? [] : requested !== undefined && Object.hasOwn(COMMANDS, requested) ? [requested] : Object.keys(COMMANDS);
for (const module of await Promise.all(only.map((name) => COMMANDS[name]!()))) module.register(program);

process.exitCode = await runCli(program, process.argv);
