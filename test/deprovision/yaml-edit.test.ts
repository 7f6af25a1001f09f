import { describe, expect, it } from "vitest";
import { removeUsersFromYaml } from "../../src/deprovision/yaml-edit.ts";

const remove = (text: string, ...ids: string[]) => removeUsersFromYaml(text, new Set(ids));

describe("removing users from a YAML workspace file", () => {
  it("removes the user entry with its lines and keeps every comment and other line byte for byte", () => {
    const before = [
      "# Acme's people. Keep sorted by name.",
      "version: 1",
      "users:",
      "  # Alice runs the account team",
      "  - id: u-alice      # since 2024",
      "    email: alice@acme.example",
      "    workspaceRole: owner",
      "  # Bob, contractor",
      "  - id: u-bob",
      "    email: bob@acme.example   # personal address, do not use",
      "    workspaceRole: user",
      "",
      "  - id: u-carol",
      "    email: 'carol@acme.example'",
      "    workspaceRole: \"admin\"",
      "# end of users",
      "",
    ].join("\n");
    const { text, removed } = remove(before, "u-bob");
    expect(text).toBe(
      [
        "# Acme's people. Keep sorted by name.",
        "version: 1",
        "users:",
        "  # Alice runs the account team",
        "  - id: u-alice      # since 2024",
        "    email: alice@acme.example",
        "    workspaceRole: owner",
        "  # Bob, contractor",
        "",
        "  - id: u-carol",
        "    email: 'carol@acme.example'",
        "    workspaceRole: \"admin\"",
        "# end of users",
        "",
      ].join("\n"),
    );
    expect(removed).toEqual({ users: 1, grants: 0, memberships: 0 });
  });

  it("removes grants and memberships in block and flow lists alike", () => {
    const before = `teams:
  - id: t-social   # IdP-managed
    oktaGroupId: 00gsocial
    members: [u-alice, u-bob,  u-carol]
  - id: t-agency
    members:
      - u-carol  # lead
      - u-bob
accounts:
  - id: a-contentzilla
    name: "Contentzilla"
    app: Instagram
    grants:
      - { user: u-alice, role: owner }
      - { user: u-bob, role: collaborator }   # temporary
      - { team: t-social, role: collaborator }
    okta: { extendedBy: u-alice, extendedAt: 2026-02-01T09:00:00Z }
  - id: a-x
    name: X
    app: X
    grants: [ { user: u-bob, role: owner }, { team: t-agency, role: owner } ]
`;
    const { text, removed } = remove(before, "u-bob");
    expect(text).toBe(`teams:
  - id: t-social   # IdP-managed
    oktaGroupId: 00gsocial
    members: [u-alice, u-carol]
  - id: t-agency
    members:
      - u-carol  # lead
accounts:
  - id: a-contentzilla
    name: "Contentzilla"
    app: Instagram
    grants:
      - { user: u-alice, role: owner }
      - { team: t-social, role: collaborator }
    okta: { extendedBy: u-alice, extendedAt: 2026-02-01T09:00:00Z }
  - id: a-x
    name: X
    app: X
    grants: [ { team: t-agency, role: owner } ]
`);
    expect(removed).toEqual({ users: 0, grants: 2, memberships: 2 });
  });

  it("turns a block list it empties into [] so that it does not become null", () => {
    const before = `users:
- id: u-bob
  email: bob@acme.example
  workspaceRole: user
teams:
- id: t-agency
  members:   # who works for the agency
  - u-bob
  name: Agency
accounts:
- id: a-x
  name: X
  app: X
  grants:
  - user: u-bob
    role: owner
`;
    const { text } = remove(before, "u-bob");
    expect(text).toBe(`users: []
teams:
- id: t-agency
  members: []   # who works for the agency
  name: Agency
accounts:
- id: a-x
  name: X
  app: X
  grants: []
`);
  });

  it("empties a flow list to []", () => {
    expect(remove("teams:\n  - id: t\n    members: [ u-bob ]\n", "u-bob").text).toBe("teams:\n  - id: t\n    members: []\n");
  });

  it("leaves a file that does not mention the users untouched, to the byte", () => {
    const before = "# nothing here\r\nusers:\r\n  - id: u-alice\r\n    email: a@acme.example\r\n    workspaceRole: owner\r\n";
    expect(remove(before, "u-bob")).toEqual({ text: before, removed: { users: 0, grants: 0, memberships: 0 } });
  });

  it("removes several users at once, including the last line of a file without a final newline", () => {
    const before = "users:\n  - id: u-a\n    email: a@x.example\n    workspaceRole: user\n  - id: u-b\n    email: b@x.example\n    workspaceRole: user\n  - id: u-c\n    email: c@x.example\n    workspaceRole: user";
    expect(remove(before, "u-a", "u-c").text).toBe("users:\n  - id: u-b\n    email: b@x.example\n    workspaceRole: user\n");
  });

  it("keeps users whose ID only looks alike", () => {
    const before = "users:\n  - id: u-bob2\n    email: b@x.example\n    workspaceRole: user\n";
    expect(remove(before, "u-bob").text).toBe(before);
  });
});
