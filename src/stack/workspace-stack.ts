// One Terraform stack per workspace: a thin loop over the stack data file.
// Resources iterate with for_each over maps keyed by Cerby account IDs, so
// addresses never depend on positions and a relabel is an in-place update.
import { AppBookmark } from "@cdktf/provider-okta/lib/app-bookmark/index.js";
import { AppGroupAssignments } from "@cdktf/provider-okta/lib/app-group-assignments/index.js";
import { DataOktaUsers } from "@cdktf/provider-okta/lib/data-okta-users/index.js";
import { Group } from "@cdktf/provider-okta/lib/group/index.js";
import { GroupMemberships } from "@cdktf/provider-okta/lib/group-memberships/index.js";
import { OktaProvider } from "@cdktf/provider-okta/lib/provider/index.js";
import { MapTerraformIterator, TerraformLocal, TerraformStack, TerraformVariable, Token, type ISynthesisSession } from "cdktf";
import type { Construct } from "constructs";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_OKTA_PROVIDER_VERSION, oktaProviderTraits, type OktaProviderVersion } from "../config/okta-provider-version.ts";
import type { BackendConfig } from "../config/project-config.ts";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { DEFAULT_RATE_LIMIT } from "../domain/model.ts";
import { addApplyDone, addApplyStarted } from "./apply-record.ts";
import { addBackend } from "./backend.ts";
import { ACCESS_GROUP, ACCESS_MEMBERS, APP, ASSIGNMENTS, CAPACITY_VARIABLE, DATA_LOCAL, resourcePath, STACK_DATA_FILE, USER_LOOKUP } from "./names.ts";
import { buildStackData, NO_ADOPTION, NO_FINDINGS, workspaceIdOf, type Adoption, type OktaFindings } from "./stack-data.ts";

// The synthesizer loads cdktf only through this module, and only when a template is not cached.
export { App } from "cdktf";

export interface StackOptions {
  /** Where Terraform keeps state; cdktf's local default when absent. */
  readonly backend?: BackendConfig;
  /** The project folder: relative local state paths resolve against it, whatever the current directory. */
  readonly projectDir?: string;
  /** Existing Okta objects to import, by workspace ID (`cerby-okta adopt`). */
  readonly adoptions?: ReadonlyMap<string, Adoption>;
  /** What earlier plans learned from Okta, by workspace ID (src/sync/people-record.ts). */
  readonly findings?: ReadonlyMap<string, OktaFindings>;
  /** The okta/okta release Terraform is asked for (`oktaProvider.version`); the default when absent. */
  readonly oktaProviderVersion?: OktaProviderVersion;
}

const local = (name: string) => `local.${DATA_LOCAL}.${name}`;

