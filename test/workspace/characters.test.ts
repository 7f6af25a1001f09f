// Control, bidirectional and invisible formatting characters in text that
// reaches Okta or a terminal are refused, each named with where it is;
// ordinary Unicode (accents, CJK, right-to-left scripts, emoji) is accepted
// and reaches Okta exactly as typed.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { computeDesiredState } from "../../src/domain/desired-state.ts";
import { describeCharacter, escapeUnsafeCharacters, findUnsafeCharacter } from "../../src/text/characters.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";
import { issuesFor, positionOf, removeWrittenWorkspaces, workspaceSettings, writeWorkspaces } from "../support/temp-workspaces.ts";
import { expectNoCrashText, runCli } from "./run-cli.ts";

afterAll(removeWrittenWorkspaces);

/** Refused characters, each with the name a message must give it. */
const REFUSED: readonly (readonly [string, string])[] = [
  ["\u0000", "U+0000 NULL"],
  ["\u0007", "U+0007 ALERT"],
  ["\t", "U+0009 CHARACTER TABULATION"],
  ["\n", "U+000A LINE FEED"],
  ["\u001b", "U+001B ESCAPE"],
  ["\u007f", "U+007F DELETE"],
  ["\u0085", "U+0085 NEXT LINE"],
  ["\u009b", "U+009B CONTROL SEQUENCE INTRODUCER"],
  ["\u061c", "U+061C ARABIC LETTER MARK"],
  ["\u200e", "U+200E LEFT-TO-RIGHT MARK"],
  ["\u200f", "U+200F RIGHT-TO-LEFT MARK"],
  ["\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"],
  ["\u202b", "U+202B RIGHT-TO-LEFT EMBEDDING"],
  ["\u202c", "U+202C POP DIRECTIONAL FORMATTING"],
  ["\u202d", "U+202D LEFT-TO-RIGHT OVERRIDE"],
  ["\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"],
  ["\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"],
  ["\u2067", "U+2067 RIGHT-TO-LEFT ISOLATE"],
  ["\u2068", "U+2068 FIRST STRONG ISOLATE"],
  ["\u2069", "U+2069 POP DIRECTIONAL ISOLATE"],
  ["\u00ad", "U+00AD SOFT HYPHEN"],
  ["\u200b", "U+200B ZERO WIDTH SPACE"],
  ["\u2060", "U+2060 WORD JOINER"],
  ["\u2028", "U+2028 LINE SEPARATOR"],
  ["\u2029", "U+2029 PARAGRAPH SEPARATOR"],
  ["\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE (byte-order mark)"],
  ["\u3164", "U+3164 HANGUL FILLER"],
  ["\ufff9", "U+FFF9 INTERLINEAR ANNOTATION ANCHOR"],
  ["\ufffd", "U+FFFD REPLACEMENT CHARACTER"],
  ["\uffff", "U+FFFF (a noncharacter)"],
  ["\ud800", "U+D800 (half of a surrogate pair, alone: not a character)"],
  ["\u{e0041}", "U+E0041 (an invisible tag character)"],
  ["\u{1d173}", "U+1D173 (an invisible formatting character)"],
];

/** Text people type, which must pass untouched. */
const ACCEPTED = [
  "Café Crème",
  "e\u0301", // e and a combining accent
  "世界 ソーシャル 소셜",
  "שלום עולם",
  "مرحبا بالعالم",
  "می\u200cخواهم", // Persian needs the zero-width non-joiner
  "क्\u200dष", // Devanagari with a zero-width joiner
  "😀 🎉",
  "👩\u200d💻 dev team", // an emoji sequence joined by ZWJ
  "❤\ufe0f love", // emoji presentation selector
  "\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f} England", // a flag made of tag characters
  "葛\u{e0100}飾", // an ideographic variation sequence
  "\u0600\u0661\u0662", // Arabic number sign: a visible format character
];

describe("findUnsafeCharacter", () => {
  it.each(REFUSED)("refuses %j as %s, at its position in characters", (character, name) => {
    const found = findUnsafeCharacter(`Promo😀${character}x`);
    expect(found).toBeDefined();
    expect(describeCharacter(found!.codePoint)).toBe(name);
    expect(found!.position).toBe(7); // P-r-o-m-o, the emoji counts as one
  });

  it.each(ACCEPTED)("accepts %j", (text) => {
    expect(findUnsafeCharacter(text)).toBeUndefined();
    expect(escapeUnsafeCharacters(text)).toBe(text);
  });

  it("refuses tag characters outside an emoji flag, and a flag left open", () => {
    expect(findUnsafeCharacter("a\u{e0067}\u{e0062}\u{e007f}")).toMatchObject({ codePoint: 0xe0067, position: 2 });
    expect(findUnsafeCharacter("\u{1f3f4}\u{e0067}\u{e0062}")).toMatchObject({ codePoint: 0xe0067, position: 2 });
    expect(findUnsafeCharacter("\u{1f3f4}\u{e0067}\u{e007f}\u{e0041}")).toMatchObject({ codePoint: 0xe0041, position: 4 });
  });

  it("escapes every refused character for messages, and nothing else", () => {
    expect(escapeUnsafeCharacters("a\u202eb\u0085c\u{e0041}d\ud800é")).toBe("a\\u202eb\\u0085c\\u{e0041}d\\ud800é");
  });
});

const SETTINGS = workspaceSettings("ws-test", { withAlice: false });

