// Malformed workspace input: every problem must name the file, the line (and
// column), the field path and say what is wrong. Each case is written to a
// temporary workspaces root and loaded with the real loader.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { InputIssue } from "../../src/errors.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { issuesFor, positionOf, removeWrittenWorkspaces, writeWorkspaces } from "../support/temp-workspaces.ts";

afterAll(removeWrittenWorkspaces);

/** The settings file of a valid workspace. */
const SETTINGS = [
  "version: 1",
  "workspace:",
  "  id: ws-test",
  "  name: Test Workspace",
  "  extendedAccountAccess: true",
  "  okta:",
  "    orgName: acme",
  "    baseUrl: okta.com",
  "",
].join("\n");

/** Users and teams that the account snippets below refer to. */
const PEOPLE = [
  "users:",
  "  - { id: u-alice, email: alice@example.com, workspaceRole: owner }",
  "  - { id: u-bob, email: bob@example.com, workspaceRole: user }",
  "teams:",
  "  - id: t-social",
  "    name: Social",
  "    oktaGroupId: 00g1social",
  "    members: [u-alice]",
  "",
].join("\n");

/** A valid account block; cases replace one line of it. */
const ACCOUNT = [
  "accounts:",
  "  - id: a-one",
  "    name: Contentzilla",
  "    app: Instagram",
  "    grants:",
  "      - { user: u-alice, role: owner }",
  "      - { team: t-social, role: collaborator }",
  "    okta:",
  "      extendedBy: u-alice",
  "      extendedAt: 2026-02-01T09:00:00Z",
  "",
].join("\n");

const VALID = SETTINGS + PEOPLE + ACCOUNT;

/** `VALID` with `from` replaced by `to` (which must occur). */
function validWith(from: string, to: string): string {
  if (!VALID.includes(from)) throw new Error(`${JSON.stringify(from)} is not in the valid workspace`);
  return VALID.replace(from, to);
}

interface Expected {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly path: string;
  readonly message: RegExp;
}

/** Asserts that exactly one issue has `expected.path` and that it matches in every respect. */
function expectIssue(issues: readonly InputIssue[], expected: Expected): InputIssue {
  const atPath = issues.filter((issue) => issue.path === expected.path && issue.file === expected.file);
  expect(atPath, `issues at ${expected.path} in ${expected.file}: ${JSON.stringify(issues, null, 2)}`).toHaveLength(1);
  const issue = atPath[0]!;
  expect(issue.line, `line of ${expected.path}`).toBe(expected.line);
  if (expected.column !== undefined) expect(issue.column, `column of ${expected.path}`).toBe(expected.column);
  expect(issue.message).toMatch(expected.message);
  return issue;
}

/** Loads one folder `ws` holding one file and returns its issues and the file's displayed path. */
async function issuesOfOneFile(name: string, text: string) {
  const { root, issues } = await issuesFor({ ws: { [name]: text } });
  return { issues, file: path.join(root, "ws", name) };
}

