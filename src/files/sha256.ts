// The SHA-256 of a file's bytes or of a text, as hex: what the project records
// to tell that a stack, a plan or a state is the one it read before.
import { createHash } from "node:crypto";

export function sha256Hex(content: Buffer | string): string {
  return createHash("sha256").update(content).digest("hex");
}
