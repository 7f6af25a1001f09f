// Writes stacks into `<out>/stacks/<id>/`: `cdk.tf.json` from cdktf, and the
// data file. The one writer for `synth`, `plan`, the watcher and the cdktf
// entry point alike.
//
// - Only a folder it made (or an empty one) is written into; see out-dir.ts.
// - Each stack is staged in a hidden folder beside its target, and all stacks
//   of a write are staged before any is swapped in by rename: a failure or a
//   stop before the swaps changes nothing, and each stack folder is always
//   whole. Files the new folder lacks (Terraform's `.terraform/`, its lock
//   file) move over from the old one, so no new `terraform init` is needed.
// - `cdk.tf.json` depends only on the stack's ID, its Okta settings and the
//   state backend: what people type in Cerby lives in the data file. So cdktf
//   runs for a stack the first time and when those change; otherwise the text
//   it made is reused and only the data file is written (the template cache).
//   A stack whose configuration and data are what this synthesizer last wrote
//   is not written at all. With `reuseOnDisk` (one-shot commands), what an
//   earlier run wrote counts too: each stack folder keeps a record of what its
//   cdk.tf.json was made from and its hash, so an unchanged stack of a large
//   sharded workspace costs two file reads, not cdktf (docs/benchmarks.md).
// - A stack whose backend changed since its folder was initialized is refused
//   before anything is swapped (its state must be moved first: migrate-state).
import { sha256Hex } from "../files/sha256.ts";
import { ensureFolder } from "../files/ensure-folder.ts";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DesiredWorkspace } from "../domain/desired-state.ts";
import { BackendChangedError, SyncAborted, UsageError } from "../errors.ts";
import { swapFolder } from "../files/swap-folder.ts";
import { TextWriter } from "../files/text-writer.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import { compareText } from "../text/printable.ts";
import { STACK_DATA_FILE, STACK_TEMPLATE_VERSION } from "./names.ts";
import { DEFAULT_OKTA_PROVIDER_VERSION } from "../config/okta-provider-version.ts";
import { checkOutDir, OUT_MARKER, OUT_MARKER_TEXT, type ProtectedPaths } from "./out-dir.ts";
import { buildStackData, NO_ADOPTION, NO_FINDINGS, workspaceIdOf } from "./stack-data.ts";
import type { StackOptions } from "./workspace-stack.ts";

const STACK_FILE = "cdk.tf.json";
const MANIFEST_FILE = "manifest.json";
/** Beside each stack's files: what its cdk.tf.json was made from (`key`) and its SHA-256. Not a `.tf.json`: Terraform ignores it. */
const TEMPLATE_RECORD = ".cerby-okta-template.json";
const STAGING = /^\.(.+)\.(staging|old)-[0-9]+-[0-9a-f]+$/;

export interface SynthesizerOptions {
  readonly outDir: string;
  readonly stackOptions?: StackOptions;
  readonly protectedPaths?: ProtectedPaths;
  /** Let a stack's backend differ from the one its folder was initialized with (`migrate-state` only). */
  readonly allowBackendChange?: boolean;
  /** Count the stack folders already on disk as written, when their record and files are intact (one-shot commands; the watcher writes every stack once). */
  readonly reuseOnDisk?: boolean;
}

export interface WriteOptions {
  /** Remove the stack folders of every other workspace: the output then holds exactly these stacks. */
  readonly prune: boolean;
  /** Stops the write before anything is swapped in (SyncAborted). */
  readonly signal?: AbortSignal;
}

interface Written {
  readonly templateKey: string;
  readonly template: string;
  readonly manifestEntry: unknown;
  readonly data: string;
}

interface Staged {
  readonly id: string;
  readonly staging: string;
  readonly written: Written;
}

export class StackSynthesizer {
  readonly outDir: string;
  readonly stacksDir: string;
  private readonly stackOptions: StackOptions;
  private readonly written = new Map<string, Written>();
  private readonly writer = new TextWriter();
  private manifestVersion: string | undefined;
  private checked = false;
  private loadedFromDisk = false;