describe("loadWorkspaces on malformed input", () => {
  describe("syntax errors", () => {
    it("reports a YAML syntax error at the line and column where the parser stopped", async () => {
      const text = validWith("    name: Contentzilla", "    name: Contentzilla: the best");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ file, ...positionOf(text, "Contentzilla: the best"), path: "" });
      expect(issues[0]!.message).toMatch(/^YAML syntax: .*nested mappings/i);
    });

    it("reports one mis-indented line once, with its indentation against the line above and how many errors followed", async () => {
      const text = validWith("    baseUrl: okta.com", "   baseUrl: okta.com");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ file, line: positionOf(text, "   baseUrl").line, path: "" });
      const line = positionOf(text, "   baseUrl").line;
      expect(issues[0]!.message).toMatch(
        new RegExp(`^YAML syntax: All mapping items must start at the same column; hint: YAML nests by indentation \\(spaces only\\): line ${line} is indented 3 spaces, line ${line - 1} above it 4 spaces`),
      );
    });

    // The mistakes people make in YAML, each with the line to fix and what to do (issue 17).
    it("names the over-indented line after a field that has its value, and the indentation it needs", async () => {
      const text = validWith("    app: Instagram", "      app: Instagram");
      const { issues } = await issuesOfOneFile("workspace.yaml", text);
      const line = positionOf(text, "      app:").line;
      expect(issues).toHaveLength(1);
      expect(issues[0]!.message).toContain(
        `hint: line ${line} \`app: Instagram\` is indented 6 spaces, further than the key on line ${line - 1} \`name: Contentzilla\` (4 spaces), which already has its value: indent line ${line} by 4 spaces if it is a field of the same mapping (YAML nests by indentation, spaces only)`,
      );
    });

    it("counts a list item's key after its `- `", async () => {
      const text = validWith("    name: Contentzilla", "      name: Contentzilla");
      const { issues } = await issuesOfOneFile("workspace.yaml", text);
      const line = positionOf(text, "      name:").line;
      expect(issues[0]!.message).toContain(`further than the key on line ${line - 1} \`- id: a-one\` (4 spaces), which already has its value: indent line ${line} by 4 spaces`);
    });

    it("names the list item out of line and the item it should align with", async () => {
      const text = validWith("      - { team: t-social, role: collaborator }", "       - { team: t-social, role: collaborator }");
      const { issues } = await issuesOfOneFile("workspace.yaml", text);
      const line = positionOf(text, "       - { team").line;
      expect(issues[0]!.message).toContain(
        `hint: line ${line} starts a list item indented 7 spaces; the item on line ${line - 1} \`- { user: u-alice, role: owner }\` is indented 6 spaces: items of one list start in the same column`,
      );
    });

    it("says a colon is missing when a line is no `key: value`", async () => {
      const text = validWith("    app: Instagram", "    app Instagram");
      const { issues } = await issuesOfOneFile("workspace.yaml", text);
      const line = positionOf(text, "    app Instagram").line;
      expect(issues).toHaveLength(1);
      expect(issues[0]!.message).toContain(
        `hint: line ${line} \`app Instagram\` is not \`key: value\`: is the colon after the key missing (\`app: Instagram\`)? A colon and a space separate a key from its value`,
      );
    });

    it("reports a tab used as YAML indentation on its own line", async () => {
      const text = validWith("  name: Test Workspace", "\tname: Test Workspace");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      // The parser may add follow-on errors; the first one names the tab.
      expect(issues[0]).toMatchObject({ file, ...positionOf(text, "\tname"), path: "" });
      expect(issues[0]!.message).toMatch(/^YAML syntax: Tabs are not allowed as indentation; hint: indent with spaces: YAML does not allow tabs in indentation/);
      for (const issue of issues) expect(issue.file).toBe(file);
    });

    it("reports a trailing comma in a JSON file at the closing bracket", async () => {
      const text = [
        "{",
        '  "version": 1,',
        '  "users": [',
        '    { "id": "u-alice", "email": "alice@example.com", "workspaceRole": "owner" },',
        "  ]",
        "}",
        "",
      ].join("\n");
      const { issues, file } = await issuesOfOneFile("snapshot.json", text);
      expect(issues.length).toBeGreaterThanOrEqual(1);
      for (const issue of issues) {
        expect(issue).toMatchObject({ file, ...positionOf(text, "]"), path: "" });
        expect(issue.message).toMatch(/^JSON syntax: \w+/);
      }
    });

    it("reports a missing comma in a JSON file at the next property", async () => {
      const text = ["{", '  "version": 1', '  "users": []', "}", ""].join("\n");
      const { issues, file } = await issuesOfOneFile("snapshot.json", text);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ file, ...positionOf(text, '"users"'), path: "", message: "JSON syntax: CommaExpected" });
    });

    it("reports a duplicate YAML key at the second occurrence", async () => {
      const text = validWith("    app: Instagram", "    app: Instagram\n    name: Other name");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ file, ...positionOf(text, "name: Other name"), path: "" });
      expect(issues[0]!.message).toMatch(/^YAML syntax: .*unique/i);
    });

    it("reports a duplicate JSON key as an error instead of silently keeping the last value", async () => {
      // YAML refuses a repeated key; the same grant in JSON must not silently turn an owner into a manager.
      const text = [
        "{",
        '  "version": 1,',
        '  "workspace": { "id": "ws-json", "name": "J", "okta": { "orgName": "acme", "baseUrl": "okta.com" } },',
        '  "users": [{ "id": "u-alice", "email": "alice@example.com", "workspaceRole": "owner" }],',
        '  "accounts": [{ "id": "a-one", "name": "N", "app": "X",',
        '    "grants": [{ "user": "u-alice", "role": "owner", "role": "manager" }] }]',
        "}",
        "",
      ].join("\n");
      const { issues, file } = await issuesOfOneFile("snapshot.json", text);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ file, line: positionOf(text, '"role": "manager"').line });
      expect(issues[0]!.message).toMatch(/duplicate|unique|twice|repeated/i);
    });
  });

  describe("wrong types and values", () => {
    it("says a string given for a boolean must be a boolean (not that it is missing)", async () => {
      const text = validWith("extendedAccountAccess: true", 'extendedAccountAccess: "yes"');
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      const issue = expectIssue(issues, {
        file,
        ...positionOf(text, "extendedAccountAccess"),
        path: "workspace.extendedAccountAccess",
        message: /boolean/i,
      });
      expect(issue.message).not.toMatch(/required/);
    });

    it("says a JSON object given for the users list must be a list", async () => {
      const text = [
        "{",
        '  "version": 1,',
        '  "workspace": { "id": "ws-json", "name": "J", "okta": { "orgName": "acme", "baseUrl": "okta.com" } },',
        '  "users": { "id": "u-alice" }',
        "}",
        "",
      ].join("\n");
      const { issues, file } = await issuesOfOneFile("snapshot.json", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, '"users"'), path: "users", message: /array|list/i });
    });

    it("says an account name that YAML reads as a number must be text (not that it is missing)", async () => {
      // A real account may well be called 2024; unquoted, YAML reads it as a number.
      const text = validWith("    name: Contentzilla", "    name: 2024");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      const issue = expectIssue(issues, { file, ...positionOf(text, "name: 2024"), path: "accounts[0].name", message: /string|text|quote/i });
      expect(issue.message).not.toMatch(/required/);
    });

    it("rejects a bare number as extendedAt with the date-time hint", async () => {
      const text = validWith("extendedAt: 2026-02-01T09:00:00Z", "extendedAt: 1769936400");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "extendedAt"), path: "accounts[0].okta.extendedAt", message: /ISO 8601 date-time/ });
    });

    it("says a file whose root is a list must be a mapping", async () => {
      const text = "- id: u-alice\n- id: u-bob\n";
      const { issues, file } = await issuesOfOneFile("people.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, line: 1, column: 1, path: "", message: /object|mapping|map/i });
    });

    it("rejects an unknown account role and lists the allowed ones", async () => {
      const text = validWith("{ team: t-social, role: collaborator }", "{ team: t-social, role: viewer }");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file,
        ...positionOf(text, "role: viewer"),
        path: "accounts[0].grants[1].role",
        message: /"owner", "collaborator", "manager"/,
      });
    });

    it("rejects an unknown workspace role and lists the allowed ones", async () => {
      const text = validWith("workspaceRole: user", "workspaceRole: superuser");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file,
        ...positionOf(text, "workspaceRole: superuser"),
        path: "users[1].workspaceRole",
        message: /"owner", "super_admin", "admin", "user", "login_only", "guest"/,
      });
    });

    it("rejects a grant that names both a user and a team", async () => {
      const text = validWith("{ user: u-alice, role: owner }", "{ user: u-alice, team: t-social, role: owner }");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file,
        ...positionOf(text, "{ user: u-alice, team"),
        path: "accounts[0].grants[0]",
        message: /exactly one of `user` or `team`/,
      });
    });

    it("rejects a grant that names neither a user nor a team", async () => {
      const text = validWith("{ team: t-social, role: collaborator }", "{ role: collaborator }");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file,
        ...positionOf(text, "{ role: collaborator }"),
        path: "accounts[0].grants[1]",
        message: /exactly one of `user` or `team`/,
      });
    });

    it("says a missing account name is required, pointing at the account", async () => {
      const text = validWith("    name: Contentzilla\n", "");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "id: a-one"), path: "accounts[0].name", message: /is required/ });
    });

    it("rejects an empty account name", async () => {
      const text = validWith("    name: Contentzilla", '    name: ""');
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, 'name: ""'), path: "accounts[0].name", message: /must not be empty/ });
    });

    it("rejects an extendedAt that is not a date-time", async () => {
      const text = validWith("extendedAt: 2026-02-01T09:00:00Z", "extendedAt: last tuesday");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file,
        ...positionOf(text, "extendedAt"),
        path: "accounts[0].okta.extendedAt",
        message: /ISO 8601 date-time such as 2026-02-01T09:00:00Z/,
      });
    });

    it("rejects an extendedAt on a day that does not exist (February 30) in JSON", async () => {
      const text = [
        "{",
        '  "version": 1,',
        '  "workspace": { "id": "ws-json", "name": "J", "okta": { "orgName": "acme", "baseUrl": "okta.com" } },',
        '  "users": [{ "id": "u-alice", "email": "alice@example.com", "workspaceRole": "owner" }],',
        '  "accounts": [{ "id": "a-one", "name": "N", "app": "X", "grants": [{ "user": "u-alice", "role": "owner" }],',
        '    "okta": { "extendedBy": "u-alice", "extendedAt": "2026-02-30T09:00:00Z" } }]',
        "}",
        "",
      ].join("\n");
      const { issues, file } = await issuesOfOneFile("snapshot.json", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, '"extendedAt"'), path: "accounts[0].okta.extendedAt", message: /ISO 8601/ });
    });

    it("rejects a user id with a space in it", async () => {
      const text = validWith("id: u-bob,", "id: u bob,");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "id: u bob"), path: "users[1].id", message: /white space/ });
    });

    it("rejects a workspace id with a slash, which would escape the stack folder", async () => {
      const text = validWith("id: ws-test", "id: ws/test");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "id: ws/test"), path: "workspace.id", message: /letters, digits, '-' or '_'/ });
    });

    it("rejects an Okta org name with a space and a base URL given as a URL", async () => {
      const text = validWith("    orgName: acme\n    baseUrl: okta.com", "    orgName: acme corp\n    baseUrl: https://okta.com");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(2);
      expectIssue(issues, { file, ...positionOf(text, "orgName"), path: "workspace.okta.orgName", message: /Okta org name/ });
      expectIssue(issues, { file, ...positionOf(text, "baseUrl"), path: "workspace.okta.baseUrl", message: /domain such as okta.com/ });
    });

    it("rejects a loginUrl that is not https", async () => {
      const text = validWith("    baseUrl: okta.com\n", '    baseUrl: okta.com\n  loginUrl: "http://acme.cerby.com/{accountId}"\n');
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "loginUrl"), path: "workspace.loginUrl", message: /https:\/\/ URL/ });
    });
  });

  describe("unknown fields (typos)", () => {
    it("names a typo at the top level of a file", async () => {
      const text = validWith("accounts:", "acounts:");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, line: positionOf(text, "acounts:").line, column: 1, path: "acounts", message: /unknown field/ });
    });

    it("names a typo inside workspace.okta", async () => {
      const text = validWith("    orgName: acme", "    orgName: acme\n    rateLimt: { backoff: true }");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "rateLimt"), path: "workspace.okta.rateLimt", message: /unknown field/ });
    });

    it("names a typo inside a user written as a flow mapping", async () => {
      const text = validWith("email: bob@example.com", "emial: bob@example.com, email: bob@example.com");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "emial"), path: "users[1].emial", message: /unknown field/ });
    });

    it("names a typo inside a grant, and says the grant then names no principal", async () => {
      const text = validWith("{ team: t-social, role: collaborator }", "{ taem: t-social, role: collaborator }");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expectIssue(issues, { file, ...positionOf(text, "taem"), path: "accounts[0].grants[1].taem", message: /unknown field/ });
      expectIssue(issues, {
        file,
        ...positionOf(text, "{ taem"),
        path: "accounts[0].grants[1]",
        message: /exactly one of `user` or `team`/,
      });
    });

    it("names a typo inside an account's okta block", async () => {
      const text = validWith("      extendedBy: u-alice", "      extendedBy: u-alice\n      extendedOn: 2026-02-01");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "extendedOn"), path: "accounts[0].okta.extendedOn", message: /unknown field/ });
    });

    it("names a typo deep in a JSON snapshot at its own line and column", async () => {
      const text = [
        "{",
        '  "version": 1,',
        '  "workspace": { "id": "ws-json", "name": "J", "okta": { "orgName": "acme", "baseUrl": "okta.com" } },',
        '  "users": [{ "id": "u-alice", "email": "alice@example.com", "workspaceRole": "owner" }],',
        '  "accounts": [',
        '    { "id": "a-one", "name": "N", "app": "X", "grants": [] },',
        '    { "id": "a-two", "name": "N", "app": "X",',
        '      "grants": [{ "user": "u-alice", "role": "owner", "expires": "never" }] }',
        "  ]",
        "}",
        "",
      ].join("\n");
      const { issues, file } = await issuesOfOneFile("snapshot.json", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, '"expires"'), path: "accounts[1].grants[0].expires", message: /unknown field/ });
    });

    it("locates an unknown numeric key on its own line, not on the line of the map that holds it", async () => {
      const text = validWith("    app: Instagram", "    app: Instagram\n    2024: renewed");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ file, ...positionOf(text, "2024: renewed"), message: "unknown field" });
    });
  });

  describe("references between users, teams and accounts", () => {
    it("names an unknown user in a grant", async () => {
      const text = validWith("{ user: u-alice, role: owner }", "{ user: u-alicia, role: owner }");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      // The same typo also leaves extendedBy pointing at a user without the owner grant: not an input error.
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "user: u-alicia"), path: "accounts[0].grants[0].user", message: /unknown user "u-alicia"/ });
    });

    it("names an unknown team in a grant", async () => {
      const text = validWith("{ team: t-social, role: collaborator }", "{ team: t-socal, role: collaborator }");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "team: t-socal"), path: "accounts[0].grants[1].team", message: /unknown team "t-socal"/ });
    });

    it("names an unknown user among a team's members", async () => {
      const text = validWith("members: [u-alice]", "members: [u-alice, u-zed]");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "u-zed"), path: "teams[0].members[1]", message: /unknown user "u-zed"/ });
    });

    it("names an unknown user in extendedBy", async () => {
      const text = validWith("extendedBy: u-alice", "extendedBy: u-nobody");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "extendedBy"), path: "accounts[0].okta.extendedBy", message: /unknown user "u-nobody"/ });
    });

    it("names a second grant for the same user and where the first is", async () => {
      const text = validWith("      - { team: t-social, role: collaborator }", "      - { user: u-alice, role: manager }");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file,
        ...positionOf(text, "{ user: u-alice, role: manager }"),
        path: "accounts[0].grants[1]",
        message: /second grant for user u-alice \(first at grants\[0\]\)/,
      });
    });
  });

  describe("duplicates", () => {
    it("names a user id repeated in a second file, and where the first one is", async () => {
      const extra = ["users:", "  - { id: u-carol, email: carol@example.com, workspaceRole: user }", "  - { id: u-bob, email: bob2@example.com, workspaceRole: user }", ""].join("\n");
      const { root, issues } = await issuesFor({ ws: { "a-workspace.yaml": VALID, "b-more-users.yaml": extra } });
      const first = path.join(root, "ws", "a-workspace.yaml");
      const second = path.join(root, "ws", "b-more-users.yaml");
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file: second,
        ...positionOf(extra, "id: u-bob"),
        path: "users[1].id",
        message: new RegExp(`duplicate user id "u-bob" \\(first at ${escape(first)}:${positionOf(VALID, "{ id: u-bob").line}\\)`),
      });
    });

    it("names a repeated account id and where the first one is", async () => {
      const text = VALID + ["  - id: a-one", "    name: Other", "    app: TikTok", ""].join("\n");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file,
        ...positionOf(text, "id: a-one", 2),
        path: "accounts[1].id",
        message: new RegExp(`duplicate account id "a-one" \\(first at ${escape(file)}:${positionOf(text, "id: a-one").line}\\)`),
      });
    });

    it("names an email repeated with different case", async () => {
      const text = validWith("email: bob@example.com", "email: Alice@Example.com");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file,
        ...positionOf(text, "email: Alice"),
        path: "users[1].email",
        message: new RegExp(`duplicate user email "alice@example.com" \\(first at ${escape(file)}:${positionOf(text, "{ id: u-alice").line}\\)`),
      });
    });

    it("names a workspace id used by two folders, and where the first one is", async () => {
      const json = JSON.stringify(
        { version: 1, workspace: { id: "ws-test", name: "Copy", okta: { orgName: "other", baseUrl: "okta.com" } } },
        null,
        2,
      );
      const { root, issues } = await issuesFor({ "folder-a": { "workspace.yaml": VALID }, "folder-b": { "snapshot.json": json } });
      const first = path.join(root, "folder-a", "workspace.yaml");
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file: path.join(root, "folder-b", "snapshot.json"),
        ...positionOf(json, '"id"'),
        path: "workspace.id",
        message: new RegExp(`workspace id "ws-test" is also used in ${escape(first)}:${positionOf(VALID, "id: ws-test").line}`),
      });
    });
  });

  describe("the workspace block and the version", () => {
    it("says no file holds the workspace block", async () => {
      const { root, issues } = await issuesFor({ ws: { "people.yaml": "version: 1\n" + PEOPLE } });
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file: path.join(root, "ws", "people.yaml"), line: 1, column: 1, path: "", message: /no file of .*ws has the `workspace:` block/ });
    });

    it("names the second workspace block and the file of the first", async () => {
      const { root, issues } = await issuesFor({ ws: { "a.yaml": VALID, "b.yaml": SETTINGS } });
      expect(issues).toHaveLength(1);
      expectIssue(issues, {
        file: path.join(root, "ws", "b.yaml"),
        ...positionOf(SETTINGS, "workspace:"),
        path: "workspace",
        message: new RegExp(`second \`workspace:\` block .*first in ${escape(path.join(root, "ws", "a.yaml"))}`),
      });
    });

    it("says the file with the workspace block must say version: 1 when it does not", async () => {
      const text = VALID.replace("version: 1\n", "");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, ...positionOf(text, "workspace:"), path: "workspace", message: /must also say `version: 1`/ });
    });

    it("rejects version 2", async () => {
      const text = validWith("version: 1", "version: 2");
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      expectIssue(issues, { file, line: 1, column: 1, path: "version", message: /1/ });
    });

    it("says an empty workspace block is there but not filled in", async () => {
      const text = "version: 1\nworkspace:\n";
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues).toHaveLength(1);
      const issue = expectIssue(issues, { file, ...positionOf(text, "workspace:"), path: "workspace", message: /object|mapping|map/i });
      expect(issue.message).not.toBe("is required");
    });

    it("says a folder without any workspace file holds none", async () => {
      const { root, issues } = await issuesFor({ ws: { "README.txt": "notes" } });
      expect(issues).toEqual([
        { file: path.join(root, "ws"), line: 1, column: 1, path: "", message: "workspace folder holds no .yaml, .yml or .json file" },
      ]);
    });
  });

  describe("many problems at once", () => {
    it("reports every problem in every file of every folder in one run, and none for a valid folder", async () => {
      const badRole = validWith("role: collaborator", "role: watcher");
      const badJson = '{\n  "users": [1,,]\n}\n';
      const missingName = VALID.replace("id: ws-test", "id: ws-two").replace("    name: Contentzilla\n", "");
      const valid = VALID.replace("id: ws-test", "id: ws-ok");
      const { root, issues } = await issuesFor({
        "ws-one": { "a.yaml": badRole, "b.json": badJson },
        "ws-ok": { "workspace.yaml": valid },
        "ws-two": { "workspace.yml": missingName },
      });
      const files = new Set(issues.map((issue) => issue.file));
      expect(files).toEqual(
        new Set([path.join(root, "ws-one", "a.yaml"), path.join(root, "ws-one", "b.json"), path.join(root, "ws-two", "workspace.yml")]),
      );
      expectIssue(issues, {
        file: path.join(root, "ws-one", "a.yaml"),
        ...positionOf(badRole, "role: watcher"),
        path: "accounts[0].grants[1].role",
        message: /must be one of/,
      });
      expect(issues.filter((issue) => issue.file.endsWith("b.json")).every((issue) => issue.line === 2 && /^JSON syntax/.test(issue.message))).toBe(true);
      expectIssue(issues, {
        file: path.join(root, "ws-two", "workspace.yml"),
        ...positionOf(missingName, "id: a-one"),
        path: "accounts[0].name",
        message: /is required/,
      });
    });

    it("reports several problems of one file together", async () => {
      const text = validWith("workspaceRole: user", "workspaceRole: boss, shoeSize: 42").replace("app: Instagram", 'app: ""');
      const { issues, file } = await issuesOfOneFile("workspace.yaml", text);
      expect(issues.map((issue) => issue.path).sort()).toEqual(["accounts[0].app", "users[1].shoeSize", "users[1].workspaceRole"]);
      for (const issue of issues) expect(issue.file).toBe(file);
    });
  });

  describe("valid input", () => {
    it("loads a valid folder split over two files, merging their lists", async () => {
      const root = await writeWorkspaces({ ws: { "settings.yaml": SETTINGS + PEOPLE, "accounts.yml": ACCOUNT } });
      const [workspace, ...others] = await loadWorkspaces(root);
      expect(others).toEqual([]);
      expect(workspace!.settings.id).toBe("ws-test");
      expect(workspace!.users.map((user) => user.id)).toEqual(["u-alice", "u-bob"]);
      expect(workspace!.accounts.map((account) => account.id)).toEqual(["a-one"]);
      expect(workspace!.accounts[0]!.okta).toEqual({ extendedBy: "u-alice", extendedAt: "2026-02-01T09:00:00Z" });
    });

    it("accepts an empty YAML file and a comment-only YAML file as empty parts of the workspace", async () => {
      const root = await writeWorkspaces({ ws: { "a-empty.yaml": "", "b-comment.yaml": "# accounts go here later\n", "workspace.yaml": VALID } });
      const workspaces = await loadWorkspaces(root);
      expect(workspaces).toHaveLength(1);
      expect(workspaces[0]!.users).toHaveLength(2);
      expect(workspaces[0]!.accounts).toHaveLength(1);
    });

    it("loads the example workspaces shipped with the project", async () => {
      const workspaces = await loadWorkspaces(path.resolve(import.meta.dirname, "../../workspaces"));
      expect(workspaces.map((workspace) => workspace.settings.id).sort()).toEqual(["ws-acme", "ws-acme-eu", "ws-labs"]);
    });
  });
});

/** Escapes text for use inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("provider settings okta/okta 4.20 would silently ignore", () => {
  it.each([
    ["backoff: false", "okta/okta 4.20 ignores backoff: false"],
    ["minWaitSeconds: 0", "okta/okta 4.20 ignores 0 here and waits its default 30 s"],
    ["maxWaitSeconds: 0", "okta/okta 4.20 ignores 0 here and waits up to its default 300 s"],
    ["maxRetries: 0", "okta/okta 4.20 ignores 0 here and retries its default 5 times"],
  ])("refuses %s with the reason", async (setting, reason) => {
    const text = `${SETTINGS}    rateLimit: { ${setting} }\n${PEOPLE}`;
    const { issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(`workspace.okta.rateLimit.${setting.split(":")[0]}`);
    expect(issues[0]!.message).toContain(reason);
    expect(issues[0]!.line).toBe(9);
  });
});
