// Builds desired state from inline workspace text, as the CLI would from files.
import { computeDesiredState, type DesiredState } from "../../src/domain/desired-state.ts";
import type { InputIssue } from "../../src/errors.ts";
import { assembleWorkspace } from "../../src/workspace/load.ts";
import { parseWorkspaceFile } from "../../src/workspace/parse-file.ts";

/** Parses one YAML or JSON workspace file given as text; throws with the issues when invalid. */
export function desiredFromText(text: string, file = "workspaces/test/workspace.yaml"): DesiredState {
  const issues: InputIssue[] = [];
  const parsed = parseWorkspaceFile(file, text, issues);
  const workspace = parsed && assembleWorkspace("workspaces/test", [parsed], issues);
  if (!workspace || issues.length > 0) throw new Error(JSON.stringify(issues, null, 2));
  return computeDesiredState([workspace]);
}

/** A one-account workspace whose account carries `name`, as JSON (so any string survives). */
export function oneAccountWorkspace(name: string, app = "Instagram"): string {
  return JSON.stringify({
    version: 1,
    workspace: { id: "ws-test", name: "Test", extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
    users: [
      { id: "u-alice", email: "alice@acme.example", oktaUserId: "00u1alice", workspaceRole: "owner" },
      { id: "u-carol", email: "carol@acme.example", workspaceRole: "user" },
    ],
    teams: [{ id: "t-social", name: "Social", oktaGroupId: "00g1social" }],
    accounts: [
      {
        id: "a-1",
        name,
        app,
        grants: [
          { user: "u-alice", role: "owner" },
          { user: "u-carol", role: "collaborator" },
          { team: "t-social", role: "collaborator" },
        ],
        okta: { extendedBy: "u-alice", extendedAt: "2026-02-01T09:00:00Z" },
      },
    ],
  });
}

/** Writes the stacks of `state` into `outDir` as `synth` does: a fresh synthesizer, other stacks removed. */
export async function synthesizeInto(state: DesiredState, outDir: string): Promise<string[]> {
  const { StackSynthesizer } = await import("../../src/stack/synthesizer.ts");
  return new StackSynthesizer({ outDir }).write(state.workspaces, { prune: true });
}
