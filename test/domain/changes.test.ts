// Changes in Okta terms, one vocabulary for plan, review and watch.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeChanges, diffDesired } from "../../src/domain/changes.ts";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";

const EXAMPLE_WORKSPACES = path.resolve(import.meta.dirname, "../../workspaces");

describe("changes between two desired states, in Okta terms", () => {
  it("reports relabels, viewers gained and lost, and chiclets removed, escaping what is shown", async () => {
    const [before] = computeDesiredState(await loadWorkspaces(EXAMPLE_WORKSPACES)).workspaces;
    const chiclet = before!.chiclets[0]!;
    const removed = before!.chiclets[1]!;
    const after = {
      ...before!,
      chiclets: [{ ...chiclet, label: "Evil\u001b[2J - X", users: [...chiclet.users.slice(1), "u-frank"] }, ...before!.chiclets.slice(2)],
    };
    expect(describeChanges(diffDesired(before, before!))).toEqual([]);
    const lines = describeChanges(diffDesired(before, after));
    expect(lines).toContain(`~ ${chiclet.accountId}: relabel "${chiclet.label}" -> "Evil\\u001b[2J - X"`);
    expect(lines).toContain('+ u-frank sees "Evil\\u001b[2J - X"');
    expect(lines).toContain(`- ${chiclet.users[0]} no longer sees "Evil\\u001b[2J - X"`);
    expect(lines).toContain(`- ${removed.accountId}: remove chiclet "${removed.label}"`);
    for (const user of removed.users) expect(lines).toContain(`- ${user} no longer sees "${removed.label}"`);
    expect(lines.join("\n")).not.toContain("\u001b");
  });

  it("names people and groups the way it is told", async () => {
    const [before] = computeDesiredState(await loadWorkspaces(EXAMPLE_WORKSPACES)).workspaces;
    const chiclet = before!.chiclets[0]!;
    const after = { ...before!, chiclets: [{ ...chiclet, groups: [...chiclet.groups, "00gnew"], users: [...chiclet.users, "u-frank"] }, ...before!.chiclets.slice(1)] };
    const lines = describeChanges(diffDesired(before, after), { person: (id) => `${id}@example`, group: (id) => `team ${id}` });
    expect(lines).toEqual([`+ u-frank@example sees "${chiclet.label}"`, `+ team 00gnew sees "${chiclet.label}"`]);
  });
});
