import { randomBytes } from "node:crypto";

const BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A 20-character Okta-style id with the given prefix ("0oa" apps, "00g" groups, "00u" users...). */
export function oktaId(prefix: string): string {
  const bytes = randomBytes(20);
  let s = prefix;
  for (let i = 0; s.length < 20; i++) s += BASE62[bytes[i]! % 62];
  return s;
}

export const now = () => new Date().toISOString();
