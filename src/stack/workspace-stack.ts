// One Terraform stack per workspace: a thin loop over the stack data file.
// Resources iterate with for_each over maps keyed by Cerby account IDs, so
// addresses never depend on positions and a relabel is an in-place update.
import { AppBookmark } from "@cdktf/provider-okta/lib/app-bookmark/index.js";
import { AppGroupAssignments } from "@cdktf/provider-okta/lib/app-group-assignments/index.js";
import { DataOktaUser } from "@cdktf/provider-okta/lib/data-okta-user/index.js";
import { Group } from "@cdktf/provider-okta/lib/group/index.js";
import { GroupMemberships } from "@cdktf/provider-okta/lib/group-memberships/index.js";
import { OktaProvider } from "@cdktf/provider-okta/lib/provider/index.js";
import { MapTerraformIterator, TerraformLocal, TerraformStack, Token, type ISynthesisSession } from "cdktf";
import type { Construct } from "constructs";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BackendConfig } from "../config/project-config.ts";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { addBackend } from "./backend.ts";
import { buildStackData, STACK_DATA_FILE } from "./stack-data.ts";

/** Rate-limit settings used when a workspace sets none: leave half the org's capacity to others. */
export const DEFAULT_RATE_LIMIT = {
  maxApiCapacity: 50,
  backoff: true,
  minWaitSeconds: 30,
  maxWaitSeconds: 300,
  maxRetries: 5,
} as const;

export interface StackOptions {
  /** Where Terraform keeps state; cdktf's local default when absent. */
  readonly backend?: BackendConfig;
}

export class WorkspaceStack extends TerraformStack {
  constructor(scope: Construct, workspace: DesiredWorkspace, options: StackOptions = {}) {
    super(scope, workspace.id);
    addBackend(this, workspace.id, options.backend);
    const data = buildStackData(workspace);
    const rateLimit = { ...DEFAULT_RATE_LIMIT, ...workspace.okta.rateLimit };

    // Credentials come only from the environment (OKTA_API_TOKEN, or
    // OKTA_API_CLIENT_ID with OKTA_API_PRIVATE_KEY): never in synthesized files.
    new OktaProvider(this, "okta", {
      orgName: workspace.okta.orgName,
      baseUrl: workspace.okta.baseUrl,
      maxApiCapacity: rateLimit.maxApiCapacity,
      backoff: rateLimit.backoff,
      minWaitSeconds: rateLimit.minWaitSeconds,
      maxWaitSeconds: rateLimit.maxWaitSeconds,
      maxRetries: rateLimit.maxRetries,
    });

    writeDataFileOnSynth(this, JSON.stringify(data));
    // Expressions are written as HCL text: only our own names appear in them,
    // never a string from Cerby (those stay in the data file).
    new TerraformLocal(this, "cerby", `\${jsondecode(file("\${path.module}/${STACK_DATA_FILE}"))}`);

    const usersToLookUp = MapTerraformIterator.fromMap(Token.asAnyMap("${local.cerby.loginsToResolve}"));
    new DataOktaUser(this, "by_login", {
      forEach: usersToLookUp,
      search: [{ name: "profile.login", value: usersToLookUp.value }],
      skipGroups: true,
      skipRoles: true,
    });
    // Cerby user ID -> Okta user ID, whether known or looked up.
    new TerraformLocal(
      this,
      "okta_user_ids",
      "${merge(local.cerby.oktaUserIds, { for cerby_id, user in data.okta_user.by_login : cerby_id => user.id })}",
    );

    const apps = MapTerraformIterator.fromMap(Token.asAnyMap("${local.cerby.apps}"));
    new AppBookmark(this, "app", {
      forEach: apps,
      label: apps.getString("label"),
      url: apps.getString("url"),
    });

    const accessGroups = MapTerraformIterator.fromMap(Token.asAnyMap("${local.cerby.accessGroups}"));
    new Group(this, "access", {
      forEach: accessGroups,
      name: accessGroups.getString("name"),
      description: accessGroups.getString("description"),
    });
    new GroupMemberships(this, "access_members", {
      forEach: accessGroups,
      groupId: "${okta_group.access[each.key].id}",
      users: Token.asList("${[for cerby_id in each.value.users : local.okta_user_ids[cerby_id]]}"),
      // The group is ours alone: members added in the Okta console show up as drift.
      trackAllUsers: true,
    });

    // One resource owns all group assignments of an app: the IdP team groups
    // and, when anyone sees the chiclet directly, the account's access group.
    const assignments = new AppGroupAssignments(this, "assignments", {
      forEach: apps,
      appId: "${okta_app_bookmark.app[each.key].id}",
    });
    assignments.addOverride("dynamic.group", {
      for_each: "${concat(each.value.groups, each.value.accessGroup ? [okta_group.access[each.key].id] : [])}",
      content: { id: "${group.value}" },
    });
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
