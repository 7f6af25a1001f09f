import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { thousands } from "../../src/text/numbers.ts";

describe("thousands", () => {
  it("groups digits by three, as en-US does", () => {
    expect(thousands(0)).toBe("0");
    expect(thousands(999)).toBe("999");
    expect(thousands(1000)).toBe("1,000");
    expect(thousands(10_000)).toBe("10,000");
    expect(thousands(1_234_567)).toBe("1,234,567");
    expect(thousands(-1_234)).toBe("-1,234");
  });

  it("agrees with toLocaleString('en-US') on every safe integer", () => {
    fc.assert(fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -100_000, max: 100_000 })), (n) => thousands(n) === n.toLocaleString("en-US")));
  });

  it("writes what is not a safe integer as is", () => {
    expect(thousands(1.5)).toBe("1.5");
    expect(thousands(Number.NaN)).toBe("NaN");
  });
});