  constructor(private readonly options: SynthesizerOptions) {
    this.outDir = path.resolve(options.outDir);
    this.stacksDir = path.join(this.outDir, "stacks");
    this.stackOptions = options.stackOptions ?? {};
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

  /** Writes the stacks that changed; returns their IDs. Workspaces whose switch is off get no stack (R1). */
  async write(workspaces: readonly DesiredWorkspace[], options: WriteOptions): Promise<string[]> {
    if (!this.checked) {
      await checkOutDir(this.outDir, this.options.protectedPaths ?? { keep: [] });
      this.checked = true;
    }
    const synced = workspaces.filter((workspace) => workspace.synced);
    if (this.options.reuseOnDisk && !this.loadedFromDisk) {
      await this.loadFromDisk(synced.map((workspace) => workspace.id));
      this.loadedFromDisk = true;
    }
    const changed = synced
      .map((workspace) => ({ workspace, key: templateKey(workspace, this.stackOptions), data: this.dataOf(workspace) }))
      .filter(({ workspace, key, data }) => {
        const last = this.written.get(workspace.id);
        return !last || last.templateKey !== key || last.data !== data;
      });
    const pruned = options.prune ? await this.stacksOtherThan(new Set(synced.map((workspace) => workspace.id))) : [];
    if (changed.length === 0 && pruned.length === 0) return [];

    await ensureFolder(this.stacksDir);
    await writeFile(path.join(this.outDir, OUT_MARKER), OUT_MARKER_TEXT);
    const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
    const staged: Staged[] = [];
    try {
      const needTemplate = changed.filter(({ workspace, key }) => this.written.get(workspace.id)?.templateKey !== key);
      if (needTemplate.length > 0) staged.push(...(await this.synthesize(needTemplate, suffix)));
      for (const { workspace, key, data } of changed) {
        if (staged.some((stack) => stack.id === workspace.id)) continue;
        options.signal?.throwIfAborted();
        const last = this.written.get(workspace.id)!;
        const staging = path.join(this.stacksDir, `.${workspace.id}.staging-${suffix}`);
        staged.push({ id: workspace.id, staging, written: { ...last, templateKey: key, data } });
        await mkdir(staging);
        await this.writer.write(path.join(staging, STACK_FILE), last.template);
        await this.writer.write(path.join(staging, STACK_DATA_FILE), data);
        await this.writer.write(path.join(staging, TEMPLATE_RECORD), templateRecord(key, last.template));
      }
      if (!this.options.allowBackendChange) await this.refuseBackendChanges(staged);
      if (options.signal?.aborted) throw new SyncAborted("stopped before the new output was swapped in");
    } catch (error) {
      await Promise.all(staged.map((stack) => rm(stack.staging, { recursive: true, force: true })));
      if (options.signal?.aborted) throw new SyncAborted("stopped before the new output was swapped in", { cause: error });
      throw error;
    }
    // From here on, no interruption: every stack of this write goes in.
    for (const stack of staged) {
      const target = path.join(this.stacksDir, stack.id);
      await dropLockOfOtherRelease(target, stack.written.template);
      await swapFolder(stack.staging, target, path.join(this.stacksDir, `.${stack.id}.old-${suffix}`), true);
      this.written.set(stack.id, stack.written);
    }
    for (const id of pruned) {
      await rm(path.join(this.stacksDir, id), { recursive: true, force: true });
      this.written.delete(id);
    }
    await this.updateManifest(staged, pruned);
    return staged.map((stack) => stack.id).sort(compareText);
  }

  /** The stacks an earlier run wrote, taken as written when their record, template and manifest entry agree. */
  private async loadFromDisk(ids: readonly string[]): Promise<void> {
    let manifest: { stacks?: Record<string, unknown>; version?: string };
    try {
      manifest = JSON.parse(await readFile(path.join(this.outDir, MANIFEST_FILE), "utf8"));
    } catch {
      return; // no manifest: every stack is written
    }
    const entries = manifest.stacks;
    if (typeof entries !== "object" || entries === null) return;
    await Promise.all(
      ids.map(async (id) => {
        if (this.written.has(id) || !Object.hasOwn(entries, id)) return;
        const folder = path.join(this.stacksDir, id);
        try {
          const [recordText, template, data] = await Promise.all([
            readFile(path.join(folder, TEMPLATE_RECORD), "utf8"),
            readFile(path.join(folder, STACK_FILE), "utf8"),
            readFile(path.join(folder, STACK_DATA_FILE), "utf8"),
          ]);
          const record = JSON.parse(recordText) as { key?: unknown; sha256?: unknown };
          if (typeof record.key !== "string" || record.sha256 !== sha256Hex(template)) return; // edited by hand, or from an older version
          this.written.set(id, { templateKey: record.key, template, manifestEntry: entries[id], data });
        } catch {
          // Missing or unreadable: the stack is written again.
        }
      }),
    );
    this.manifestVersion ??= manifest.version;
  }

  private dataOf(workspace: DesiredWorkspace): string {
    return JSON.stringify(
      buildStackData(workspace, this.stackOptions.adoptions?.get(workspace.id) ?? NO_ADOPTION, this.stackOptions.findings?.get(workspaceIdOf(workspace)) ?? NO_FINDINGS),
    );
  }

  /** Stack folders on disk that are not in `keep` (never the hidden staging ones). */
  private async stacksOtherThan(keep: ReadonlySet<string>): Promise<string[]> {
    try {
      return (await readdir(this.stacksDir)).filter((name) => !name.startsWith(".") && !keep.has(name));
    } catch {
      return [];
    }
  }

  /**
   * cdktf for the stacks whose template is not cached, each written to its
   * staging folder. Stacks that differ only in their ID (the shards of a
   * workspace, workspaces of one org with the same settings) share a shape:
   * cdktf builds one stack per shape under a placeholder ID, and each stack's
   * files are that output with the placeholder replaced by its ID, byte for
   * byte what cdktf writes for it (test/stack/synthesizer.test.ts compares
   * them). 128 shards cost one cdktf stack instead of 128 (docs/design.md).
   */
  private async synthesize(stacks: readonly { workspace: DesiredWorkspace; key: string; data: string }[], suffix: string): Promise<Staged[]> {
    const scratch = path.join(this.outDir, `.synth-${suffix}`);
    const staged: Staged[] = [];
    const shapes = shapesOf(stacks, this.stackOptions);
    try {
      try {
        await withoutSourceMaps(async () => {
          // cdktf takes a while to load: only when a template is not cached. Its modules create tokens as they load.
          const { App, WorkspaceStack } = await import("./workspace-stack.ts");
          // skipValidation: cdktf's validations are a provider-presence check (the stack declares its one provider)
          // and `$TERRAFORM_BINARY_NAME version` (else `terraform version`) run by a shell for each `terraform_data`
          // (3 processes per stack, 384 for 128 shards), whatever --terraform-binary or terraformBinary name: a
          // machine with only `tofu` failed there. The binary a run uses is checked once, before its first command
          // (src/terraform/version.ts).
          const app = new App({ outdir: scratch, skipValidation: true });
          for (const { templateId, stacks: [first] } of shapes) new WorkspaceStack(app, { ...first!.workspace, id: templateId }, this.stackOptions, "{}");
          app.synth();
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EACCES" || code === "ENOENT" || code === "EROFS" || code === "ENOTDIR" || code === "EPERM") {
          throw new UsageError(`cannot write the stacks into ${this.outDir}: ${(error as Error).message}`, { cause: error });
        }
        throw error;
      }
      const manifest = JSON.parse(await readFile(path.join(scratch, MANIFEST_FILE), "utf8")) as { stacks: Record<string, unknown>; version?: string };
      this.manifestVersion = manifest.version;
      for (const shape of shapes) {
        const folder = path.join(scratch, "stacks", shape.templateId);
        const names = (await readdir(folder)).filter((name) => name !== STACK_DATA_FILE);
        const texts = await Promise.all(names.map((name) => readFile(path.join(folder, name), "utf8")));
        const entry = JSON.stringify(manifest.stacks[shape.templateId]);
        for (const { workspace, key, data } of shape.stacks) {
          const own = (text: string) => text.replaceAll(shape.templateId, workspace.id);
          const staging = path.join(this.stacksDir, `.${workspace.id}.staging-${suffix}`);
          const template = own(texts[names.indexOf(STACK_FILE)]!);
          staged.push({ id: workspace.id, staging, written: { templateKey: key, template, manifestEntry: JSON.parse(own(entry)), data } });
          await mkdir(staging);
          for (const [index, name] of names.entries()) await this.writer.write(path.join(staging, name), own(texts[index]!));
          await this.writer.write(path.join(staging, STACK_DATA_FILE), data);
          await this.writer.write(path.join(staging, TEMPLATE_RECORD), templateRecord(key, template));
        }
      }
      return staged;
    } catch (error) {
      await Promise.all(staged.map((stack) => rm(stack.staging, { recursive: true, force: true })));
      throw error;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** A stack whose backend settings differ from those its folder was initialized with is not swapped in. */
  private async refuseBackendChanges(staged: readonly Staged[]): Promise<void> {
    const changed: string[] = [];
    for (const stack of staged) {
      let recorded: { backend?: { type?: string; config?: Record<string, unknown> } };
      try {
        recorded = JSON.parse(await readFile(path.join(this.stacksDir, stack.id, ".terraform", "terraform.tfstate"), "utf8"));
      } catch {
        continue; // never initialized: no state to move
      }
      const config = JSON.parse(stack.written.template) as { terraform?: { backend?: Record<string, Record<string, unknown>> } };
      const [type, settings] = Object.entries(config.terraform?.backend ?? { local: {} })[0] ?? ["local", {}];
      const same = recorded.backend?.type === type && Object.entries(settings).every(([key, value]) => JSON.stringify(recorded.backend?.config?.[key]) === JSON.stringify(value));
      if (!same) changed.push(stack.id);
    }
    if (changed.length > 0) throw new BackendChangedError(`stacks with a new backend: ${changed.join(", ")}`);
  }

  /** cdktf's `<out>/manifest.json` (what `cdktf deploy` reads): the entries of the stacks written, none of those pruned. */
  private async updateManifest(staged: readonly Staged[], pruned: readonly string[]): Promise<void> {
    const file = path.join(this.outDir, MANIFEST_FILE);
    let manifest: { stacks: Record<string, unknown>; version?: string };
    try {
      manifest = JSON.parse(await readFile(file, "utf8"));
      if (typeof manifest !== "object" || manifest === null || typeof manifest.stacks !== "object") throw new Error("unexpected manifest");
    } catch {
      manifest = { stacks: {} };
    }
    for (const stack of staged) manifest.stacks[stack.id] = stack.written.manifestEntry;
    for (const id of pruned) delete manifest.stacks[id];
    manifest.stacks = Object.fromEntries(Object.entries(manifest.stacks).sort(([a], [b]) => compareText(a, b)));
    manifest.version ??= this.manifestVersion;
    await writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

/** What `cdk.tf.json` depends on: the stack's ID, its Okta settings, the backend, the okta/okta release, and the code that writes it. */
function templateKey(workspace: DesiredWorkspace, options: StackOptions): string {
  return JSON.stringify([STACK_TEMPLATE_VERSION, workspace.id, workspace.okta, options.backend ?? null, options.projectDir ?? null, options.oktaProviderVersion ?? DEFAULT_OKTA_PROVIDER_VERSION]);
}

/**
 * Terraform's lock file pins the okta/okta release the folder was initialized
 * with; once `oktaProvider.version` names another, `terraform init` refuses
 * it ("locked provider … does not match configured version constraint").
 * Such a lock file is not carried over: the next init selects the release the
 * stack asks for and locks that one.
 */
async function dropLockOfOtherRelease(stackFolder: string, template: string): Promise<void> {
  const lockFile = path.join(stackFolder, ".terraform.lock.hcl");
  const lock = await readFile(lockFile, "utf8").catch(() => undefined);
  const locked = lock && /provider "registry\.terraform\.io\/okta\/okta" \{\s*version\s*=\s*"([^"]+)"/.exec(lock)?.[1];
  if (!locked) return;
  const wanted = (JSON.parse(template) as { terraform?: { required_providers?: { okta?: { version?: string } } } }).terraform?.required_providers?.okta?.version;
  if (wanted !== undefined && wanted !== locked) await rm(lockFile, { force: true });
}

/** The stack ID cdktf builds a shape under; replaced by each stack's own ID. Letters, digits and '-': JSON and paths keep it as it is. */
const TEMPLATE_ID = "cerby-okta-template-stack-";

interface Shape {
  readonly templateId: string;
  readonly stacks: { workspace: DesiredWorkspace; key: string; data: string }[];
}

/**
 * Stacks grouped by what their cdk.tf.json is made of apart from their ID
 * (templateKey). A stack whose settings contain the placeholder itself (a
 * backend path, say) is a shape of its own, built under its own ID.
 */
function shapesOf(stacks: readonly { workspace: DesiredWorkspace; key: string; data: string }[], options: StackOptions): Shape[] {
  const shapes = new Map<string, Shape>();
  for (const stack of stacks) {
    const shape = templateKey({ ...stack.workspace, id: "" }, options);
    const alone = shape.includes(TEMPLATE_ID);
    const found = alone ? undefined : shapes.get(shape);
    if (found) found.stacks.push(stack);
    else shapes.set(alone ? stack.key : shape, { templateId: alone ? stack.workspace.id : `${TEMPLATE_ID}${shapes.size}`, stacks: [stack] });
  }
  return [...shapes.values()];
}


function templateRecord(key: string, template: string): string {
  return `${JSON.stringify({ key, sha256: sha256Hex(template) })}\n`;
}

/**
 * Runs `work` with source-mapped stack traces off. cdktf captures a stack
 * trace for every token it creates, from the moment its modules load; with
 * source maps on (bin/cerby-okta.js) Node maps each frame through the CLI's
 * `.map` files, about 1.3 s of a 128-shard synth (and, in the bundle, 40 ms
 * to parse the map of cdktf's chunk). The traces only serve cdktf's own error
 * messages (an internal error elsewhere in that moment shows compiled frames).
 */
async function withoutSourceMaps<T>(work: () => Promise<T>): Promise<T> {
  const enabled = process.sourceMapsEnabled;
  if (enabled) process.setSourceMapsEnabled(false);
  try {
    return await work();
  } finally {
    if (enabled) process.setSourceMapsEnabled(true);
  }
}
