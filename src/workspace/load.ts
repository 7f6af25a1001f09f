// Reads the workspace folders under a root into checked workspaces, with
// every problem of every file located. One reader for every command: `synth`
// and the others read once (`loadWorkspaces`); the watcher keeps a reader and
// reads again on every change, and then only what changed is read, parsed and
// assembled again (its cache). Both list folders and files the same way and
// give the same workspaces and problems.
import path from "node:path";
import { InputError, UsageError, type InputIssue } from "../errors.ts";
import { checkWorkspace, checkWorkspaceSet } from "./check.ts";
import { displayPath } from "./display-path.ts";
import { FileCache, type CachedFile } from "./file-cache.ts";
import { findWorkspaceFiles, findWorkspaceFolders } from "./folders.ts";
import { MAX_REPORTED_ISSUES } from "./limits.ts";
import type { Workspace } from "./model.ts";
import { parseWorkspaceFile, type ParsedFile } from "./parse-file.ts";
import { errorReason, fileIssue, TextReader } from "./read-file.ts";
import { thousands } from "../text/numbers.ts";

export { displayPath };

export interface ReadResult {
  /** The workspaces whose folders have no problem, sorted by folder. */
  readonly workspaces: readonly Workspace[];
  /** Every problem found, in every folder; the workspaces are unusable as a whole while there is one. */
  readonly issues: readonly InputIssue[];
  /** Whether anything differs from the previous read (always true for the first). */
  readonly changed: boolean;
  /** Files whose text was parsed this time, as shown in messages. */
  readonly filesParsed: readonly string[];
}

/** One folder's files and what they assembled into, kept between reads. */
interface Assembly {
  readonly entries: readonly CachedFile[];
  readonly workspace: Workspace | undefined;
  readonly issues: readonly InputIssue[];
}

export class WorkspaceReader {
  readonly root: string;
  private readonly cache = new FileCache();
  private readonly assemblies = new Map<string, Assembly>();
  private first = true;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /**
   * Reads every folder; files in `changed` are read again whatever their
   * stamp says. Throws a UsageError when the root itself cannot be read.
   */
  async read(changed: ReadonlySet<string> = new Set()): Promise<ReadResult> {
    const issues: InputIssue[] = [];
    const folders = await listWorkspaceFolders(this.root, issues);
    const workspaces: Workspace[] = [];
    const filesParsed: string[] = [];
    const liveFiles = new Set<string>();
    const liveFolders = new Set<string>();
    let anyChange = this.first;
    for (const folder of folders) {
      let files;
      const listIssues: InputIssue[] = [];
      try {
        files = await findWorkspaceFiles(folder, this.root, listIssues);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") continue; // gone meanwhile: its event follows
        issues.push(fileIssue(displayPath(folder), `cannot read the workspace folder: ${errorReason(error)}`));
        continue;
      }
      liveFolders.add(folder);
      const entries: CachedFile[] = [];
      for (const file of files) {
        const outcome = await this.cache.read(file.path, file.target, changed.has(file.path));
        if (outcome.kind === "gone") continue;
        liveFiles.add(file.path);
        if (outcome.kind === "changed") filesParsed.push(displayPath(file.path));
        entries.push(outcome.entry);
      }
      const previous = this.assemblies.get(folder);
      let assembly = previous;
      if (!previous || !sameEntries(previous.entries, entries) || listIssues.length > 0 || previous.issues.length > 0) {
        assembly = assemble(folder, entries, listIssues);
        if (!previous || assembly.workspace !== previous.workspace || assembly.issues.length + previous.issues.length > 0) anyChange = true;
        this.assemblies.set(folder, assembly);
      }
      for (const issue of assembly!.issues) issues.push(issue);
      if (assembly!.workspace) workspaces.push(assembly!.workspace);
    }
    for (const folder of this.assemblies.keys()) {
      if (!liveFolders.has(folder)) {
        this.assemblies.delete(folder);
        anyChange = true;
      }
    }
    this.cache.retainOnly(liveFiles);
    this.first = false;
    checkWorkspaceSet(workspaces, issues);
    return { workspaces, issues, changed: anyChange, filesParsed };
  }
}