describe("workspace text with refused characters", () => {
  it("names the character, its position, the file, line, column and field, for every field that reaches Okta or a terminal", async () => {
    const text = [
      "version: 1",
      "workspace:",
      "  id: ws-test",
      "  name: Team\u2067 A",
      "  extendedAccountAccess: true",
      "  okta: { orgName: acme, baseUrl: okta.com }",
      '  loginUrl: "https://acme.example/{accountId}\u202e"',
      "users:",
      "  - { id: u-alice, email: alice\u200b@example.com, workspaceRole: owner }",
      "  - { id: u-\u200dbob, email: bob@example.com, workspaceRole: user, oktaUserId: 00u\u00ad1 }",
      "teams:",
      "  - { id: t-1, name: \"Social\\x9b31m\", oktaGroupId: 00g1, members: [u-alice] }",
      "accounts:",
      "  - id: a-1",
      "    name: Prom\u202eexe.pdf",
      '    app: "Insta\\u007fgram"',
      "    grants: [{ user: u-alice, role: owner }]",
      "    okta: { extendedBy: u-alice, extendedAt: 2026-01-01T00:00:00Z }",
      "",
    ].join("\n");
    const { root, issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    const file = path.join(root, "ws", "workspace.yaml");
    const at = (needle: string, fieldPath: string, what: string) => ({ file, ...positionOf(text, needle), path: fieldPath, message: expect.stringContaining(`contains ${what}:`) });
    expect(issues).toEqual([
      at("name: Team", "workspace.name", "U+2067 RIGHT-TO-LEFT ISOLATE at position 5"),
      at("loginUrl", "workspace.loginUrl", "U+202E RIGHT-TO-LEFT OVERRIDE at position 33"),
      at("email: alice", "users[0].email", "U+200B ZERO WIDTH SPACE at position 6"),
      at("oktaUserId", "users[1].oktaUserId", "U+00AD SOFT HYPHEN at position 4"),
      at("name: \"Social", "teams[0].name", "U+009B CONTROL SEQUENCE INTRODUCER at position 7"),
      at("name: Prom", "accounts[0].name", "U+202E RIGHT-TO-LEFT OVERRIDE at position 5"),
      at("app:", "accounts[0].app", "U+007F DELETE at position 6"),
    ]);
    // A joiner inside an ID is allowed (emoji need it); IDs still may not hold white space.
  });

  it("refuses raw C1 controls in JSON too", async () => {
    const json = JSON.stringify({ version: 1, workspace: { id: "ws-j", name: "J\u0085", okta: { orgName: "acme", baseUrl: "okta.com" } } });
    const { issues } = await issuesFor({ ws: { "snapshot.json": json } });
    expect(issues).toEqual([expect.objectContaining({ line: 1, path: "workspace.name", message: expect.stringContaining("contains U+0085 NEXT LINE at position 2") })]);
  });

  it("shows unknown field names with their invisible characters escaped", async () => {
    const text = `${SETTINGS}accounts:\n  - { id: a-1, name: A, app: X, "gra\u202ents": [] }\n`;
    const { issues } = await issuesFor({ ws: { "workspace.yaml": text } });
    expect(issues).toEqual([expect.objectContaining({ path: "accounts[0].gra\\u202ents", message: "unknown field; did you mean grants?" })]);
  });

  it("prints a clean message and exits 1 from cerby-okta validate; the raw character never reaches the terminal", async () => {
    const text = `${SETTINGS}users:\n  - { id: u-a, email: a@example.com, workspaceRole: owner }\naccounts:\n  - { id: a-1, name: "Promo\u202egnp.exe", app: "X\u009b2J", grants: [{ user: u-a, role: owner }] }\n`;
    const root = await writeWorkspaces({ ws: { "workspace.yaml": text } });
    const run = await runCli(["validate", "--workspaces", root], { cwd: root });
    expectNoCrashText(run.stderr);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`ws/workspace.yaml:${positionOf(text, "name: \"Promo").line}:`);
    expect(run.stderr).toContain("accounts[0].name: contains U+202E RIGHT-TO-LEFT OVERRIDE at position 6");
    expect(run.stderr).toContain("accounts[0].app: contains U+009B CONTROL SEQUENCE INTRODUCER at position 2");
    expect(run.stderr).not.toMatch(/[\u202e\u009b]/);
  });
});

describe("ordinary Unicode", () => {
  it("is accepted everywhere and reaches the preview document exactly as typed", async () => {
    const accounts = ACCEPTED.map((name, index) => ({
      id: `a-${index}`,
      name,
      app: "Инстаграм",
      grants: [{ user: "u-zoë", role: "owner" }],
      okta: { extendedBy: "u-zoë", extendedAt: "2026-01-01T00:00:00Z" },
    }));
    const workspace = {
      version: 1,
      workspace: { id: "ws-unicode", name: "Ünïcödé 世界 👩\u200d💻", extendedAccountAccess: true, okta: { orgName: "acme", baseUrl: "okta.com" } },
      users: [{ id: "u-zoë", email: "zoë@exämple.com", workspaceRole: "owner" }],
      teams: [{ id: "t-😀", name: "Équipe 🎉", members: ["u-zoë"] }],
      accounts,
    };
    const root = await writeWorkspaces({ ws: { "snapshot.json": JSON.stringify(workspace) } });
    const [loaded] = await loadWorkspaces(root);
    expect(loaded!.settings.name).toBe(workspace.workspace.name);

    const run = await runCli(["preview", "--json", "--workspaces", root], { cwd: root });
    expectNoCrashText(run.stderr);
    expect(run.exitCode).toBe(0);
    const labels = JSON.parse(run.stdout).workspaces[0].chiclets.map((chiclet: { label: string }) => chiclet.label);
    expect(labels.sort()).toEqual(ACCEPTED.map((name) => `${name} - Инстаграм`).sort());
    expect(computeDesiredState([loaded!]).workspaces[0]!.chiclets).toHaveLength(ACCEPTED.length);
  });
});
