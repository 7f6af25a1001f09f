// Reading stacks' Terraform states without changing them: a local state file
// directly (no Terraform process), any other backend through `terraform
// state pull`. A local state that Terraform left truncated (killed while
// writing it: 0 bytes, or JSON cut short) is refused with what to do, before
// any plan: Terraform would take an empty file for an empty state and plan
// every app as new.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.ts";
import { ACCESS_GROUP, APP, stateInstances } from "../stack/names.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { stackDir, type SyncPaths } from "./saved-plans.ts";

/** The local state file a stack folder's backend names (`terraform.backend.local.path` in cdk.tf.json); undefined for other backends. */
export async function localStatePath(dir: string): Promise<string | undefined> {
  let config: { terraform?: { backend?: { local?: { path?: unknown } } } };
  try {
    config = JSON.parse(await readFile(path.join(dir, "cdk.tf.json"), "utf8"));
  } catch {
    return undefined;
  }
  const file = config.terraform?.backend?.local?.path;
  return typeof file === "string" ? path.resolve(dir, file) : undefined;
}

/**
 * A local state file as Terraform wrote it: `{}` when there is none yet.
 * Refuses one that is empty or not JSON, naming it and its `.backup`.
 */
export async function readLocalState(file: string, stack: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new UsageError(`${stack}: cannot read the state file ${file}: ${(error as Error).message}`, { cause: error });
  }
  let problem: string;
  if (text.trim() === "") problem = `is empty (${text.length} bytes)`;
  else {
    try {
      const state = JSON.parse(text) as unknown;
      if (typeof state === "object" && state !== null && !Array.isArray(state) && "version" in state) return state;
      problem = "is JSON but not a Terraform state (no `version`)";
    } catch (error) {
      problem = `is not valid JSON (${(error as Error).message}; ${text.length} bytes)`;
    }
  }
  throw new UsageError(`${stack}: the state file ${file} ${problem}: Terraform was most likely stopped while writing it (kill -9, a full disk). ${await backupAdvice(file, stack)}`);
}

/** What to do about a truncated state: the `.backup` Terraform keeps beside it, if any. */
async function backupAdvice(file: string, stack: string): Promise<string> {
  const backup = `${file}.backup`;
  const never = "cerby-okta never replaces a state by an older one itself. ";
  const checked =
    "Okta may hold apps and groups the older state lacks (made by the run that was stopped): that is safe, because every app and access group a plan would create is first looked up in Okta, " +
    `and is adopted or refused (with \`cerby-okta adopt --stack ${stack}\`), never created twice. Nothing was planned.`;
  let about: string;
  try {
    const text = await readFile(backup, "utf8");
    const state = JSON.parse(text) as { serial?: unknown };
    const apps = stateInstances(state, APP).length;
    about = `${backup}, beside it, is the state before Terraform's last write (serial ${String(state.serial ?? "?")}, ${apps} app${apps === 1 ? "" : "s"}, ${(await stat(backup)).mtime.toISOString()}). `;
  } catch {
    return (
      never +
      `There is no readable ${backup} beside it. If no other copy of the state exists, move ${file} aside and plan again: the plan starts from an empty state and finds what Okta holds. ` +
      checked
    );
  }
  return `${never}${about}Check that no other command is running, then restore it:\n  cp ${JSON.stringify(backup)} ${JSON.stringify(file)}\nand plan again. ${checked}`;
}

/**
 * A stack folder's state as it is now: its local state file read directly (no
 * Terraform process), or, for any other backend, `terraform state pull` (the
 * folder must be initialized).
 */
export async function currentState(dir: string, stack: string, terraform: Terraform): Promise<unknown> {
  const file = await localStatePath(dir);
  return file !== undefined ? readLocalState(file, stack) : terraform.pullState(dir);
}

/** Before planning a stack: its local state, if it has one, must be readable (see readLocalState). */
export async function refuseUnreadableState(dir: string, stack: string): Promise<void> {
  const file = await localStatePath(dir);
  if (file !== undefined) await readLocalState(file, stack);
}

/**
 * The stacks synthesized in the output folder whose provider block names this
 * Okta org: the states an app or group of the org may be held in.
 */
export async function synthesizedStacksOfOrg(paths: SyncPaths, okta: { orgName: string; baseUrl: string }): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(path.join(paths.outDir, "stacks"))).filter((name) => !name.startsWith("."));
  } catch {
    return [];
  }
  const stacks: string[] = [];
  for (const stack of names) {
    try {
      const config = JSON.parse(await readFile(path.join(stackDir(paths, stack), "cdk.tf.json"), "utf8")) as { provider?: { okta?: { org_name?: string; base_url?: string }[] } };
      const provider = config.provider?.okta?.[0];
      if (provider?.org_name === okta.orgName && provider.base_url === okta.baseUrl) stacks.push(stack);
    } catch {
      // Not a stack folder (or half-written): it holds no state of ours.
    }
  }
  return stacks;
}

/** Who holds an Okta object in a state: the stack and the account (the instance key). */
export interface Holder {
  readonly stack: string;
  readonly accountId: string;
  /** A stack with no folder: its workspace's switch is off, so what it holds stays as it is (R1). */
  readonly switchedOff: boolean;
}

/**
 * The states of a run's stacks, each read at most once. For telling an app
 * another stack manages from a duplicate, and for `adopt`'s guards.
 */
export class StackStates {
  private readonly states = new Map<string, Promise<unknown>>();

  /** `unsynthesized`: the local state files of stacks with no folder (workspaces whose switch is off), by stack ID. */
  constructor(
    private readonly terraform: Terraform,
    private readonly paths: SyncPaths,
    private readonly unsynthesized: ReadonlyMap<string, string> = new Map(),
  ) {}

  read(stack: string): Promise<unknown> {
    let state = this.states.get(stack);
    if (!state) this.states.set(stack, (state = this.load(stack)));
    return state;
  }

  /** Okta app and access-group IDs held by the given stacks' states, with who holds each. */
  async holders(stacks: readonly string[]): Promise<Map<string, Holder>> {
    const held = new Map<string, Holder>();
    for (const stack of stacks) {
      const state = await this.read(stack);
      for (const kind of [APP, ACCESS_GROUP]) {
        for (const { key, attributes } of stateInstances(state, kind)) if (typeof attributes.id === "string") held.set(attributes.id, { stack, accountId: key, switchedOff: this.unsynthesized.has(stack) });
      }
    }
    return held;
  }

  private async load(stack: string): Promise<unknown> {
    const known = this.unsynthesized.get(stack);
    if (known !== undefined) return readLocalState(known, stack);
    const dir = stackDir(this.paths, stack);
    const file = await localStatePath(dir);
    if (file !== undefined) return readLocalState(file, stack);
    // An initialized folder is not initialized again: another plan of this run may be using it.
    if (!(await stat(path.join(dir, ".terraform", "terraform.tfstate")).catch(() => undefined))) await this.terraform.init(dir);
    return this.terraform.pullState(dir);
  }
}
