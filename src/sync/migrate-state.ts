// Moving every stack's state to the backend cerby-okta.yaml now names (for
// example from local files to S3 for CI). Terraform can copy a state between
// backends (`init -migrate-state`), but only from the folder that was
// initialized with the old one, and a copy that lost resources would make the
// next plan create duplicate apps: so the state is counted before and after,
// and the move fails loudly unless every resource arrived.
//
// Resumable: each stack's folder records (`.terraform/terraform.tfstate`) the
// backend its state is in, so a run killed after 2 of 4 stacks, or failing on
// one, is finished by running it again: stacks already in the new backend are
// counted and reported, the others moved. A journal in the state folder
// (`migrate-state.json`) keeps what moved, when, and with how many resources.
// A destination that already holds another state (another lineage) or a
// newer one (a higher serial) is never overwritten.
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { ExternalError, UsageError } from "../errors.ts";
import { ensureFolder } from "../files/ensure-folder.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import { APP, isResource } from "../stack/names.ts";
import type { StackOptions } from "../stack/workspace-stack.ts";
import type { Terraform } from "../terraform/terraform.ts";
import type { Log } from "./plan.ts";
import { stackDir, type SyncPaths } from "./saved-plans.ts";
import { readStatus } from "./status.ts";

interface StateSummary {
  /** Managed resource instances. */
  readonly resources: number;
  /** Account IDs of the apps in the state. */
  readonly apps: readonly string[];
  /** Terraform's identity of the state and its version; absent when there is no state. */
  readonly lineage?: string;
  readonly serial?: number;
}

export interface MigrationResult {
  readonly stack: string;
  readonly from: string;
  readonly to: string;
  readonly resources: number;
  readonly apps: number;
  /** `moved` now; `already` in the new backend (an earlier run moved it); `new`: never planned here, so no state to move. */
  readonly outcome: "moved" | "already" | "new";
}

