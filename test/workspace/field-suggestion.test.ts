// "did you mean ...?" for unknown fields: the suggestion comes from the fields
// accepted at the same place in the schema, and only when it is close.
import { afterAll, describe, expect, it } from "vitest";
import { ProjectConfigSchema } from "../../src/config/project-config.ts";
import { closestField, knownFieldsAt } from "../../src/workspace/field-suggestion.ts";
import { WorkspaceFileSchema } from "../../src/workspace/schema.ts";
import { issuesFor, removeWrittenWorkspaces } from "../support/temp-workspaces.ts";

afterAll(removeWrittenWorkspaces);

describe("knownFieldsAt", () => {
  it("walks objects, lists, optional fields and unions to the object at the path", () => {
    expect(knownFieldsAt(WorkspaceFileSchema, ["workspace", "okta"])).toEqual(expect.arrayContaining(["orgName", "baseUrl", "rateLimit"]));
    expect(knownFieldsAt(WorkspaceFileSchema, ["accounts", 3, "okta"])).toEqual(["extendedAt", "extendedBy"]);
    expect(knownFieldsAt(ProjectConfigSchema, ["backend"])).toEqual(expect.arrayContaining(["type", "path", "bucket", "prefix", "organization"]));
    expect(knownFieldsAt(WorkspaceFileSchema, ["users", 0, "email", "x"])).toEqual([]);
    expect(knownFieldsAt(WorkspaceFileSchema, ["__proto__"])).toEqual([]);
  });
});

describe("closestField", () => {
  it("suggests a field one or two edits away, ignoring case, and nothing for an unrelated word", () => {
    const known = ["extendedAccountAccess", "id", "name", "okta", "loginUrl"];
    expect(closestField("extendedAcountAccess", known)).toBe("extendedAccountAccess");
    expect(closestField("loginURL", known)).toBe("loginUrl");
    expect(closestField("nmae", known)).toBe("name");
    expect(closestField("zzzz", known)).toBeUndefined();
    expect(closestField("x".repeat(100_000), known)).toBeUndefined();
  });
});

describe("unknown fields in a workspace file", () => {
  it("name the field meant next to the one typed", async () => {
    const text = [
      "version: 1",
      "workspace:",
      "  id: ws-test",
      "  name: Test",
      "  extendedAcountAccess: true",
      "  okta: { orgName: acme, baseUrl: okta.com }",
      "users:",
      "  - { id: u-a, emial: a@example.com, email: a@example.com, workspaceRole: owner, colour: red }",
      "",
    ].join("\n");
    const { issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues.map((issue) => `${issue.path}: ${issue.message}`).sort()).toEqual([
      "users[0].colour: unknown field",
      "users[0].emial: unknown field; did you mean email?",
      "workspace.extendedAcountAccess: unknown field; did you mean extendedAccountAccess?",
    ]);
  });

  it("say a misspelt choice field is missing, with its choices, rather than that its value is wrong", async () => {
    const text = [
      "version: 1",
      "workspace: { id: ws-test, name: Test, extendedAccountAccess: true, okta: { orgName: acme, baseUrl: okta.com } }",
      "users:",
      "  - { id: u-a, email: a@example.com, workspaceRol: owner }",
      "",
    ].join("\n");
    const { issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`).sort()).toEqual([
      "4:38 users[0].workspaceRol: unknown field; did you mean workspaceRole?",
      `4:5 users[0].workspaceRole: is required: one of "owner", "super_admin", "admin", "user", "login_only", "guest"`,
    ]);
  });
});
