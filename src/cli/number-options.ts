// Number flags: each checked as commander parses it, so that a wrong value is
// a usage error naming the flag, not a surprise later.
import { InvalidArgumentError } from "commander";

function parser(accepts: (value: number) => boolean, expected: string, prepare = (text: string) => text): (text: string) => number {
  return (text) => {
    const value = Number(prepare(text));
    if (text.trim() === "" || !accepts(value)) throw new InvalidArgumentError(`must be ${expected}`);
    return value;
  };
}

export const positiveInteger = parser((value) => Number.isInteger(value) && value >= 1, "a whole number of at least 1");
export const nonNegativeInteger = parser((value) => Number.isInteger(value) && value >= 0, "a whole number, 0 or more");
export const positiveNumber = parser((value) => Number.isFinite(value) && value > 0, "a number above 0");
export const nonNegativeNumber = parser((value) => Number.isFinite(value) && value >= 0, "a number of at least 0");
export const percent = parser((value) => Number.isFinite(value) && value >= 0 && value <= 100, "a percentage between 0 and 100", (text) => text.replace(/%$/, ""));
export const milliseconds = parser((value) => Number.isInteger(value) && value >= 0 && value <= 60_000, "a whole number of milliseconds, 0 to 60000");