export class WorkspaceStack extends TerraformStack {
  /** `dataText`: the data file's text when the caller has it already (the synthesizer compares it first). */
  constructor(scope: Construct, workspace: DesiredWorkspace, options: StackOptions = {}, dataText?: string) {
    super(scope, workspace.id);
    addBackend(this, workspace.id, options.backend, options.projectDir);
    const rateLimit = { ...DEFAULT_RATE_LIMIT, ...workspace.okta.rateLimit };
    const providerVersion = options.oktaProviderVersion ?? DEFAULT_OKTA_PROVIDER_VERSION;
    const traits = oktaProviderTraits(providerVersion);

    // Credentials come only from the environment (OKTA_API_TOKEN, or
    // OKTA_API_CLIENT_ID with OKTA_API_PRIVATE_KEY): never in synthesized files.
    const capacity = new TerraformVariable(this, CAPACITY_VARIABLE, {
      type: "number",
      default: rateLimit.maxApiCapacity,
      description: "Percent of each Okta rate limit this stack may use; stacks applied at the same time share the workspace's.",
    });
    new OktaProvider(this, "okta", {
      orgName: workspace.okta.orgName,
      baseUrl: workspace.okta.baseUrl,
      maxApiCapacity: capacity.numberValue,
      backoff: rateLimit.backoff,
      minWaitSeconds: rateLimit.minWaitSeconds,
      maxWaitSeconds: rateLimit.maxWaitSeconds,
      maxRetries: rateLimit.maxRetries,
    });
    // The binding (@cdktf/provider-okta 14.1.1) stops at okta/okta 4.20.0 and
    // writes that version; the project's release replaces it. The five types'
    // attributes are the same in 6.12.0 but for additions (docs/okta-provider-6.12.md).
    this.addOverride("terraform.required_providers.okta.version", providerVersion);

    writeDataFileOnSynth(this, dataText ?? JSON.stringify(buildStackData(workspace, options.adoptions?.get(workspace.id) ?? NO_ADOPTION, options.findings?.get(workspaceIdOf(workspace)) ?? NO_FINDINGS)));
    // Expressions are written as HCL text: only our own names appear in them,
    // never a string from Cerby (those stay in the data file).
    new TerraformLocal(this, DATA_LOCAL, `\${jsondecode(file("\${path.module}/${STACK_DATA_FILE}"))}`);

    // The plural data source answers an empty list for a login Okta does not
    // know (the singular one fails the whole plan): that person's chiclets
    // wait, everyone else's sync goes on, and the plan report names them.
    const usersToLookUp = MapTerraformIterator.fromMap(Token.asAnyMap(`\${${local("userSearches")}}`));
    new DataOktaUsers(this, USER_LOOKUP.name, {
      forEach: usersToLookUp,
      search: [{ expression: usersToLookUp.value }],
    });
    // Cerby user ID -> Okta user ID, whether known or looked up (unresolved people are left out).
    // A lookup that finds nobody falls back to the ID that login last resolved
    // to (heldOktaUserIds): a changed login holds access, it never removes it.
    new TerraformLocal(
      this,
      "okta_user_ids",
      `\${merge(${local("heldOktaUserIds")}, ${local("oktaUserIds")}, { for cerby_id, found in ${resourcePath(USER_LOOKUP)} : cerby_id => found.users[0].id if length(found.users) > 0 })}`,
    );

    // Every Okta object waits for the apply record's first half (apply-record.ts).
    const dependsOn = [addApplyStarted(this)];
    const apps = MapTerraformIterator.fromMap(Token.asAnyMap(`\${${local("apps")}}`));
    const app = new AppBookmark(this, APP.name, {
      dependsOn,
      forEach: apps,
      label: apps.getString("label"),
      url: apps.getString("url"),
    });
    // okta/okta 6.9+: no access policy read or assignment per create and
    // update (two calls fewer in the apps buckets, no okta.policies.read);
    // the org's default policy applies. Not in the 4.20 binding: an override.
    if (traits.skipAuthenticationPolicy) app.addOverride("skip_authentication_policy", true);

    // One access group per app, for as long as the app exists, even when
    // nobody sees the chiclet directly: the group is never deleted while an
    // app still holds its assignment (okta/okta 4.20 fails the assignments
    // update with a 404 when the group went first, upstream #1885; 6.1+
    // ignores that 404, and the design is kept for both: docs/design.md).
    const accessGroups = MapTerraformIterator.fromMap(Token.asAnyMap(`\${${local("accessGroups")}}`));
    const group = new Group(this, ACCESS_GROUP.name, {
      dependsOn,
      forEach: accessGroups,
      name: accessGroups.getString("name"),
      description: accessGroups.getString("description"),
    });
    // Instances look IDs up in these maps rather than as `resource[each.key].id`:
    // Terraform builds the value of every instance of a resource each time an
    // expression names it, so per-instance references cost N x N (docs/benchmarks.md).
    new TerraformLocal(this, "app_ids", `\${{ for key, app in ${resourcePath(APP)} : key => app.id }}`);
    new TerraformLocal(this, "access_group_ids", `\${{ for key, group in ${resourcePath(ACCESS_GROUP)} : key => group.id }}`);

    const members = new GroupMemberships(this, ACCESS_MEMBERS.name, {
      dependsOn,
      forEach: accessGroups,
      groupId: "${local.access_group_ids[each.key]}",
      users: Token.asList(`\${[for cerby_id in each.value.users : local.okta_user_ids[cerby_id] if lookup(local.okta_user_ids, cerby_id, "") != ""]}`),
      // The group is ours alone: members added in the Okta console show up as drift.
      trackAllUsers: true,
    });

    // One resource owns all group assignments of an app: the account's access
    // group FIRST, then the IdP team groups. okta/okta 4.20 PUTs them in list
    // order and stops at the first error, so a team group deleted in Okta
    // still leaves the direct viewers their chiclet.
    const assignments = new AppGroupAssignments(this, ASSIGNMENTS.name, {
      dependsOn,
      forEach: apps,
      appId: "${local.app_ids[each.key]}",
    });
    assignments.addOverride("dynamic.group", {
      for_each: "${concat([local.access_group_ids[each.key]], each.value.groups)}",
      content: { id: "${group.value}" },
    });
    addApplyDone(this, [app, group, members, assignments], "local.okta_user_ids");

    // Adoption: existing apps and groups taken under management, untouched (import blocks, Terraform 1.7+).
    const adopt = local("adopt");
    this.addOverride("import", [
      // 6.x's importer sets each name after the ID to true: the adopted app is planned with no update.
      { for_each: `\${${adopt}.apps}`, to: `${resourcePath(APP)}[each.key]`, id: traits.skipAuthenticationPolicy ? "${each.value}/skip_authentication_policy" : "${each.value}" },
      { for_each: `\${${adopt}.accessGroups}`, to: `${resourcePath(ACCESS_GROUP)}[each.key]`, id: "${each.value}" },
      { for_each: `\${${adopt}.accessGroups}`, to: `${resourcePath(ACCESS_MEMBERS)}[each.key]`, id: "${each.value}/true" },
      { for_each: `\${${adopt}.apps}`, to: `${resourcePath(ASSIGNMENTS)}[each.key]`, id: "${each.value}" },
    ]);
  }
}

/** Writes the data file into the stack's folder whenever the stack is synthesized (also by `cdktf synth`). */
function writeDataFileOnSynth(stack: TerraformStack, content: string): void {
  const synthesizeConfig = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: ISynthesisSession) {
      synthesizeConfig.synthesize(session);
      const directory = path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      mkdirSync(directory, { recursive: true });
      writeFileSync(path.join(directory, STACK_DATA_FILE), content);
    },
  };
}
