// Stopping a Terraform run: SIGINT to its process group (Terraform and its
// providers), and SIGKILL to the group when it has not stopped STOP_GRACE_MS
// later, with a message. Here a stand-in binary that ignores SIGINT, as a
// Terraform stuck in a provider call would, with a child like a provider.
import { existsSync, readFileSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../../harness/workspace-fixture.ts";
import { STOP_GRACE_MS, TerraformCli, terraformWasKilled } from "../../src/terraform/terraform.ts";

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A "terraform" that ignores SIGINT, with a child that does too (as a stuck
 * provider would), holding its output open; or, `stopsOnInterrupt`, one
 * that exits on SIGINT. `child.pid` names the child, or the process itself.
 */
async function standIn(stopsOnInterrupt: boolean): Promise<string> {
  const binary = path.join(dir, "terraform");
  const pidFile = JSON.stringify(path.join(dir, "child.pid"));
  await writeFile(
    binary,
    ["#!/bin/sh", ...(stopsOnInterrupt ? ["trap 'exit 1' INT", `echo $$ > ${pidFile}`, "while :; do sleep 0.1; done"] : ["trap '' INT", "sleep 60 &", `echo $! > ${pidFile}`, "wait"])].join("\n"),
  );
  await chmod(binary, 0o755);
  return binary;
}

async function started(): Promise<number> {
  const file = path.join(dir, "child.pid");
  while (!existsSync(file) || readFileSync(file, "utf8").trim() === "") await new Promise((resolve) => setTimeout(resolve, 20));
  return Number(readFileSync(file, "utf8").trim());
}

/** Starts `terraform init` with the stand-in, stops it once it runs; what it said, how it ended, and how long the stop took. */
async function stopRun(stopsOnInterrupt: boolean) {
  const controller = new AbortController();
  const messages: string[] = [];
  const terraform = new TerraformCli({ binary: await standIn(stopsOnInterrupt), signal: controller.signal, log: (message) => messages.push(message) });
  const run = terraform.init(dir).then(
    () => new Error("init was not stopped"),
    (error: unknown) => error as Error,
  );
  const child = await started();
  const stoppedAt = Date.now();
  controller.abort();
  const error = await run;
  return { messages, child, error, took: Date.now() - stoppedAt };
}

describe("stopping Terraform", () => {
  it("kills a Terraform that ignores SIGINT, with its children, STOP_GRACE_MS after the stop, and says so", async () => {
    const { messages, child, error, took } = await stopRun(false);
    expect(error.message).toMatch(/init was stopped/);
    expect(took).toBeGreaterThanOrEqual(STOP_GRACE_MS - 100);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/did not stop within 8 s of SIGINT: killed, with its providers/);
    expect(terraformWasKilled()).toBe(true);
    // The child (a provider) went with it: the whole process group was killed (SIGKILL lands at
    // once, but the kernel may take a moment to reap it on a busy machine: the test's timeout bounds the wait).
    while (alive(child)) await new Promise((resolve) => setTimeout(resolve, 20));
  }, 30_000);

  it("does not kill a Terraform that stops on SIGINT", async () => {
    const { messages, child, error, took } = await stopRun(true);
    expect(error.message).toMatch(/init was stopped/);
    expect(took).toBeLessThan(STOP_GRACE_MS);
    expect(messages).toEqual([]);
    expect(alive(child)).toBe(false);
  }, 30_000);

  it("does not start a run once stopping", async () => {
    const controller = new AbortController();
    controller.abort();
    const terraform = new TerraformCli({ binary: await standIn(true), signal: controller.signal });
    await expect(terraform.init(dir)).rejects.toThrow(/was not started: stopping/);
    expect(existsSync(path.join(dir, "child.pid"))).toBe(false);
  });
});
