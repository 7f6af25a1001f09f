// What plans learned about a stack's people and IdP teams, kept between runs
// in `<state dir>/people/<stack>.json`:
// - names: Okta user ID -> Cerby user ID, so that someone who just lost access
//   (and is no longer looked up) is still named in reports;
// - resolved: Cerby user ID -> the Okta user ID their login last resolved to,
//   held when a later lookup finds nobody (a changed login never removes access);
// - missingUsers, missingGroups: Okta user and team group IDs Okta answered
//   404 for, left out of the stack data from then on (see okta-checks.ts).
//
// It lives on the machine that plans. What each login stood for at the last
// apply is in the Terraform state too (APPLY_DONE, src/stack/apply-record.ts)
// and is taken into this record before each plan (held-logins.ts), so every
// machine sharing the backend holds the same people; the names and the IDs
// Okta answered 404 for are found again by any machine's plan.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ensureFolder } from "../files/ensure-folder.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import { emptyMap, type OktaFindings } from "../stack/stack-data.ts";
import { lookedUpUsers } from "../terraform/plan-report.ts";
import { compareText } from "../text/printable.ts";
import type { SyncPaths } from "./saved-plans.ts";

export interface PeopleRecord {
  /** Okta user ID -> Cerby user ID. */
  readonly names: Record<string, string>;
  /** Cerby user ID -> the Okta user ID their login last resolved to. */
  readonly resolved: Record<string, string>;
  /** Okta user ID Okta does not know -> the Cerby user ID that carried it. */
  readonly missingUsers: Record<string, string>;
  /** IdP team group ID Okta does not know -> the Cerby team ID that carried it. */
  readonly missingGroups: Record<string, string>;
}

const peopleDir = (stateDir: string) => path.join(stateDir, "people");
export const peopleRecordFile = (stateDir: string, stack: string) => path.join(peopleDir(stateDir), `${stack}.json`);

export function emptyPeopleRecord(): PeopleRecord {
  return { names: emptyMap(), resolved: emptyMap(), missingUsers: emptyMap(), missingGroups: emptyMap() };
}

/** The stack's record; empty when there is none yet. Version 1 (a flat map of names) is read as names and what they resolve to. */
export async function readPeopleRecord(stateDir: string, stack: string): Promise<PeopleRecord> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(peopleRecordFile(stateDir, stack), "utf8"));
  } catch {
    return emptyPeopleRecord(); // first plan of this stack, or an unreadable record: it is rebuilt
  }
  const record = emptyPeopleRecord();
  if (typeof parsed !== "object" || parsed === null) return record;
  const object = parsed as Record<string, unknown>;
  if (object.version !== 2) {
    copyStrings(object, record.names);
    // Version 1 kept no resolutions: a person named by exactly one Okta ID resolved to it (held on a miss from now on).
    const ids = new Map<string, string[]>();
    for (const [oktaId, cerbyId] of Object.entries(record.names)) ids.set(cerbyId, [...(ids.get(cerbyId) ?? []), oktaId]);
    for (const [cerbyId, oktaIds] of ids) if (oktaIds.length === 1) record.resolved[cerbyId] = oktaIds[0]!;
    return record;
  }
  for (const field of ["names", "resolved", "missingUsers", "missingGroups"] as const) copyStrings(object[field], record[field]);
  return record;
}

function copyStrings(from: unknown, into: Record<string, string>): void {
  if (typeof from !== "object" || from === null) return;
  for (const [key, value] of Object.entries(from)) if (typeof value === "string") into[key] = value;
}

export async function writePeopleRecord(stateDir: string, stack: string, record: PeopleRecord): Promise<void> {
  const sorted = (map: Record<string, string>) => {
    const out = emptyMap<string>();
    for (const key of Object.keys(map).sort(compareText)) out[key] = map[key]!;
    return out;
  };
  await ensureFolder(peopleDir(stateDir));
  const text = JSON.stringify(
    { version: 2, names: sorted(record.names), resolved: sorted(record.resolved), missingUsers: sorted(record.missingUsers), missingGroups: sorted(record.missingGroups) },
    null,
    2,
  );
  await writeFileAtomic(peopleRecordFile(stateDir, stack), `${text}\n`);
}

/** What the stack data takes from a record. */
export function findingsOf(record: PeopleRecord): OktaFindings {
  return { missingUsers: new Set(Object.keys(record.missingUsers)), missingGroups: new Set(Object.keys(record.missingGroups)), resolved: record.resolved };
}

/** The workspace a stack belongs to: `ws-acme-s007` is a shard of `ws-acme` (src/stack/shards.ts names them so). */
export function workspaceOfStack(stack: string): string {
  return /^(.+)-s\d{3,}$/.exec(stack)?.[1] ?? stack;
}

/**
 * What every stack learned, merged per workspace ID, for the synthesizer (as
 * adoptions are): a person or team is the same in every shard, and what one
 * shard learned survives a reshard that moves their accounts elsewhere.
 */
export async function readAllFindings(stateDir: string): Promise<Map<string, OktaFindings>> {
  let files: string[];
  try {
    files = (await readdir(peopleDir(stateDir))).filter((file) => file.endsWith(".json"));
  } catch {
    return new Map();
  }
  const stacks = files.map((file) => file.slice(0, -".json".length)).sort(compareText);
  const records = await Promise.all(stacks.map((stack) => readPeopleRecord(stateDir, stack)));
  const merged = new Map<string, PeopleRecord>();
  stacks.forEach((stack, index) => {
    const workspace = workspaceOfStack(stack);
    const into = merged.get(workspace) ?? emptyPeopleRecord();
    for (const field of ["resolved", "missingUsers", "missingGroups"] as const) Object.assign(into[field], records[index]![field]);
    merged.set(workspace, into);
  });
  return new Map([...merged].map(([workspace, record]) => [workspace, findingsOf(record)]));
}

/**
 * Okta user ID -> Cerby user ID: from the workspace, from the logins Terraform
 * looked up, and from earlier plans, so that someone who just lost access
 * (and is no longer looked up) is still named. Also keeps the Okta ID each
 * login resolved to, to hold it when a later lookup finds nobody.
 */
export async function rememberPeople(paths: SyncPaths, stack: string, knownOktaUserIds: Readonly<Record<string, string>>, planJson?: unknown): Promise<Map<string, string>> {
  const record = await readPeopleRecord(paths.stateDir, stack);
  for (const [cerbyId, oktaId] of Object.entries(knownOktaUserIds)) record.names[oktaId] = cerbyId;
  if (planJson !== undefined) {
    for (const [oktaId, cerbyId] of lookedUpUsers(planJson)) {
      record.names[oktaId] = cerbyId;
      record.resolved[cerbyId] = oktaId;
    }
  }
  await writePeopleRecord(paths.stateDir, stack, record);
  return new Map(Object.entries(record.names));
}
