import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Where the provider process that is running the current RPC logs: its own
 * stderr when it is a process of its own (main.ts), the connection to its
 * wrapper when a host serves it (host.ts). Set around each RPC (serve.ts), so
 * code deep in an RPC (retries, the governor) need not carry it.
 */
const sink = new AsyncLocalStorage<(line: string) => void>();

export function withLogSink<T>(write: (line: string) => void, fn: () => T): T {
  return sink.run(write, fn);
}

/** Provider logs go to stderr only: stdout carries the go-plugin handshake. */
export function log(...args: unknown[]): void {
  const line = `[okta-standin] ${args.map(String).join(" ")}\n`;
  const write = sink.getStore();
  if (write) write(line);
  else if (process.env.OKTA_STANDIN_QUIET !== "1") process.stderr.write(line);
}
