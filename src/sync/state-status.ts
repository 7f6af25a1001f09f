// R9 and plan's skip, read from each stack's Terraform state, where every
// apply (cerby-okta's, watch's, cdktf deploy's) leaves its record
// (src/stack/apply-record.ts). So every machine and CI runner sharing the
// backend reads the same: no status of our own to carry between machines.
//
// The local backend's state file is read directly: no Terraform process. Any
// other backend costs `terraform init` and `terraform state pull` for the
// stack (no Okta request): Terraform alone knows how to reach it.
import { sha256Hex } from "../files/sha256.ts";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ACCESS_GROUP, ACCESS_MEMBERS, APP, APPLY_DONE, APPLY_STARTED, ASSIGNMENTS, isResource, RECORD_LEAVES_OUT, RESOLVED_LOGINS, resourcePath, STACK_CONFIG_FILE, stateInstances, SYNC_STAMP, USER_LOOKUP, type ResourceName } from "../stack/names.ts";
import { STACK_DATA_FILE } from "../stack/stack-data.ts";
import type { Limiter } from "../limiter.ts";
import type { Terraform } from "../terraform/terraform.ts";
import { stackDir, type StackFiles, type SyncPaths } from "./saved-plans.ts";
import { DecisionMemo, keysDigest, type StateSummary, type SummaryRead } from "./decision-memo.ts";

/** Stack folders (and local states) read at once: file reads, not Terraform processes. */
export const STACK_READS_AT_ONCE = 8;

/** A stack's state as read: `{}` when it has none yet. */
export type StackState = { readonly readable: true; readonly state: unknown } | { readonly readable: false; readonly reason: string };

/**
 * Reads the state of a synthesized stack through the backend its cdk.tf.json
 * names. Without `terraform`, a backend other than local is reported unreadable.
 * `terraformSlots` bounds how many Terraform processes such reads run at once
 * (a local state is a file read, not bounded by it).
 */
export async function readStackState(paths: SyncPaths, stack: string, terraform?: Terraform, terraformSlots?: Limiter): Promise<StackState> {
  const dir = stackDir(paths, stack);
  return readStateAt(dir, await stateLocation(dir), terraform, terraformSlots);
}

type StateLocation = { kind: "local"; file: string } | { kind: "remote"; backends: string } | { kind: "unreadable"; reason: string };

/** The state where `stateLocation` found it: a local file read directly, another backend through Terraform. */
async function readStateAt(dir: string, where: StateLocation, terraform?: Terraform, terraformSlots?: Limiter): Promise<StackState> {
  if (where.kind === "unreadable") return { readable: false, reason: where.reason };
  if (where.kind === "local") return readStateFile(where.file);
  if (!terraform) return { readable: false, reason: `its state is in a ${where.backends} backend, which only Terraform reads` };
  const pull = async (): Promise<StackState> => {
    try {
      await terraform.init(dir);
      return { readable: true, state: await terraform.pullState(dir) };
    } catch (error) {
      return { readable: false, reason: `terraform state pull failed: ${(error as Error).message.split("\n")[0]}` };
    }
  };
  return terraformSlots ? terraformSlots.run(pull) : pull();
}

/** Where the stack's configuration keeps its state: a local file, or the backends only Terraform reads. */
async function stateLocation(dir: string, config?: Buffer): Promise<StateLocation> {
  let backend: Record<string, { path?: unknown }> | undefined;
  try {
    backend = (JSON.parse((config ?? (await readFile(path.join(dir, STACK_CONFIG_FILE)))).toString("utf8")) as { terraform?: { backend?: typeof backend } }).terraform?.backend;
  } catch (error) {
    return { kind: "unreadable", reason: `its configuration ${path.join(dir, STACK_CONFIG_FILE)} cannot be read (${(error as Error).message})` };
  }
  const local = backend === undefined ? { path: "terraform.tfstate" } : backend.local;
  if (local) return { kind: "local", file: path.resolve(dir, typeof local.path === "string" ? local.path : "terraform.tfstate") };
  return { kind: "remote", backends: Object.keys(backend ?? {}).join(", ") };
}

/** A local state file; missing means no state yet, an empty or broken file is never taken for one. */
async function readStateFile(file: string): Promise<StackState> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { readable: true, state: {} };
    return { readable: false, reason: `${file} cannot be read (${(error as Error).message})` };
  }
  if (text.trim() === "") return { readable: false, reason: `${file} is empty (a write cut short?)` };
  try {
    const state = JSON.parse(text) as unknown;
    if (state === null || typeof state !== "object" || Array.isArray(state)) throw new Error("not a JSON object");
    return { readable: true, state };
  } catch (error) {
    return { readable: false, reason: `${file} is not a Terraform state (${(error as Error).message})` };
  }
}

