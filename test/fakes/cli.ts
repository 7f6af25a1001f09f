// Runs one cerby-okta command in-process, as the CLI would, capturing its
// output. Waits go through a clock that runs 10,000 times faster.
import { randomBytes } from "node:crypto";
import { Command } from "commander";
import { vi } from "vitest";
import { scaledClock } from "../../src/http/http-client.ts";
import { runCli } from "../../src/cli/run.ts";
import type { CommandDeps } from "../../src/cli/commands/snapshot.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

type Register = (program: Command, deps: CommandDeps) => void;

/**
 * `fetch` replaces the network for failures a local server cannot stage
 * (a host DNS does not know): tests never reach beyond 127.0.0.1.
 */
export async function runCommand(register: Register, args: string[], env: NodeJS.ProcessEnv, timeScale = 0.0001, fetch?: typeof globalThis.fetch): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  // runCli itself reports errors on process.stderr.
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command("cerby-okta");
  register(program, {
    env,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    clock: scaledClock(timeScale),
    fetch,
  });
  const started = Date.now();
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await runCli(program, ["node", "cerby-okta", ...args]);
    return { code, stdout, stderr, ms: Date.now() - started };
  } finally {
    process.exitCode = saved;
    spy.mockRestore();
  }
}

/** A fresh random credential per run: tests must never hold a real-looking secret. */
export function randomSecret(prefix = ""): string {
  return `${prefix}${randomBytes(18).toString("base64url")}`;
}
