// Properties of access-group names over arbitrary IDs the workspace format
// allows (workspace IDs of up to 100 letters, digits, '-' and '_'; account
// IDs of up to 200 UTF-16 units in any script): within the provider's 255
// bytes, whole characters, the full name whenever it fits, distinct for
// distinct IDs, the same on every run.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accessGroupName } from "../../src/stack/names.ts";
import { boundedAccessGroupName, MAX_GROUP_NAME_BYTES } from "../../src/stack/stack-data.ts";

const workspaceId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/);
/** Account IDs from ASCII, accented, CJK and astral (emoji) characters, cut to 200 UTF-16 units at a character boundary. */
const accountId = fc
  .array(fc.constantFrom("a", "-", "é", "ß", "日", "本", "\u{1F600}", "\u{20000}"), { minLength: 1, maxLength: 200 })
  .map((characters) => {
    let id = "";
    for (const character of characters) if (id.length + character.length <= 200) id += character;
    return id;
  });

describe("access-group names", () => {
  it("stay within 255 UTF-8 bytes, whole characters, and are the full name whenever it fits", () => {
    fc.assert(
      fc.property(workspaceId, accountId, (ws, account) => {
        const name = boundedAccessGroupName(ws, account);
        expect(Buffer.byteLength(name, "utf8")).toBeLessThanOrEqual(MAX_GROUP_NAME_BYTES);
        expect(name).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        const full = accessGroupName(ws, account);
        if (Buffer.byteLength(full, "utf8") <= MAX_GROUP_NAME_BYTES) expect(name).toBe(full);
        else expect(name).toMatch(/~[0-9a-f]{16}$/);
        expect(full.startsWith(name.replace(/~[0-9a-f]{16}$/, ""))).toBe(true);
        expect(boundedAccessGroupName(ws, account)).toBe(name);
      }),
      { numRuns: 300 },
    );
  });

  it("differ for different account IDs of one workspace", () => {
    fc.assert(
      fc.property(workspaceId, fc.uniqueArray(accountId, { minLength: 2, maxLength: 20 }), (ws, accounts) => {
        const names = accounts.map((account) => boundedAccessGroupName(ws, account));
        expect(new Set(names).size).toBe(names.length);
      }),
      { numRuns: 200 },
    );
  });
});
