// Cerby IDs are opaque text: `__proto__`, `constructor` or `toString` must
// behave exactly like `u-alice`, from loading through the checks to
// `preview --json`. A lookup in a plain object would find Object.prototype's
// members instead (an unknown user "toString" would seem to exist).
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { previewDocument } from "../../src/domain/preview.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { issuesFor, positionOf, removeWrittenWorkspaces, writeWorkspaces } from "../support/temp-workspaces.ts";
import { expectNoCrashText, runCli } from "../workspace/run-cli.ts";

afterAll(removeWrittenWorkspaces);

const EXTENDED_AT = "2026-01-01T00:00:00Z";

const WORKSPACE = {
  version: 1,
  workspace: { id: "ws-proto", name: "Proto", extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
  users: [
    { id: "__proto__", email: "proto@example.com", oktaUserId: "00u1proto", workspaceRole: "owner" },
    { id: "constructor", email: "ctor@example.com", workspaceRole: "user" },
    { id: "hasOwnProperty", email: "own@example.com", workspaceRole: "user", oktaStatus: "SUSPENDED" },
  ],
  teams: [
    { id: "__proto__", name: "Proto team", members: ["constructor", "hasOwnProperty"] },
    { id: "constructor", name: "IdP team", oktaGroupId: "toString", members: ["__proto__"] },
  ],
  accounts: [
    {
      id: "constructor",
      name: "Ctor",
      app: "X",
      grants: [{ team: "constructor", role: "owner" }],
      okta: { extendedBy: "__proto__", extendedAt: EXTENDED_AT },
    },
    {
      id: "__proto__",
      name: "Proto",
      app: "X",
      grants: [
        { user: "__proto__", role: "owner" },
        { team: "__proto__", role: "collaborator" },
        { team: "constructor", role: "collaborator" },
      ],
      okta: { extendedBy: "__proto__", extendedAt: EXTENDED_AT },
    },
    { id: "valueOf", name: "Value", app: "X", grants: [{ user: "constructor", role: "manager" }], okta: { extendedBy: "constructor", extendedAt: EXTENDED_AT } },
  ],
};

/** The same workspace as YAML, IDs unquoted as people write them. */
const WORKSPACE_YAML = [
  "version: 1",
  "workspace: { id: ws-proto, name: Proto, extendedAccountAccess: true, okta: { orgName: acme, baseUrl: okta.com } }",
  "users:",
  "  - { id: __proto__, email: proto@example.com, oktaUserId: 00u1proto, workspaceRole: owner }",
  "  - { id: constructor, email: ctor@example.com, workspaceRole: user }",
  "  - { id: hasOwnProperty, email: own@example.com, workspaceRole: user, oktaStatus: SUSPENDED }",
  "teams:",
  "  - { id: __proto__, name: Proto team, members: [constructor, hasOwnProperty] }",
  "  - { id: constructor, name: IdP team, oktaGroupId: toString, members: [__proto__] }",
  "accounts:",
  `  - { id: constructor, name: Ctor, app: X, grants: [{ team: constructor, role: owner }], okta: { extendedBy: __proto__, extendedAt: "${EXTENDED_AT}" } }`,
  "  - id: __proto__",
  "    name: Proto",
  "    app: X",
  "    grants: [{ user: __proto__, role: owner }, { team: __proto__, role: collaborator }, { team: constructor, role: collaborator }]",
  `    okta: { extendedBy: __proto__, extendedAt: "${EXTENDED_AT}" }`,
  `  - { id: valueOf, name: Value, app: X, grants: [{ user: constructor, role: manager }], okta: { extendedBy: constructor, extendedAt: "${EXTENDED_AT}" } }`,
  "",
].join("\n");

/** What Okta must hold: worked out by hand from the rules, as for any other IDs. */
const EXPECTED_PREVIEW = {
  version: 1,
  workspaces: [
    {
      id: "ws-proto",
      synced: true,
      chiclets: [
        {
          accountId: "__proto__",
          label: "Proto - X",
          url: "https://app.cerby.com/accounts/__proto__/login",
          users: ["__proto__", "constructor"], // hasOwnProperty is suspended
          groups: ["toString"],
        },
        { accountId: "constructor", label: "Ctor - X", url: "https://app.cerby.com/accounts/constructor/login", users: [], groups: ["toString"] },
      ],
      rejected: [
        { accountId: "valueOf", reason: "extended by constructor, who does not hold the owner role on this account (directly or through a team)" },
      ],
      warnings: [
        "account valueOf rejected: extended by constructor, who does not hold the owner role on this account (directly or through a team)",
        "1 user has no oktaUserId: Terraform looks each up by login on every plan", // constructor
      ],
    },
  ],
};

describe("IDs named like Object.prototype members", () => {
  it.each([
    ["YAML", "workspace.yaml", WORKSPACE_YAML],
    ["JSON", "snapshot.json", JSON.stringify(WORKSPACE, null, 2)],
  ])("load, pass the checks and give the preview any IDs would (%s)", async (_format, name, text) => {
    const root = await writeWorkspaces({ ws: { [name]: text } });
    const workspaces = await loadWorkspaces(root);
    expect(workspaces[0]!.users.map((user) => user.id)).toEqual(["__proto__", "constructor", "hasOwnProperty"]);
    const state = computeDesiredState(workspaces);
    expect(previewDocument(state)).toEqual(EXPECTED_PREVIEW);

    const known = state.workspaces[0]!.knownOktaUserIds;
    expect(Object.entries(known)).toEqual([["__proto__", "00u1proto"]]);
    expect(known["constructor"]).toBeUndefined();
    expect(known["toString"]).toBeUndefined();
  });

  it("come out of `cerby-okta preview --json` as any IDs would", async () => {
    const root = await writeWorkspaces({ ws: { "workspace.yaml": WORKSPACE_YAML } });
    const run = await runCli(["preview", "--json", "--workspaces", root], { cwd: root });
    expectNoCrashText(run.stderr);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(EXPECTED_PREVIEW);
  });

  it("are unknown when nobody defines them, and repeated when defined twice", async () => {
    const text = WORKSPACE_YAML.replace("members: [__proto__] }", "members: [__proto__, toString] }")
      .replace("grants: [{ team: constructor, role: owner }]", "grants: [{ team: constructor, role: owner }, { team: valueOf, role: owner }]")
      .replace("extendedBy: constructor,", "extendedBy: isPrototypeOf,")
      .replace("  - { id: hasOwnProperty,", "  - { id: constructor, email: other@example.com, workspaceRole: user }\n  - { id: hasOwnProperty,");
    const { root, issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    const file = path.join(root, "ws", "workspace.yaml");
    expect(issues).toEqual([
      { file, ...positionOf(text, "id: constructor", 2), path: "users[2].id", message: `duplicate user id "constructor" (first at ${file}:5)` },
      { file, ...positionOf(text, "toString] }"), path: "teams[1].members[1]", message: 'unknown user "toString"' },
      { file, ...positionOf(text, "team: valueOf"), path: "accounts[0].grants[1].team", message: 'unknown team "valueOf"' },
      { file, ...positionOf(text, "extendedBy: isPrototypeOf"), path: "accounts[2].okta.extendedBy", message: 'unknown user "isPrototypeOf"' },
    ]);
  });

  it("are refused as field names, like any unknown field", async () => {
    const text = JSON.stringify({ version: 1, __proto__: { workspace: {} }, constructor: "x" });
    // JSON.stringify drops a literal __proto__ key; write it by hand.
    const json = text.replace('"constructor"', '"__proto__":{"workspace":{}},"constructor"');
    const { issues } = await issuesFor({ ws: { "snapshot.json": json } });
    expect(issues.map((issue) => [issue.path, issue.message])).toEqual([
      ["__proto__", "unknown field"],
      ["constructor", "unknown field"],
    ]);
  });
});