/** What an apply record holds (apply-record.ts): the digests, and in APPLY_DONE what looked-up logins stood for. */
export interface ApplyRecord {
  readonly config?: unknown;
  readonly data?: unknown;
  readonly [RESOLVED_LOGINS]?: unknown;
}

/** The input of one of the apply record's `terraform_data` resources, as the state holds it; undefined when it has none. */
export function applyRecord(state: unknown, which: ResourceName): ApplyRecord | undefined {
  // A single resource has no index key: stateInstances lists keyed instances only.
  type Entry = { mode?: string; type?: string; name?: string; instances?: { attributes?: { output?: unknown } }[] };
  const resources = (state as { resources?: unknown } | null)?.resources;
  const entry = Array.isArray(resources) ? (resources as Entry[]).find((resource) => isResource(resource, which)) : undefined;
  const output = dynamicValue(entry?.instances?.[0]?.attributes?.output);
  return output !== null && typeof output === "object" ? (output as ApplyRecord) : undefined;
}

/**
 * terraform_data's attributes are of any type, so the state keeps each with its type:
 * `"output": { "value": "2026-12-05T22:38:47Z", "type": "string" }`.
 */
function dynamicValue(attribute: unknown): unknown {
  return attribute !== null && typeof attribute === "object" && "value" in attribute ? attribute.value : undefined;
}

/** After cerby-okta wrote into the state what Okta holds (a refresh): the state no longer holds what the files ask. */
export async function forgetApplyRecord(terraform: Terraform, dir: string): Promise<void> {
  try {
    await terraform.forget(dir, [resourcePath(APPLY_DONE)]);
  } catch (error) {
    // `terraform state rm` of an address the state lacks: "No matching objects found". Nothing to forget then.
    if (!/No matching objects found/.test((error as Error).message)) throw error;
  }
}

/** Per account: the time of the apply that last changed its objects (R9), as the state records it. */
export function syncStamps(state: unknown): Map<string, string> {
  return new Map(
    stateInstances(state, SYNC_STAMP)
      .map(({ key, attributes }) => [key, dynamicValue(attributes.output)] as const)
      .filter((entry): entry is readonly [string, string] => typeof entry[1] === "string"),
  );
}

/** Whether any apply (before the record moved into the state, or since) left its record. */
export function hasApplyRecord(state: unknown): boolean {
  return applyRecord(state, APPLY_DONE) !== undefined;
}


/**
 * The record's digest of a data file (src/stack/apply-record.ts): SHA-256 of
 * Terraform's `jsonencode` of the decoded file without RECORD_LEAVES_OUT. jsonencode
 * writes no spaces, object keys sorted by their UTF-8 bytes, and strings as
 * Go's encoding/json does (`<`, `>`, `&`, U+2028 and U+2029 escaped).
 */
export function dataDigest(data: unknown): string {
  const entries = Object.entries(data as Record<string, unknown>).filter(([key]) => !(RECORD_LEAVES_OUT as readonly string[]).includes(key));
  return sha256Hex(terraformJson(Object.fromEntries(entries)));
}

/** What Go's encoding/json escapes beyond JSON.stringify: tested first with the stateless one (most strings hold none), replaced with the /g one. */
const GO_ESCAPED = /[<>&\u2028\u2029]/;
const GO_ESCAPED_ALL = /[<>&\u2028\u2029]/g;

