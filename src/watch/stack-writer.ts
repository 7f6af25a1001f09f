// Writes the stacks of changed workspaces into `<out>/stacks/<id>/`, each one
// atomically: staged in a hidden folder beside it, then swapped in by rename.
// All stacks of a sync are staged before any is swapped in, so a stop during
// staging leaves every stack as it was; the swaps themselves are not
// interrupted (labels may be renumbered across stacks of one org: they go
// together).
//
// Files in a stack folder that synthesis does not produce (Terraform's
// `.terraform/`, its lock file, plan files) are carried over into the new
// folder, so `terraform init` need not run again after every change.
//
// `cdk.tf.json` depends only on the stack's ID and provider settings: what
// people type in Cerby lives in the data file (docs/design.md). So cdktf runs
// when a stack is new or its settings changed; otherwise the previous
// `cdk.tf.json` text is reused and only the data file is built. A test checks
// that the result is byte for byte what `synth` writes.
import { App } from "cdktf";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { OUT_MARKER, OUT_MARKER_TEXT } from "../stack/out-dir.ts";
import path from "node:path";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { buildStackData, STACK_DATA_FILE } from "../stack/stack-data.ts";
import { swapFolder } from "../files/swap-folder.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import { WorkspaceStack, type StackOptions } from "../stack/workspace-stack.ts";
import { TextIO } from "./text-io.ts";
import { compareText } from "../domain/labels.ts";

const STACK_FILE = "cdk.tf.json";
const MANIFEST_FILE = "manifest.json";
const STAGING = /^\.(.+)\.(staging|old)-[0-9]+-[0-9a-f]+$/;

export class SyncAborted extends Error {
  override name = "SyncAborted";
}

interface Template {
  readonly key: string;
  readonly text: string;
  readonly manifestEntry: unknown;
}

export class StackWriter {
  readonly outDir: string;
  readonly stacksDir: string;
  private readonly templates = new Map<string, Template>();
  private manifestVersion: string | undefined;
  private readonly io = new TextIO();

  constructor(
    outDir: string,
    private readonly stackOptions: StackOptions = {},
  ) {
    this.outDir = path.resolve(outDir);
    this.stacksDir = path.join(this.outDir, "stacks");
  }

  /** Cleans up after a crash: leftover staging folders go, a stack folder caught mid-swap comes back. */
  async recover(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.stacksDir);
    } catch {
      return;
    }
    const present = new Set(names);
    for (const name of names) {
      const match = STAGING.exec(name);
      if (!match) continue;
      const full = path.join(this.stacksDir, name);
      if (match[2] === "old" && !present.has(match[1]!)) {
        await rename(full, path.join(this.stacksDir, match[1]!));
        present.add(match[1]!);
      } else await rm(full, { recursive: true, force: true });
    }
  }

  /** Writes every given stack; throws SyncAborted (having written nothing) when `signal` fires before the swap. */
  async write(workspaces: readonly DesiredWorkspace[], signal: AbortSignal): Promise<void> {
    if (workspaces.length === 0) return;
    await mkdir(this.stacksDir, { recursive: true });
    await writeFile(path.join(this.outDir, OUT_MARKER), OUT_MARKER_TEXT);
    const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
    const staged: { id: string; staging: string }[] = [];
    try {
      const needSynth = workspaces.filter((workspace) => this.templates.get(workspace.id)?.key !== templateKey(workspace));
      if (needSynth.length > 0) await this.synthesize(needSynth, suffix, staged);
      for (const workspace of workspaces) {
        if (staged.some((stack) => stack.id === workspace.id)) continue;
        signal.throwIfAborted();
        const staging = path.join(this.stacksDir, `.${workspace.id}.staging-${suffix}`);
        staged.push({ id: workspace.id, staging });
        await mkdir(staging);
        await this.io.write(path.join(staging, STACK_FILE), this.templates.get(workspace.id)!.text);
        await this.io.write(path.join(staging, STACK_DATA_FILE), JSON.stringify(buildStackData(workspace, this.stackOptions.adoptions?.get(workspace.id))));
      }
      if (signal.aborted) throw new SyncAborted("stopped before the new output was swapped in");
    } catch (error) {
      await Promise.all(staged.map((stack) => rm(stack.staging, { recursive: true, force: true })));
      if (signal.aborted) throw new SyncAborted("stopped before the new output was swapped in", { cause: error });
      throw error;
    }
    // From here on, no interruption: every stack of this sync goes in.
    for (const stack of staged) await this.swapIn(stack.staging, path.join(this.stacksDir, stack.id), suffix);
    await this.updateManifest(workspaces.map((workspace) => workspace.id));
  }

  private async synthesize(workspaces: readonly DesiredWorkspace[], suffix: string, staged: { id: string; staging: string }[]): Promise<void> {
    const scratch = path.join(this.outDir, `.watch-synth-${suffix}`);
    try {
      const app = new App({ outdir: scratch });
      for (const workspace of workspaces) new WorkspaceStack(app, workspace, this.stackOptions);
      app.synth();
      const manifest = JSON.parse(await readFile(path.join(scratch, MANIFEST_FILE), "utf8")) as { stacks: Record<string, unknown>; version?: string };
      this.manifestVersion = manifest.version;
      for (const workspace of workspaces) {
        const staging = path.join(this.stacksDir, `.${workspace.id}.staging-${suffix}`);
        await rename(path.join(scratch, "stacks", workspace.id), staging);
        staged.push({ id: workspace.id, staging });
        const text = await readFile(path.join(staging, STACK_FILE), "utf8");
        this.templates.set(workspace.id, { key: templateKey(workspace), text, manifestEntry: manifest.stacks[workspace.id] });
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private async swapIn(staging: string, target: string, suffix: string): Promise<void> {
    // Carry over what Terraform keeps in the stack folder.
    await swapFolder(staging, target, path.join(path.dirname(target), `.${path.basename(target)}.old-${suffix}`), true);
  }

  /** Adds entries for new stacks to `<out>/manifest.json`; stacks kept in place keep theirs. */
  private async updateManifest(ids: readonly string[]): Promise<void> {
    const file = path.join(this.outDir, MANIFEST_FILE);
    let manifest: { stacks: Record<string, unknown>; version?: string };
    try {
      manifest = JSON.parse(await readFile(file, "utf8"));
      if (typeof manifest !== "object" || manifest === null || typeof manifest.stacks !== "object") throw new Error("unexpected manifest");
    } catch {
      manifest = { stacks: {} };
    }
    let changed = false;
    for (const id of ids) {
      const entry = this.templates.get(id)?.manifestEntry;
      if (entry !== undefined && JSON.stringify(manifest.stacks[id]) !== JSON.stringify(entry)) {
        manifest.stacks[id] = entry;
        changed = true;
      }
    }
    if (!changed) return;
    manifest.stacks = Object.fromEntries(Object.entries(manifest.stacks).sort(([a], [b]) => compareText(a, b)));
    manifest.version ??= this.manifestVersion;
    await writeFileAtomic(file, JSON.stringify(manifest, null, 2));
  }
}

function templateKey(workspace: DesiredWorkspace): string {
  return JSON.stringify([workspace.id, workspace.okta]);
}
