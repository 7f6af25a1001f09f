// Runs the real `cerby-okta` in a fresh process, as a user would, and measures
// what a user would notice: exit status, output, wall time and peak memory.
import { execa } from "execa";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const repo = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repo, "bin", "cerby-okta.js");
const peakRss = path.join(repo, "bench", "peak-rss.mjs");

export interface CliRun {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  readonly peakMegabytes: number;
}

export interface RunOptions {
  readonly cwd: string;
  /** Run as this user and group (only root may), e.g. to meet permissions that root ignores. */
  readonly uid?: number;
  readonly gid?: number;
}

export async function runCli(args: readonly string[], options: RunOptions): Promise<CliRun> {
  const scratch = await mkdtemp(path.join(tmpdir(), "cerby-okta-rss-"));
  const rssFile = path.join(scratch, "rss");
  if (options.uid !== undefined) await chmod(scratch, 0o777); // the other user writes its peak memory here
  try {
    const started = performance.now();
    const result = await execa("node", ["--import", peakRss, bin, ...args], {
      cwd: options.cwd,
      reject: false,
      env: { CI: "true", CERBY_OKTA_BENCH_RSS_FILE: rssFile },
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
      timeout: 120_000,
    });
    const seconds = (performance.now() - started) / 1000;
    const kilobytes = Number((await readFile(rssFile, "utf8").catch(() => "0")).trim().split("\n").pop());
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr), seconds, peakMegabytes: kilobytes / 1024 };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** What a user must never see for bad input: a bug report request or a stack trace. */
export function expectNoCrashText(stderr: string): void {
  if (/internal error/i.test(stderr) || /^\s+at .+:\d+:\d+\)?$/m.test(stderr) || /RangeError|ReferenceError|heap out of memory/.test(stderr)) {
    throw new Error(`the CLI crashed instead of reporting the input:\n${stderr}`);
  }
}
