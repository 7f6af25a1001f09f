// printable() is how every message shows text from the input: whatever an
// account name holds, the terminal gets visible, inert characters.
import { describe, expect, it } from "vitest";
import { printable } from "../../src/text/printable.ts";

describe("printable", () => {
  it.each([
    ["C0 controls", "bell\u0007 esc\u001b[2J nul\u0000", "bell\\u0007 esc\\u001b[2J nul\\u0000"],
    ["DEL", "a\u007fb", "a\\u007fb"],
    ["C1 controls", "csi\u009b31m nel\u0085", "csi\\u009b31m nel\\u0085"],
    ["bidirectional overrides and isolates", "Promo\u202egnp.exe \u2066x\u2069", "Promo\\u202egnp.exe \\u2066x\\u2069"],
    ["bidirectional marks", "a\u200eb\u200fc\u061cd", "a\\u200eb\\u200fc\\u061cd"],
    ["invisible format characters", "zero\u200bwidth soft\u00adhyphen word\u2060joiner bom\ufeff", "zero\\u200bwidth soft\\u00adhyphen word\\u2060joiner bom\\ufeff"],
    ["line and paragraph separators", "a\u2028b\u2029c", "a\\u2028b\\u2029c"],
    ["tag characters outside a flag", "hidden\u{e0041}\u{e0042}", "hidden\\u{e0041}\\u{e0042}"],
    ["an unpaired surrogate", "half\ud800", "half\\ud800"],
    ["quotes and backslashes, as before", 'say "hi" \\o/', 'say \\"hi\\" \\\\o/'],
  ])("escapes %s", (_what, text, expected) => {
    expect(printable(text, 200)).toBe(expected);
  });

  it.each([
    "Café Crème",
    "世界 ソーシャル",
    "שלום مرحبا",
    "😀 👩\u200d💻 ❤\ufe0f",
    "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
    "می\u200cخواهم",
  ])("keeps %j as it is", (text) => {
    expect(printable(text, 200)).toBe(text);
  });

  it("cuts long text with an ellipsis, never inside a surrogate pair", () => {
    expect(printable("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    const cut = printable(`${"x".repeat(8)}😀😀😀`, 10);
    expect(cut).toBe(`${"x".repeat(8)}…`);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});