function assemble(folder: string, entries: readonly CachedFile[], listIssues: readonly InputIssue[]): Assembly {
  const fileIssues = [...listIssues, ...entries.flatMap((entry) => entry.issues)];
  if (fileIssues.length > 0) return { entries, workspace: undefined, issues: fileIssues };
  const issues: InputIssue[] = [];
  const workspace = assembleWorkspace(folder, entries.map((entry) => entry.parsed!), issues);
  return { entries, workspace: issues.length > 0 ? undefined : workspace, issues };
}

function sameEntries(a: readonly CachedFile[], b: readonly CachedFile[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) {
    if (a[index]!.path !== b[index]!.path || a[index]!.parsed !== b[index]!.parsed || a[index]!.issues !== b[index]!.issues) return false;
  }
  return true;
}

/**
 * Lists workspace folders under `root`: each sub-folder (or link to a folder
 * inside `root`) is one workspace. Links that lead elsewhere are appended to
 * `issues`.
 */
export async function listWorkspaceFolders(root: string, issues: InputIssue[] = []): Promise<string[]> {
  let folders: string[];
  try {
    folders = await findWorkspaceFolders(root, issues);
  } catch (error) {
    throw new UsageError(`cannot read the workspaces folder ${displayPath(root)}: ${errorReason(error)}`, { cause: error });
  }
  if (folders.length === 0 && issues.length === 0) {
    throw new UsageError(`no workspace folders under ${displayPath(root)}: put each workspace in its own sub-folder`);
  }
  return folders;
}

/**
 * Lists the files that make up one workspace folder, sorted by name. Symbolic
 * links are followed only when they stay inside the folder's parent (the
 * workspaces root); the others, and entries that are not files, are appended
 * to `issues` (dropped when the caller passes none). Throws when the folder
 * cannot be read.
 */
export async function listWorkspaceFiles(folder: string, issues: InputIssue[] = []): Promise<string[]> {
  const files = await findWorkspaceFiles(folder, path.dirname(folder), issues);
  return files.map((file) => file.path);
}

/** Assembles one workspace from its parsed files; cross-file problems are appended to `issues`. */
export function assembleWorkspace(folder: string, files: readonly ParsedFile[], issues: InputIssue[]): Workspace | undefined {
  return checkWorkspace(displayPath(folder), files, issues);
}

/** Loads every workspace under `root` (a reader with an empty cache). Throws InputError listing all problems. */
export async function loadWorkspaces(root: string): Promise<Workspace[]> {
  const { workspaces, issues } = await readOnce(root);
  if (issues.length > 0) throw new InputError(shownIssues(root, issues));
  return [...workspaces];
}

/** Everything under `root`, read once, without keeping a cache. */
export async function readOnce(root: string): Promise<ReadResult> {
  const issues: InputIssue[] = [];
  const folders = await listWorkspaceFolders(root, issues);
  const reader = new TextReader();
  const workspaces: Workspace[] = [];
  const filesParsed: string[] = [];
  for (const folder of folders) {
    const before = issues.length;
    let files;
    try {
      files = await findWorkspaceFiles(folder, root, issues);
    } catch (error) {
      issues.push(fileIssue(displayPath(folder), `cannot read the workspace folder: ${errorReason(error)}`));
      continue;
    }
    const parsed: ParsedFile[] = [];
    for (const file of files) {
      const text = await reader.read(file.target, displayPath(file.path), issues);
      if (text === undefined) continue;
      filesParsed.push(displayPath(file.path));
      const result = parseWorkspaceFile(file.path, text, issues);
      if (result) parsed.push(result);
    }
    if (issues.length > before) continue;
    const workspace = assembleWorkspace(folder, parsed, issues);
    if (workspace) workspaces.push(workspace);
  }
  checkWorkspaceSet(workspaces, issues);
  return { workspaces, issues, changed: true, filesParsed };
}

/** The first MAX_REPORTED_ISSUES issues, and how many more there are: a terminal, not a log file. */
export function shownIssues(root: string, issues: readonly InputIssue[]): readonly InputIssue[] {
  if (issues.length <= MAX_REPORTED_ISSUES) return issues;
  const more = issues.length - MAX_REPORTED_ISSUES;
  return [...issues.slice(0, MAX_REPORTED_ISSUES), fileIssue(displayPath(root), `and ${thousands(more)} more problem${more === 1 ? "" : "s"} not shown`)];
}
