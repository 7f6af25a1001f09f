// What `plan` leaves for `apply` and `review` in the state folder:
//   plans/index.json        the plan set: when, for which output folder and workspaces, which stacks
//   plans/<stack>.tfplan    Terraform's binary plan
//   plans/<stack>.json      the plan in Okta terms, and a digest of the stack folder it was made from
// `apply` applies a set only as a whole, only for the folder it was made for,
// only while each stack folder is still what was planned, and only the very
// binary plan each `<stack>.json` describes (its SHA-256 is recorded there).
import { ensureFolder } from "../files/ensure-folder.ts";
import { createHash } from "node:crypto";
import { readFile, rm, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.ts";
import { sha256Hex } from "../files/sha256.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import { STACK_CONFIG_FILE, STACK_DATA_FILE } from "../stack/names.ts";
import type { PlanReport } from "../terraform/plan-report.ts";
import type { AccountStatus } from "./status.ts";

export interface SyncPaths {
  /** Synthesized stacks (`cdktf.out`), absolute. */
  readonly outDir: string;
  /** Saved plans and sync status (`.cerby-okta`), absolute. */
  readonly stateDir: string;
}

export interface PlanSet {
  readonly version: 1;
  readonly plannedAt: string;
  readonly refreshed: boolean;
  /** The output folder the stacks were synthesized into. */
  readonly outDir: string;
  /** The workspaces folder they were read from. */
  readonly workspacesDir: string;
  /** Stacks planned, in order. */
  readonly stacks: readonly string[];
  /** Workspaces with Extended account access off: not planned (R1). */
  readonly notSynced: readonly string[];
  /** Stacks planned at once: apply runs as many at once unless told otherwise. */
  readonly parallel?: number;
  /** SHA-256 of each stack's saved plan (`<stack>.json`) when the set was saved: apply takes the set only whole and unchanged. */
  readonly plans?: Readonly<Record<string, string>>;
}

/** What `plan` saves beside each binary plan. */
export interface SavedPlan {
  readonly stack: string;
  /** The workspace the stack belongs to (the same as `stack` unless sharded). */
  readonly workspaceId: string;
  /** How many shards the workspace had when planned (1: not sharded). */
  readonly shards?: number;
  /** Not planned: its configuration and data are what was last applied successfully. */
  readonly unchangedSinceApply?: boolean;
  readonly plannedAt: string;
  readonly refreshed: boolean;
  readonly report: PlanReport;
  /** For the status record (R9) after a successful apply. */
  readonly accounts: Record<string, Omit<AccountStatus, "lastSyncedAt">>;
  /** Digest of the stack's cdk.tf.json and data file when planned. */
  readonly stackDigest: string;
  /** The same without imports: what the stack is once applied (StackFingerprint.settled). */
  readonly settledDigest?: string;
  /** SHA-256 of the binary plan `<stack>.tfplan` this report was read from: apply applies that file only. */
  readonly planSha256?: string;
}

export const plansDir = (paths: SyncPaths) => path.join(paths.stateDir, "plans");
export const planFile = (paths: SyncPaths, stack: string) => path.join(plansDir(paths), `${stack}.tfplan`);
const planMetaFile = (paths: SyncPaths, stack: string) => path.join(plansDir(paths), `${stack}.json`);
const indexFile = (paths: SyncPaths) => path.join(plansDir(paths), "index.json");
export const stackDir = (paths: SyncPaths, stack: string) => path.join(paths.outDir, "stacks", stack);

/** The stack folder's files exactly as they are (StackFingerprint.digest), without parsing them. */
export async function stackDigest(paths: SyncPaths, stack: string): Promise<string> {
  const { config, data } = await readStackBytes(paths, stack);
  return exactDigest(config, data);
}

export interface StackFingerprint {
  /** Of the stack folder's files exactly as they are: for "unchanged since planned". */
  readonly digest: string;
  /** The same without the objects being imported, which an apply takes in: for "unchanged since applied". */
  readonly settled: string;
  /** Whether the stack imports anything (`adopt`, `reshard`): such a stack always needs a plan. */
  readonly importing: boolean;
}

export async function stackFingerprint(paths: SyncPaths, stack: string): Promise<StackFingerprint> {
  return fingerprintOf(await readStackFiles(paths, stack));
}

/** A stack folder's files as read once (absent: missing), its data file parsed; several checks share one read. */
export interface StackFiles {
  readonly config?: Buffer;
  readonly data?: Buffer;
  readonly parsedData?: { adopt?: { apps?: object; accessGroups?: object } };
}

async function readStackBytes(paths: SyncPaths, stack: string): Promise<{ config?: Buffer; data?: Buffer }> {
  const read = async (name: string) => {
    try {
      return await readFile(path.join(stackDir(paths, stack), name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return undefined;
    }
  };
  const [config, data] = await Promise.all([read(STACK_CONFIG_FILE), read(STACK_DATA_FILE)]);
  return { config, data };
}

export async function readStackFiles(paths: SyncPaths, stack: string): Promise<StackFiles> {
  const { config, data } = await readStackBytes(paths, stack);
  return { config, data, parsedData: data && (JSON.parse(data.toString("utf8")) as StackFiles["parsedData"]) };
}

/** The digest of the stack's two files, in this order, each named (a missing one hashes as such). */
function exactDigest(config: Buffer | undefined, data: Buffer | undefined): string {
  const hash = createHash("sha256");
  for (const [name, content] of [[STACK_CONFIG_FILE, config], [STACK_DATA_FILE, data]] as const) hash.update(name).update("\0").update(content ?? "\0missing").update("\0");
  return hash.digest("hex");
}

export function fingerprintOf(files: StackFiles): StackFingerprint {
  const adopt = files.parsedData?.adopt;
  const importing = Object.keys(adopt?.apps ?? {}).length + Object.keys(adopt?.accessGroups ?? {}).length > 0;
  const digest = exactDigest(files.config, files.data);
  // What the apply takes in (the objects imported) left out: the same digest unless the stack imports.
  const settled = importing ? exactDigest(files.config, Buffer.from(JSON.stringify({ ...files.parsedData, adopt: { apps: {}, accessGroups: {} } }))) : digest;
  return { digest, settled, importing };
}

/** The stacks with changes that the saved plan set (not yet applied) would apply; none when there is no readable set. */
export async function unappliedStacks(stateDir: string): Promise<string[]> {
  try {
    const { plans } = await readPlanSet(stateDir);
    return plans.filter((plan) => plan.report.hasChanges && !plan.unchangedSinceApply).map((plan) => plan.stack);
  } catch {
    return [];
  }
}

/** Plans of an earlier run must never be applied after a new `plan` starts. */
export async function clearPlans(paths: SyncPaths): Promise<void> {
  await rm(plansDir(paths), { recursive: true, force: true });
  await ensureFolder(plansDir(paths));
}

/** The SHA-256 of a stack's binary plan as it is now: taken before `show -json` reads it, so that the report can only describe that file. */
export async function planFileSha256(paths: SyncPaths, stack: string): Promise<string> {
  return sha256Hex(await readFile(planFile(paths, stack)));
}

/** Saves what `apply` needs beside the binary plan (when there is one), with the binary plan's SHA-256 (taken now unless given); returns what was saved. */
export async function savePlan(paths: SyncPaths, plan: SavedPlan): Promise<SavedPlan> {
  await ensureFolder(plansDir(paths));
  const saved = plan.unchangedSinceApply || plan.planSha256 !== undefined ? plan : { ...plan, planSha256: await planFileSha256(paths, plan.stack) };
  await writeFileAtomic(planMetaFile(paths, plan.stack), `${JSON.stringify(saved, null, 2)}\n`);
  return saved;
}


/**
 * A private copy of the stack's binary plan, checked to be the one `plan`
 * described (its SHA-256): what apply runs. Read once, so that a file
 * rewritten after the check is never what gets applied.
 */
export async function planToApply(paths: SyncPaths, plan: SavedPlan): Promise<{ file: string; remove(): Promise<void> }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(planFile(paths, plan.stack));
  } catch (error) {
    throw new UsageError(`the saved plan ${planFile(paths, plan.stack)} cannot be read (${(error as Error).message}): run \`cerby-okta plan\` again; nothing was applied to this stack`);
  }
  const found = sha256Hex(bytes);
  if (plan.planSha256 === undefined || found !== plan.planSha256) {
    throw new UsageError(
      `the saved plan ${planFile(paths, plan.stack)} is not the plan this apply was given (SHA-256 ${found.slice(0, 12)}, recorded ${plan.planSha256?.slice(0, 12) ?? "none"}): ` +
        "another plan rewrote it since. Nothing was applied to this stack: run `cerby-okta plan` again, then apply",
    );
  }
  // Stacks applied at once share the folder: the last one out removes it.
  const folder = path.join(plansDir(paths), `.applying-${process.pid}`);
  const file = path.join(folder, `${plan.stack}.tfplan`);
  await ensureFolder(folder);
  await writeFile(file, bytes);
  return {
    file,
    async remove() {
      await rm(file, { force: true });
      await rmdir(folder).catch(() => undefined);
    },
  };
}

/** Written last: a plan set without an index was cut short and is never applied. */
export async function savePlanSet(paths: SyncPaths, set: PlanSet): Promise<PlanSet> {
  const plans = Object.create(null) as Record<string, string>;
  for (const stack of set.stacks) plans[stack] = sha256Hex(await readFile(planMetaFile(paths, stack)));
  const saved = { ...set, plans };
  await writeFileAtomic(indexFile(paths), `${JSON.stringify(saved, null, 2)}\n`);
  return saved;
}

export async function readPlanSet(stateDir: string): Promise<{ set: PlanSet; plans: SavedPlan[] }> {
  const paths = { stateDir, outDir: "" };
  let set: PlanSet;
  try {
    set = JSON.parse(await readFile(indexFile(paths), "utf8")) as PlanSet;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new UsageError(`no saved plan in ${plansDir(paths)}: run \`cerby-okta plan\` first`);
    throw new UsageError(`the saved plan in ${plansDir(paths)} cannot be read (${(error as Error).message}): run \`cerby-okta plan\` again`);
  }
  const plans = await Promise.all(
    set.stacks.map(async (stack) => {
      let bytes: Buffer;
      let plan: SavedPlan;
      try {
        bytes = await readFile(planMetaFile(paths, stack));
        plan = JSON.parse(bytes.toString("utf8")) as SavedPlan;
      } catch {
        throw new UsageError(`the saved plan of stack ${stack} is missing or unreadable (applied already?): run \`cerby-okta plan\` again`);
      }
      const recorded = set.plans && Object.hasOwn(set.plans, stack) ? set.plans[stack] : undefined;
      if (recorded !== sha256Hex(bytes) || plan.stack !== stack) {
        throw new UsageError(
          `the saved plan set in ${plansDir(paths)} is not whole: the plan of stack ${stack} is not the one the set was saved with (another plan rewrote it since). ` +
            "Nothing was applied: run `cerby-okta plan` again, then apply",
        );
      }
      return plan;
    }),
  );
  return { set, plans };
}

/** Removes one stack's plan once applied, so that it is never applied twice. */
export async function forgetPlan(paths: SyncPaths, set: PlanSet, stack: string): Promise<PlanSet> {
  return forgetPlans(paths, set, [stack]);
}

/**
 * Takes `stacks` out of the saved plan set at once: the index is rewritten
 * once (it hashes every remaining plan: one stack at a time, 127 unchanged
 * shards cost 127 x 127 reads), then their files go. A crash in between
 * leaves files the index no longer names, which no apply reads.
 */
export async function forgetPlans(paths: SyncPaths, set: PlanSet, stacks: readonly string[]): Promise<PlanSet> {
  if (stacks.length === 0) return set;
  const forgotten = new Set(stacks);
  const rest: PlanSet = { ...set, stacks: set.stacks.filter((other) => !forgotten.has(other)) };
  if (rest.stacks.length === 0) await rm(indexFile(paths), { force: true });
  else await savePlanSet(paths, rest);
  for (const stack of stacks) {
    await rm(planFile(paths, stack), { force: true });
    await rm(planMetaFile(paths, stack), { force: true });
  }
  return rest;
}
