// Progress of long Terraform steps, from the `-json` events Terraform 1.11
// printed for a real plan, refresh and apply of a two-account stack
// (test/fixtures/terraform/*-events.jsonl, recorded against the stand-in provider).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEvent, progressKind, ProgressMeter, type ProgressKind } from "../../src/terraform/progress.ts";
import { TerraformCli } from "../../src/terraform/terraform.ts";

const fixture = (name: string) => path.join(import.meta.dirname, "../fixtures/terraform", `${name}-events.jsonl`);
const events = (name: string) =>
  readFileSync(fixture(name), "utf8")
    .split("\n")
    .map(parseEvent)
    .filter((event) => event !== undefined);
const kinds = (name: string) => events(name).map(progressKind).filter((kind): kind is ProgressKind => kind !== undefined);

describe("Terraform's -json events", () => {
  it("count each change planned, each resource read back and each change applied", () => {
    expect(kinds("plan")).toEqual(Array(8).fill("planned"));
    expect(kinds("refresh")).toEqual(Array(8).fill("read"));
    // An apply of a saved plan first lists its planned changes again.
    expect(kinds("apply")).toEqual([...Array(8).fill("planned"), ...Array(8).fill("applied")]);
  });

  it("ignore lines that are not events", () => {
    expect(parseEvent("Terraform used the selected providers")).toBeUndefined();
    expect(parseEvent("[1,2]")).toBeUndefined();
  });
});

describe("the progress meter", () => {
  function meter(options: { total?: number; step?: string } = {}) {
    let now = 1_000_000;
    const lines: string[] = [];
    const progress = new ProgressMeter({ prefix: "[2/8] ws-big-s001", step: options.step ?? "planning", log: (line) => lines.push(line), total: options.total, now: () => now });
    return { progress, lines, advance: (ms: number) => (now += ms) };
  }

  it("says at most one line per 5 s however many events come", () => {
    const { progress, lines, advance } = meter({ step: "applying", total: 1_412 });
    for (let index = 0; index < 1_412; index++) {
      advance(10); // 14 s in all
      progress.count("applied");
    }
    expect(lines).toEqual(["[2/8] ws-big-s001: applying, 5 s so far: 500/1,412 applied", "[2/8] ws-big-s001: applying, 10 s so far: 1,000/1,412 applied"]);
  });

  it("says the step still runs when Terraform is silent, then what it read and planned", () => {
    const { progress, lines, advance } = meter();
    advance(4_999);
    progress.tick();
    expect(lines).toEqual([]);
    advance(1);
    progress.tick();
    for (const event of [...events("refresh"), ...events("plan")]) progress.observe(event);
    advance(5_000);
    progress.tick();
    expect(lines).toEqual(["[2/8] ws-big-s001: planning, 5 s so far", "[2/8] ws-big-s001: planning, 10 s so far: 8 read back, 8 changes planned"]);
  });
});

describe("terraform plan -json", () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  /** A stand-in binary printing a recorded output and exiting as Terraform did. */
  function recorded(name: string, exitCode: number): string {
    const dir = mkdtempSync(path.join(tmpdir(), "cerby-okta-tf-events-"));
    folders.push(dir);
    const binary = path.join(dir, "terraform");
    writeFileSync(binary, `#!/bin/sh\ncat ${JSON.stringify(fixture(name))}\nexit ${exitCode}\n`);
    chmodSync(binary, 0o755);
    return binary;
  }

  it("reports each planned change as it streams, and the exit code's meaning", async () => {
    const seen: ProgressKind[] = [];
    const result = await new TerraformCli({ binary: recorded("plan", 2) }).plan(tmpdir(), { out: "p.tfplan", refresh: false, onProgress: (kind) => seen.push(kind) });
    expect(result).toEqual({ hasChanges: true });
    expect(seen).toEqual(Array(8).fill("planned"));
  });

  it("says when the plan's process has started, before any of its events", async () => {
    const seen: string[] = [];
    await new TerraformCli({ binary: recorded("plan", 2) }).plan(tmpdir(), { out: "p.tfplan", refresh: false, onProgress: (kind) => seen.push(kind), onStarted: () => seen.push("started") });
    expect(seen).toEqual(["started", ...Array(8).fill("planned")]);
  });

  it("fails with Terraform's error diagnostics, which -json prints as events", async () => {
    const plan = new TerraformCli({ binary: recorded("plan-error", 1) }).plan(tmpdir(), { out: "p.tfplan", refresh: false });
    await expect(plan).rejects.toThrow(/plan failed \(exit 1\):\nValue for undeclared variable: A variable named "nonexistent" was assigned on the command line/);
  });
});