function terraformJson(value: unknown): string {
  if (typeof value === "string") {
    const text = JSON.stringify(value);
    return GO_ESCAPED.test(text) ? text.replace(GO_ESCAPED_ALL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`) : text;
  }
  if (Array.isArray(value)) return `[${value.map(terraformJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = sortedByUtf8(Object.keys(value));
    return `{${keys.map((key) => `${terraformJson(key)}:${terraformJson((value as Record<string, unknown>)[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Keys in the order of their UTF-8 bytes, which is code point order. Below U+D800 that is JavaScript's own
 * UTF-16 order (run on every key of every plan: most keys are IDs), so only keys beyond it are compared as bytes.
 */
function sortedByUtf8(keys: string[]): string[] {
  if (!keys.some((key) => /[\uD800-\uFFFF]/.test(key))) return keys.sort();
  const bytes = new Map(keys.map((key) => [key, Buffer.from(key)]));
  return keys.sort((a, b) => Buffer.compare(bytes.get(a)!, bytes.get(b)!));
}

/**
 * Whether the state holds what the stack's files ask for, so that planning
 * it would change nothing: the last apply of exactly these files finished
 * (its record's two halves and the files agree), and nothing since took
 * objects out of the state or put others in (`terraform state rm`, a
 * reshard, a destroy), and every person looked up by login was found.
 * `reason` says why not.
 */
export async function appliedInState(
  paths: SyncPaths,
  stack: string,
  terraform?: Terraform,
  terraformSlots?: Limiter,
  files?: StackFiles,
  memo = DecisionMemo.none(),
): Promise<{ applied: boolean; reason: string }> {
  const dir = stackDir(paths, stack);
  const where = await stateLocation(dir, files?.config);
  const read =
    where.kind === "local"
      ? await memo.stateSummary(where.file, async () => summaryRead(await readStateFile(where.file)))
      : summaryRead(await readStateAt(dir, where, terraform, terraformSlots));
  return summaryMatchesFiles(paths, stack, read, files, memo);
}

/** `appliedInState` for a state already read; `files`: the stack folder's files, when the caller read them already. */
export async function stateMatchesFiles(paths: SyncPaths, stack: string, read: StackState, files?: StackFiles): Promise<{ applied: boolean; reason: string }> {
  return summaryMatchesFiles(paths, stack, summaryRead(read), files, DecisionMemo.none());
}

function summaryRead(read: StackState): SummaryRead {
  return read.readable ? { readable: true, summary: summarizeState(read.state) } : read;
}

/** What deciding a stack needs of its state: small enough to remember (decision-memo.ts). */
export function summarizeState(state: unknown): StateSummary {
  const halves = (which: ResourceName) => {
    const record = applyRecord(state, which);
    return record ? { config: record.config, data: record.data } : undefined;
  };
  return {
    started: halves(APPLY_STARTED),
    done: halves(APPLY_DONE),
    keys: Object.fromEntries(KEYED_BY_ACCOUNT.map((resource) => [resourcePath(resource), keysDigest(stateInstances(state, resource).map((instance) => instance.key))])),
    found: stateInstances(state, USER_LOOKUP)
      .filter(({ attributes }) => Array.isArray(attributes.users) && attributes.users.length > 0)
      .map(({ key }) => key),
  };
}

/** The resources with one instance per account of the stack. */
const KEYED_BY_ACCOUNT = [APP, ACCESS_GROUP, ACCESS_MEMBERS, ASSIGNMENTS, SYNC_STAMP];

async function summaryMatchesFiles(paths: SyncPaths, stack: string, read: SummaryRead, files: StackFiles | undefined, memo: DecisionMemo): Promise<{ applied: boolean; reason: string }> {
  const dir = stackDir(paths, stack);
  let config: Buffer;
  let dataText: Buffer;
  try {
    [config, dataText] = files?.config && files.data ? [files.config, files.data] : await Promise.all([readFile(path.join(dir, STACK_CONFIG_FILE)), readFile(path.join(dir, STACK_DATA_FILE))]);
  } catch {
    return { applied: false, reason: "not synthesized" };
  }
  if (!read.readable) return { applied: false, reason: read.reason };
  const { started, done } = read.summary;
  if (!done) return { applied: false, reason: "no apply recorded in its state" };
  let data: { apps?: object; userSearches?: object };
  try {
    data = (files?.parsedData ?? JSON.parse(dataText.toString("utf8"))) as typeof data;
  } catch {
    return { applied: false, reason: `its ${STACK_DATA_FILE} is not JSON` };
  }
  const digests = { config: sha256Hex(config), data: memo.dataDigest(dataText, () => dataDigest(data)) };
  if (started?.config !== done.config || started?.data !== done.data) return { applied: false, reason: "its last apply did not finish" };
  if (done.config !== digests.config || done.data !== digests.data) return { applied: false, reason: "its files changed since its last apply" };
  const accounts = keysDigest(Object.keys(data.apps ?? {}));
  for (const resource of KEYED_BY_ACCOUNT) {
    if (read.summary.keys[resourcePath(resource)] !== accounts) {
      return { applied: false, reason: `its state's ${resource.type} instances are not the accounts its files hold (changed outside an apply)` };
    }
  }
  const found = new Set(read.summary.found);
  if (Object.keys(data.userSearches ?? {}).some((cerbyId) => !found.has(cerbyId))) return { applied: false, reason: "someone looked up by login was not found in Okta yet" };
  return { applied: true, reason: "applied as it is" };
}
