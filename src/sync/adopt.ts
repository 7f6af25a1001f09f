// `cerby-okta adopt`: take apps and access groups that already exist in Okta
// under management instead of creating duplicates (a lost or moved state, a
// team switching from Cerby's own Okta sync or from hand-made apps). Apps are
// matched by label as R4 compares labels (trimmed, white space collapsed, case
// ignored), access groups by the exact name the stack writes, for every
// account whose app or group the stack's state does not hold yet, whether
// the other of the two is managed or not. Never taken: an object another
// stack's state holds (another workspace or shard: two states would hand it
// back and forth), or an app this stack already manages for another account.
// The matches are written for the next plan, which imports them (Terraform
// import blocks) and shows what it would then change. Nothing in Okta changes here.
import { readFile } from "node:fs/promises";
import { labelKey } from "../domain/labels.ts";
import { UsageError } from "../errors.ts";
import { emptyMap, type Adoption, type StackData } from "../stack/stack-data.ts";
import type { ExistingObjects } from "../okta-api/org-objects.ts";
import { compareText, printable } from "../text/printable.ts";
import type { Holder } from "./stack-states.ts";

// Where `adopt` (and `reshard`, and a plan finding orphans) leave the objects a stack is to import: one place, read by every entry.
export { adoptionFile } from "../stack/adoptions.ts";

/** The adoption file's objects with `added` over them (an absent file is empty). */
export async function mergeAdoption(file: string, added: Adoption): Promise<Adoption> {
  let existing: Adoption = { apps: {}, accessGroups: {} };
  try {
    existing = JSON.parse(await readFile(file, "utf8")) as Adoption;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new UsageError(`cannot read ${file}: ${(error as Error).message}; delete it and run adopt again`, { cause: error });
  }
  return {
    apps: Object.assign(emptyMap<string>(), existing.apps, added.apps),
    accessGroups: Object.assign(emptyMap<string>(), existing.accessGroups, added.accessGroups),
  };
}

export interface AdoptionMatch {
  readonly adoption: Adoption;
  /** One line per object to adopt, for the review. */
  readonly adopted: readonly string[];
  /** Labels held by more than one Okta app: which one is ours cannot be told. */
  readonly ambiguous: readonly string[];
  /** Objects that match but are not taken (another stack's, or already managed here for another account), one line each. */
  readonly notTaken: readonly string[];
  /** Apps with no match in Okta: the plan creates them. */
  readonly toCreate: number;
}

/** What the states hold: this stack's (by account, and every Okta ID), and the other stacks' of the org. */
export interface Held {
  /** Accounts whose app this stack's state holds. */
  readonly apps: ReadonlySet<string>;
  /** Accounts whose access group this stack's state holds. */
  readonly accessGroups: ReadonlySet<string>;
  /** Okta IDs this stack's state holds, with the account each is held for. */
  readonly ids: ReadonlyMap<string, string>;
  /** Okta IDs other stacks' states hold. */
  readonly elsewhere: ReadonlyMap<string, Holder>;
}

export function matchExisting(data: StackData, existing: ExistingObjects, held: Held): AdoptionMatch {
  const apps = emptyMap<string>();
  const accessGroups = emptyMap<string>();
  const adopted: string[] = [];
  const ambiguous: string[] = [];
  const notTaken: string[] = [];
  let toCreate = 0;
  const claimed = new Set<string>();
  /** Why an Okta object cannot be taken, or undefined when it can. */
  const takenBy = (id: string, accountId: string) => {
    const here = held.ids.get(id);
    if (here !== undefined) return here === accountId ? undefined : `this stack already manages it for account ${printable(here)}`;
    const other = held.elsewhere.get(id);
    return other ? `the state of stack ${printable(other.stack)} holds it (account ${printable(other.accountId)})` : undefined;
  };
  for (const [accountId, app] of Object.entries(data.apps).sort(([a], [b]) => compareText(a, b))) {
    if (!held.apps.has(accountId)) {
      const ids: string[] = [];
      for (const candidate of existing.appsByLabelKey.get(labelKey(app.label)) ?? []) {
        if (claimed.has(candidate.id)) continue;
        const reason = takenBy(candidate.id, accountId);
        if (reason) notTaken.push(`app ${candidate.id} "${printable(candidate.label, 70)}" matches account ${printable(accountId)}, not taken: ${reason}`);
        else ids.push(candidate.id);
      }
      if (ids.length > 1) ambiguous.push(`"${printable(app.label, 70)}" (account ${printable(accountId)}) is the label of ${ids.length} Okta apps: ${ids.join(", ")}`);
      else if (ids.length === 1) {
        apps[accountId] = ids[0]!;
        claimed.add(ids[0]!);
        adopted.push(`app ${ids[0]} "${printable(app.label, 70)}" as account ${printable(accountId)}`);
      } else toCreate++;
    }
    const name = data.accessGroups[accountId]!.name;
    const groupId = existing.groupsByName.get(name);
    if (held.accessGroups.has(accountId) || groupId === undefined) continue;
    const reason = takenBy(groupId, accountId);
    if (reason) notTaken.push(`group ${groupId} ${printable(name, 90)}, not taken: ${reason}`);
    else {
      accessGroups[accountId] = groupId;
      adopted.push(`group ${groupId} ${printable(name, 90)} as the access group of ${printable(accountId)}`);
    }
  }
  return { adoption: { apps, accessGroups }, adopted, ambiguous, notTaken, toCreate };
}
