// A workspace whose every name tries to break what shows it: HTML comments and
// tags, Markdown table and code delimiters, Terraform templates, very long
// names. Control characters are refused on input, so they reach a reader only
// from Okta (a label edited there): see HOSTILE_OKTA_LABEL.

export const HOSTILE_TEAM = "</details><script>alert('team')</script> | ${team} `x`";
export const HOSTILE_NAMES = {
  comment: "<!-- Comment",
  details: '</details> ${file("/etc/passwd")} %{ if true }x%{ endif }',
  backticks: "```fence``` `code` \\o/ \"quoted\"",
  script: "<script>alert('account')</script> <img src=x onerror=alert(1)>",
  long: `Long ${"é-🦊|".repeat(60)}end`,
  refused: "--> refused <b>bold</b>",
  renamed: "Renamed ${var.x} | <!-- `y`",
} as const;
export const HOSTILE_APP = "Tik|Tok -->";
/** What an Okta admin typed over a chiclet's label: control characters, a bidi override, an HTML comment. */
export const HOSTILE_OKTA_LABEL = "Edited\u001b[2J in <!-- Okta \u202e|";

/** Logins (emails) and IDs as hostile as the schema lets them be. */
export const HOSTILE_PEOPLE = {
  owner: { id: "u-owner", email: "owner@acme.example" },
  script: { id: "u-<script>", email: "<script>alert('login')</script>@evil.example" },
  pipe: { id: "u-a|b", email: "a|b`c`@evil.example" },
  comment: { id: "u-<!--", email: "c-->@evil.example" },
  details: { id: "u-</details>", email: "${x}%{y}@evil.example" },
} as const;

/**
 * The workspace as a JSON file's text: users, an IdP team, five extended
 * accounts and one refused. `changed`: the same a pull request later, where
 * one person loses a chiclet, another gains one, an account is renamed and
 * gains the IdP team, and one is taken out of Okta (R10).
 */
export function hostileWorkspace(options: { changed?: boolean } = {}): string {
  const changed = options.changed ?? false;
  const people = Object.values(HOSTILE_PEOPLE);
  const users = people.map((person, index) => ({
    id: person.id,
    email: person.email,
    oktaUserId: `00u1hostile${index}`,
    workspaceRole: person === HOSTILE_PEOPLE.owner ? "owner" : "user",
  }));
  const owner = HOSTILE_PEOPLE.owner.id;
  const extended = (id: string, name: string, grants: object[], app = "Instagram") => ({
    id,
    name,
    app,
    grants: [{ user: owner, role: "owner" }, ...grants],
    okta: { extendedBy: owner, extendedAt: `2026-02-0${(id.length % 9) + 1}T09:00:00Z` },
  });
  const taken = (account: ReturnType<typeof extended>) => ({ ...account, okta: undefined });
  return JSON.stringify(
    {
      version: 1,
      workspace: { id: "ws-hostile", name: "Hostile <!-- workspace", extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
      users,
      teams: [{ id: "t-<b>", name: HOSTILE_TEAM, oktaGroupId: "00g1hostile", members: [owner] }],
      accounts: [
        extended("a-<!--", HOSTILE_NAMES.comment, [
          { user: HOSTILE_PEOPLE.script.id, role: "collaborator" },
          ...(changed ? [] : [{ user: HOSTILE_PEOPLE.pipe.id, role: "collaborator" }]),
        ]),
        extended(
          "a-</details>",
          HOSTILE_NAMES.details,
          [{ team: "t-<b>", role: "collaborator" }, ...(changed ? [{ user: HOSTILE_PEOPLE.comment.id, role: "collaborator" }] : [])],
          HOSTILE_APP,
        ),
        extended("a-`tick`", changed ? HOSTILE_NAMES.renamed : HOSTILE_NAMES.backticks, changed ? [{ team: "t-<b>", role: "collaborator" }, { user: HOSTILE_PEOPLE.script.id, role: "collaborator" }] : []),
        (changed ? taken : (account: ReturnType<typeof extended>) => account)(
          extended("a-<script>", HOSTILE_NAMES.script, [{ user: HOSTILE_PEOPLE.details.id, role: "collaborator" }]),
        ),
        extended("a-long", HOSTILE_NAMES.long, []),
        {
          id: "a-refused|",
          name: HOSTILE_NAMES.refused,
          app: "Instagram",
          grants: [{ user: HOSTILE_PEOPLE.details.id, role: "collaborator" }],
          okta: { extendedBy: HOSTILE_PEOPLE.details.id, extendedAt: "2026-02-01T09:00:00Z" },
        },
      ],
    },
    null,
    2,
  );
}
