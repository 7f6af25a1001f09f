// `cerby-okta adopt`: take apps and access groups that already exist in Okta
// under management instead of creating duplicates (a lost or moved state, a
// team switching from Cerby's own Okta sync or from hand-made apps). Matching
// is by exact label for apps and by name for access groups; the matches are
// written for the next plan, which imports them (Terraform import blocks) and
// shows what it would then change. Nothing in Okta changes here.

import { emptyMap, type Adoption, type StackData } from "../stack/stack-data.ts";
import type { ExistingObjects } from "../okta-api/org-objects.ts";
import { compareText, printable } from "../text/printable.ts";

export interface AdoptionMatch {
  readonly adoption: Adoption;
  /** One line per object to adopt, for the review. */
  readonly adopted: readonly string[];
  /** Labels held by more than one Okta app: which one is ours cannot be told. */
  readonly ambiguous: readonly string[];
  /** Apps with no match in Okta: the plan creates them. */
  readonly toCreate: number;
}

/** `managed`: accounts whose app the stack's state already holds (nothing to adopt for them). */
export function matchExisting(data: StackData, existing: ExistingObjects, managed: ReadonlySet<string>): AdoptionMatch {
  const apps = emptyMap<string>();
  const accessGroups = emptyMap<string>();
  const adopted: string[] = [];
  const ambiguous: string[] = [];
  let toCreate = 0;
  const claimed = new Set<string>();
  for (const [accountId, app] of Object.entries(data.apps).sort(([a], [b]) => compareText(a, b))) {
    if (managed.has(accountId)) continue;
    const ids = (existing.appsByLabel.get(app.label) ?? []).filter((id) => !claimed.has(id));
    if (ids.length > 1) ambiguous.push(`"${printable(app.label, 70)}" (account ${printable(accountId)}) is the label of ${ids.length} Okta apps: ${ids.join(", ")}`);
    else if (ids.length === 1) {
      apps[accountId] = ids[0]!;
      claimed.add(ids[0]!);
      adopted.push(`app ${ids[0]} "${printable(app.label, 70)}" as account ${printable(accountId)}`);
    } else toCreate++;
    const groupId = existing.groupsByName.get(data.accessGroups[accountId]!.name);
    if (groupId !== undefined) {
      accessGroups[accountId] = groupId;
      adopted.push(`group ${groupId} ${printable(data.accessGroups[accountId]!.name, 90)} as the access group of ${printable(accountId)}`);
    }
  }
  return { adoption: { apps, accessGroups }, adopted, ambiguous, toCreate };
}
