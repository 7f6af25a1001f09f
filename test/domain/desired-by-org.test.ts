// The desired state, recomputed only for the Okta orgs whose workspaces
// changed (the watcher's cache), must equal the whole computation.
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DesiredByOrg } from "../../src/domain/desired-by-org.ts";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { generateWorkspace, makeTempDir, removeDir } from "../../harness/workspace-fixture.ts";

const EXAMPLE_WORKSPACES = path.resolve(import.meta.dirname, "../../workspaces");

describe("desired state by Okta org", () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("equals computeDesiredState, and reuses orgs whose workspaces did not change", async () => {
    await generateWorkspace(dir, { id: "ws-a", accounts: 40, files: 2, users: 10, teams: 4, orgName: "acme" });
    await generateWorkspace(dir, { id: "ws-b", accounts: 40, files: 2, users: 10, teams: 4, orgName: "acme" });
    await generateWorkspace(dir, { id: "ws-c", accounts: 40, files: 2, users: 10, teams: 4, orgName: "other" });
    const workspaces = [...(await loadWorkspaces(EXAMPLE_WORKSPACES)), ...(await loadWorkspaces(dir))];
    const byOrg = new DesiredByOrg();
    const first = byOrg.compute(workspaces);
    expect(first).toEqual(computeDesiredState(workspaces).workspaces);
    expect(first.find((workspace) => workspace.id === "ws-b")!.chiclets.some((chiclet) => / \(2\)$/.test(chiclet.label))).toBe(true);
    const changed = workspaces.map((workspace) => (workspace.settings.id === "ws-c" ? { ...workspace, accounts: workspace.accounts.slice(1) } : workspace));
    const second = byOrg.compute(changed);
    expect(second).toEqual(computeDesiredState(changed).workspaces);
    expect(second.find((workspace) => workspace.id === "ws-a")).toBe(first.find((workspace) => workspace.id === "ws-a"));
    expect(second.find((workspace) => workspace.id === "ws-c")).not.toBe(first.find((workspace) => workspace.id === "ws-c"));
  });
});
