// Text as it is compared and shown: one sort order everywhere, and input text
// made safe to print on one terminal line.
import { escapeUnsafeCharacters } from "./characters.ts";

/** Code-unit order: stable across locales and machines, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * For messages only: control and invisible characters shown escaped, long
 * text cut. Accents, CJK and emoji stay as they are.
 */
export function printable(text: string, max = 80): string {
  return shorten(escapeUnsafeCharacters(JSON.stringify(text).slice(1, -1)), max);
}

/** At most `max` UTF-16 code units, the last of them `…` when cut. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in two: half a pair prints as garbage.
  const cut = /[\ud800-\udbff]/.test(text.charAt(max - 2)) ? max - 2 : max - 1;
  return `${text.slice(0, cut)}…`;
}
