// What an apply leaves in the stack's state besides the Okta objects, so that
// every machine sharing the backend reads the same (docs/design.md "The apply
// record"). All of it is computed by Terraform from the stack's own files, so
// every path writes it the same way: `cerby-okta apply`, `watch --apply`,
// `cdktf deploy`. Terraform writes it in the same state as the objects, under
// its own lock:
//   - APPLY_STARTED: the SHA-256 of cdk.tf.json and of the data (less its imports), written
//     before any Okta object changes (the Okta resources depend on it);
//   - SYNC_STAMP, per account: the time (timestamp() at apply) of the apply
//     that last changed what its objects are made from;
//   - APPLY_DONE: the same digests, written only once every Okta object and
//     stamp of the apply succeeded, and the Okta user ID each login looked up
//     stood for in that apply (found, or held: RESOLVED_LOGINS). Plans on
//     any machine hold a login that stops matching to that ID
//     (src/sync/held-logins.ts), not only the machine that saw it resolve.
// STARTED equal to DONE and to the files now: the state holds what these files
// ask for (src/sync/status-state.ts). A failed or killed apply leaves them
// different. Only our own names appear in these expressions, never a string
// from Cerby (Cerby user IDs are values of the data file, never HCL text).
import { DataResource, type TerraformResource, type TerraformStack } from "cdktf";
import { APPLY_DONE, APPLY_STARTED, DATA_LOCAL, RECORD_LEAVES_OUT, RESOLVED_LOGINS, STACK_CONFIG_FILE, SYNC_STAMP } from "./names.ts";

// In names.ts, free of cdktf: commands that only read states (apply, status) need not load it.
export { RECORD_LEAVES_OUT, STACK_CONFIG_FILE };

/**
 * The digests both records hold; read back as `{ config, data }`. Terraform's
 * jsonencode writes keys sorted and strings as Go does; `dataDigest` in
 * src/sync/state-status.ts computes the same.
 */
const RECORD = {
  config: `\${filesha256("\${path.module}/${STACK_CONFIG_FILE}")}`,
  data: `\${sha256(jsonencode({ for key, value in local.${DATA_LOCAL} : key => value if !contains(${JSON.stringify(RECORD_LEAVES_OUT)}, key) }))}`,
};

/** Written first: the Okta resources are given `dependsOn` on it. */
export function addApplyStarted(stack: TerraformStack): DataResource {
  return new DataResource(stack, APPLY_STARTED.name, { input: RECORD });
}

/**
 * The per-account stamps and the closing record. An account's stamp is
 * replaced (with the apply's time) when its app, access group or the Okta IDs
 * of its viewers change, and only after every Okta object applied.
 */
export function addApplyDone(stack: TerraformStack, okta: readonly TerraformResource[], oktaUserIdsLocal: string): void {
  const cerby = `local.${DATA_LOCAL}`;
  const stamp = new DataResource(stack, SYNC_STAMP.name, { dependsOn: [...okta], lifecycle: { ignoreChanges: ["input"] } });
  stamp.addOverride("for_each", `\${${cerby}.apps}`);
  stamp.addOverride(
    "triggers_replace",
    `\${sha256(jsonencode([each.value, ${cerby}.accessGroups[each.key], [for cerby_id in ${cerby}.accessGroups[each.key].users : lookup(${oktaUserIdsLocal}, cerby_id, "")]]))}`,
  );
  stamp.addOverride("input", "${timestamp()}");
  const resolved = `\${{ for cerby_id, search in ${cerby}.userSearches : cerby_id => lookup(${oktaUserIdsLocal}, cerby_id, "") if lookup(${oktaUserIdsLocal}, cerby_id, "") != "" }}`;
  new DataResource(stack, APPLY_DONE.name, { input: { ...RECORD, [RESOLVED_LOGINS]: resolved }, dependsOn: [...okta, stamp] });
}