/** A backend as Terraform records it in `.terraform/terraform.tfstate`, or as `cdk.tf.json` declares it. */
interface Backend {
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** What moved, per stack, kept in the state folder across runs. */
interface Journal {
  version: 1;
  /** `copying`: started, with the old state's counts, which a rerun checks the new state against. */
  stacks: Record<string, { outcome: MigrationResult["outcome"] | "copying"; from: string; to: string; resources: number; apps: number; at: string }>;
}

export const migrationJournal = (stateDir: string) => path.join(stateDir, "migrate-state.json");

function summarize(state: unknown): StateSummary {
  const raw = (state ?? {}) as { resources?: { mode?: string; type?: string; name?: string; instances?: { index_key?: unknown }[] }[]; lineage?: unknown; serial?: unknown };
  let count = 0;
  const apps: string[] = [];
  for (const resource of raw.resources ?? []) {
    if (resource.mode !== "managed") continue;
    count += resource.instances?.length ?? 0;
    if (isResource(resource, APP)) for (const instance of resource.instances ?? []) apps.push(String(instance.index_key));
  }
  return {
    resources: count,
    apps: apps.sort(),
    ...(typeof raw.lineage === "string" ? { lineage: raw.lineage } : {}),
    ...(typeof raw.serial === "number" ? { serial: raw.serial } : {}),
  };
}

/** The backend `.terraform/` records for a stack folder: where its state was last initialized. */
async function initializedBackend(dir: string): Promise<Backend | undefined> {
  try {
    const recorded = JSON.parse(await readFile(path.join(dir, ".terraform", "terraform.tfstate"), "utf8")) as { backend?: { type?: string; config?: Record<string, unknown> } };
    const type = recorded.backend?.type;
    if (!type) return undefined;
    // Terraform records every setting, unset ones as null.
    const config = Object.fromEntries(Object.entries(recorded.backend?.config ?? {}).filter(([, value]) => value !== null));
    return { type, config };
  } catch {
    return undefined;
  }
}

/** The backend the stack's `cdk.tf.json` declares. */
async function configuredBackend(dir: string): Promise<Backend> {
  const config = JSON.parse(await readFile(path.join(dir, "cdk.tf.json"), "utf8")) as { terraform?: { backend?: Record<string, Record<string, unknown>> } };
  const [type, settings] = Object.entries(config.terraform?.backend ?? { local: {} })[0] ?? ["local", {}];
  return { type, config: settings };
}

/** Whether the state the folder was initialized with is the one its configuration names (the same test as the synthesizer's). */
function sameBackend(recorded: Backend, configured: Backend): boolean {
  return recorded.type === configured.type && Object.entries(configured.config).every(([key, value]) => JSON.stringify(recorded.config[key]) === JSON.stringify(value));
}

function describe(backend: Backend): string {
  const where = backend.config.path ?? backend.config.key ?? backend.config.prefix ?? (backend.config.workspaces as { name?: unknown } | undefined)?.name ?? "";
  return `${backend.type}${where ? ` ${String(where)}` : ""}`;
}

function describeBackend(options: StackOptions, stack: string): string {
  const backend = options.backend;
  if (!backend) return `local (default, in ${options.projectDir ?? "the project folder"})`;
  return `${backend.type}${"path" in backend && backend.path ? ` ${backend.path}` : "key" in backend ? ` ${backend.key}` : "prefix" in backend ? ` ${backend.prefix}` : ""}`.replaceAll("{workspaceId}", stack);
}

/**
 * The state a backend holds, read without touching the stack folder: a local
 * file directly; anything else through `terraform state pull` in a scratch
 * folder declaring only that backend.
 */
async function readStateAt(backend: Backend, terraform: Terraform, scratch: string, stackFolder: string): Promise<StateSummary> {
  if (backend.type === "local") {
    // Terraform resolves a relative path against the stack folder (ours are absolute).
    const file = path.resolve(stackFolder, String(backend.config.path ?? "terraform.tfstate"));
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return summarize({});
      throw new ExternalError(`cannot read the state ${file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      return summarize(JSON.parse(text));
    } catch (error) {
      throw new ExternalError(`the state ${file} is not a Terraform state (${text.length === 0 ? "empty" : "not JSON"}): restore it from a backup before moving it`, { cause: error });
    }
  }
  await rm(scratch, { recursive: true, force: true });
  await ensureFolder(scratch);
  try {
    await writeFileAtomic(path.join(scratch, "main.tf.json"), `${JSON.stringify({ terraform: { backend: { [backend.type]: backend.config } } }, null, 2)}\n`);
    await terraform.init(scratch);
    return summarize(await terraform.pullState(scratch));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Why the destination's state must not be overwritten by the source's, if it must not. */
function refusal(source: StateSummary, destination: StateSummary): string | undefined {
  if (destination.lineage === undefined) return undefined;
  const both = `the destination holds serial ${destination.serial ?? "?"} (lineage ${destination.lineage}, ${destination.apps.length} apps), the old backend serial ${source.serial ?? "none"} (lineage ${source.lineage ?? "none"}, ${source.apps.length} apps)`;
  if (source.lineage !== undefined && destination.lineage !== source.lineage) return `the destination already holds another state: ${both}`;
  if (source.lineage !== undefined && (destination.serial ?? 0) > (source.serial ?? 0)) return `the destination already holds a newer state: ${both}`;
  return undefined;
}

async function readJournal(stateDir: string): Promise<Journal> {
  try {
    const journal = JSON.parse(await readFile(migrationJournal(stateDir), "utf8")) as Journal;
    if (journal?.version === 1 && typeof journal.stacks === "object" && journal.stacks !== null) return { version: 1, stacks: Object.assign(Object.create(null), journal.stacks) };
  } catch {
    // None yet, or unreadable: the stack folders say where each state is; the journal only reports it.
  }
  return { version: 1, stacks: Object.create(null) };
}

export async function migrateStates(
  stacks: readonly string[],
  terraform: Terraform,
  paths: SyncPaths,
  options: {
    readonly stackOptions: StackOptions;
    /** Writes these stacks (and only these) with their new backend (the pipeline, allowed to change backends). */
    readonly resynthesize: (stacks: readonly string[]) => Promise<unknown>;
    readonly log: Log;
    /** Told of each stack as it is done, before a later one may fail. */
    readonly report: (result: MigrationResult) => void;
  },
): Promise<MigrationResult[]> {
  // Before anything is re-synthesized: where each stack's state is now.
  const recorded = new Map<string, Backend | undefined>();
  for (const stack of stacks) recorded.set(stack, await initializedBackend(stackDir(paths, stack)));
  const journal = await readJournal(paths.stateDir);
  if (stacks.length > 0 && stacks.every((stack) => recorded.get(stack) === undefined && journal.stacks[stack] === undefined)) {
    throw new UsageError(
      `no stack was ever initialized in ${paths.outDir}, so there is no old backend to move a state from on this machine: ` +
        "run migrate-state where the last plan or apply ran (with the old cerby-okta.yaml there), or copy the states with Terraform yourself",
    );
  }
  await options.resynthesize(stacks);

  const results: MigrationResult[] = [];
  const failures: string[] = [];
  const note = async (stack: string, entry: Omit<Journal["stacks"][string], "at">) => {
    journal.stacks[stack] = { ...entry, at: new Date().toISOString() };
    await ensureFolder(paths.stateDir);
    await writeFileAtomic(migrationJournal(paths.stateDir), `${JSON.stringify(journal, null, 2)}\n`);
  };
  for (const stack of stacks) {
    try {
      const result = await migrateStack(stack, recorded.get(stack), terraform, paths, { ...options, journaled: journal.stacks[stack], note: (entry) => note(stack, entry) });
      results.push(result);
      options.report(result);
      await note(stack, { outcome: result.outcome, from: result.from, to: result.to, resources: result.resources, apps: result.apps });
    } catch (error) {
      if (!(error instanceof UsageError || error instanceof ExternalError)) throw error;
      failures.push(`  ${stack}: ${error.message}`);
    }
  }
  if (failures.length > 0) {
    const done = results.map((result) => result.stack);
    throw new ExternalError(
      `${failures.length} of ${stacks.length} stack${stacks.length === 1 ? "" : "s"} not moved:\n${failures.join("\n")}\n` +
        `${done.length > 0 ? `In the new backend and checked: ${done.join(", ")} (journal: ${migrationJournal(paths.stateDir)}). ` : ""}` +
        "Old states are left as they were. Do not plan or apply those stacks yet: put right what is named above, then run `cerby-okta migrate-state` again; it moves only what is left.",
    );
  }
  return results;
}

async function migrateStack(
  stack: string,
  initialized: Backend | undefined,
  terraform: Terraform,
  paths: SyncPaths,
  options: {
    readonly stackOptions: StackOptions;
    readonly log: Log;
    /** What an earlier run recorded of this stack. */
    readonly journaled: Journal["stacks"][string] | undefined;
    readonly note: (entry: Omit<Journal["stacks"][string], "at">) => Promise<void>;
  },
): Promise<MigrationResult> {
  const dir = stackDir(paths, stack);
  const to = describeBackend(options.stackOptions, stack);
  const journaled = options.journaled?.to === to ? options.journaled : undefined;
  let recorded = initialized;
  if (recorded === undefined && journaled !== undefined && journaled.outcome !== "copying") {
    // Moved by an earlier run, and its folder made again since (a new output folder): its state is in the new backend.
    await terraform.init(dir);
    recorded = await initializedBackend(dir);
  }
  if (recorded === undefined) {
    if (await readStatus(paths.stateDir, stack)) {
      throw new UsageError(
        `its folder ${dir} was never initialized, but it was applied here (.cerby-okta/status): its state is in a backend this machine no longer names. ` +
          "Put the old backend back in cerby-okta.yaml, run `cerby-okta plan` (which initializes it), then migrate-state",
      );
    }
    // A workspace added since the last plan: nothing to move, it starts in the new backend.
    options.log(`${stack}: never planned here, so no state to move; it starts in ${to}`);
    return { stack, from: "nothing", to, resources: 0, apps: 0, outcome: "new" };
  }
  const configured = await configuredBackend(dir);
  const from = describe(recorded);
  if (sameBackend(recorded, configured)) {
    const state = summarize(await terraform.pullState(dir));
    if (journaled?.outcome === "copying") checkArrived(to, { resources: journaled.resources, apps: journaled.apps }, state, []);
    options.log(`${stack}: already in ${to} (${state.resources} resources, ${state.apps.length} apps)`);
    return { stack, from, to, resources: state.resources, apps: state.apps.length, outcome: "already" };
  }
  const scratch = path.join(paths.stateDir, "migrate-state", stack);
  const source = await readStateAt(recorded, terraform, path.join(scratch, "from"), dir);
  const destination = await readStateAt(configured, terraform, path.join(scratch, "to"), dir);
  const refused = refusal(source, destination);
  if (refused) {
    throw new UsageError(
      `${refused}. Not overwritten, and nothing was changed. If the destination's state is this stack's latest (another machine moved it first), ` +
        `point this folder at it with \`terraform -chdir=${dir} init -reconfigure\`; otherwise choose another destination in cerby-okta.yaml`,
    );
  }
  if (source.lineage === undefined && destination.lineage !== undefined) {
    // Nothing to move, and the destination's state is kept: the folder only points at it now.
    options.log(`${stack}: the old backend holds no state; using the one already in ${to} (${destination.apps.length} apps)`);
    await terraform.init(dir, { reconfigure: true });
    return { stack, from, to, resources: destination.resources, apps: destination.apps.length, outcome: "already" };
  }
  options.log(`${stack}: moving ${source.resources} resources (${source.apps.length} apps) from ${from} to ${to}`);
  await options.note({ outcome: "copying", from, to, resources: source.resources, apps: source.apps.length });
  await terraform.init(dir, { migrateState: true });
  const after = summarize(await terraform.pullState(dir));
  checkArrived(to, { resources: source.resources, apps: source.apps.length }, after, source.apps.filter((app) => !after.apps.includes(app)));
  return { stack, from, to, resources: after.resources, apps: after.apps.length, outcome: "moved" };
}

/** Fails unless the new state holds every resource and app the old one held. */
function checkArrived(to: string, before: { resources: number; apps: number }, after: StateSummary, missing: readonly string[]): void {
  if (after.resources >= before.resources && after.apps.length >= before.apps && missing.length === 0) return;
  throw new ExternalError(
    `the state in ${to} holds ${after.resources} resources and ${after.apps.length} apps, but the old one held ${before.resources} and ${before.apps}` +
      `${missing.length > 0 ? ` (missing apps: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""})` : ""}: ` +
      "do not plan or apply (it would create those apps again); the old state is untouched, check the new backend and run migrate-state again",
  );
}
