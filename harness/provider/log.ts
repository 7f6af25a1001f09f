/** Provider logs go to stderr only: stdout carries the go-plugin handshake. */
export function log(...args: unknown[]): void {
  if (process.env.OKTA_STANDIN_QUIET === "1") return;
  process.stderr.write(`[okta-standin] ${args.map(String).join(" ")}\n`);
}
