// Whole numbers in messages, grouped by thousands ("10,000"). Written out
// rather than with toLocaleString("en-US"): the first call of that starts
// ICU's number formatting, about 10 ms of every CLI start that prints a count.

/** `n` with a comma between each group of three digits; a number that is not a safe integer is written as is. */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}
