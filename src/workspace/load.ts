// Reads workspace folders from disk and returns validated workspaces, or
// throws one InputError that lists every problem found in every file.
import path from "node:path";
import type { z } from "zod";
import { InputError, UsageError, type InputIssue } from "../errors.ts";
import { escapeUnsafeCharacters } from "./characters.ts";
import { checkWorkspace, checkWorkspaceSet } from "./check.ts";
import { displayPath } from "./display-path.ts";
import { findWorkspaceFiles, findWorkspaceFolders } from "./folders.ts";
import type { Workspace } from "./model.ts";
import { errorReason, fileIssue, readWorkspaceText } from "./read-file.ts";
import { MAX_ISSUES_PER_FILE, MAX_REPORTED_ISSUES } from "./limits.ts";
import type { WorkspaceFile } from "./schema.ts";
import { formatPath, parseSourceFile, type SourceFile } from "./source-file.ts";
import { validateWorkspaceData } from "./validate-file.ts";

export { displayPath };

/** One file of a workspace after parsing and schema validation. */
export interface ParsedFile {
  readonly source: SourceFile;
  readonly content: WorkspaceFile;
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

/** Parses and validates one file; problems are appended to `issues`. */
export function parseWorkspaceFile(file: string, text: string, issues: InputIssue[]): ParsedFile | undefined {
  const source = parseSourceFile(displayPath(file), text);
  if (source.syntaxIssues.length > 0) {
    for (const issue of source.syntaxIssues) issues.push(issue);
    return undefined;
  }
  const result = validateWorkspaceData(source.data);
  if (!result.ok) {
    for (const issue of schemaIssues(source, result.issues)) issues.push(issue);
    if (result.stopped) issues.push(fileIssue(source.file, `validation of this file stopped after ${MAX_ISSUES_PER_FILE} problems: fix these first`));
    return undefined;
  }
  return { source, content: result.content };
}

/**
 * zod's issues as located input issues: unknown fields point at the field,
 * types are named plainly. At most MAX_ISSUES_PER_FILE: one issue of zod may
 * list a million unknown keys.
 */
export function schemaIssues(source: SourceFile, zodIssues: readonly z.core.$ZodIssue[]): InputIssue[] {
  const located: InputIssue[] = [];
  for (const issue of zodIssues) {
    for (const one of schemaIssue(source, issue, source.data, MAX_ISSUES_PER_FILE - located.length)) located.push(one);
    if (located.length >= MAX_ISSUES_PER_FILE) break;
  }
  return located;
}

function schemaIssue(source: SourceFile, issue: z.core.$ZodIssue, data: unknown, room: number): InputIssue[] {
  const issuePath = issue.path as (string | number)[];
  if (issue.code === "unrecognized_keys") {
    return issue.keys.slice(0, room).map((key) => {
      const fieldPath = [...issuePath, key];
      return { file: source.file, ...source.locate(fieldPath), path: formatPath(fieldPath), message: "unknown field" };
    });
  }
  return [{ file: source.file, ...source.locate(issuePath), path: formatPath(issuePath), message: describeIssue(issue, data) }];
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  if (issue.code === "invalid_type") {
    const value = issue.path.length > 0 ? valueAt(data, issue.path) : data;
    if (value === undefined) return "is required";
    if (value === null) return `is empty; it must be ${article(issue.expected)}`;
    return `must be ${article(issue.expected)}, not ${describeValue(value)}`;
  }
  if (issue.code === "invalid_value" && issue.message.startsWith("Invalid option")) {
    return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
  }
  return issue.message;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const part of path) {
    // Own fields only: a field named `constructor` or `__proto__` is data, not the prototype's.
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function article(type: string): string {
  const names: Record<string, string> = { object: "a mapping", array: "a list", string: "text", number: "a number", boolean: "a boolean (true or false)" };
  return names[type] ?? type;
}

function describeValue(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text ${escapeUnsafeCharacters(JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value))}`;
  return `${typeof value === "number" ? "the number" : "the value"} ${String(value)}`;
}

/** Assembles one workspace from its parsed files; cross-file problems are appended to `issues`. */
export function assembleWorkspace(folder: string, files: readonly ParsedFile[], issues: InputIssue[]): Workspace | undefined {
  return checkWorkspace(displayPath(folder), files, issues);
}

/** Loads every workspace under `root`. Throws InputError listing all problems. */
export async function loadWorkspaces(root: string): Promise<Workspace[]> {
  const issues: InputIssue[] = [];
  const folders = await listWorkspaceFolders(root, issues);
  const workspaces: Workspace[] = [];
  for (const folder of folders) {
    const workspace = await loadWorkspaceFolder(folder, issues, root);
    if (workspace) workspaces.push(workspace);
  }
  checkWorkspaceSet(workspaces, issues);
  if (issues.length > 0) throw new InputError(shownIssues(root, issues));
  return workspaces;
}

/** The first MAX_REPORTED_ISSUES issues, and how many more there are: a terminal, not a log file. */
function shownIssues(root: string, issues: readonly InputIssue[]): readonly InputIssue[] {
  if (issues.length <= MAX_REPORTED_ISSUES) return issues;
  const more = issues.length - MAX_REPORTED_ISSUES;
  return [...issues.slice(0, MAX_REPORTED_ISSUES), fileIssue(displayPath(root), `and ${more.toLocaleString("en-US")} more problem${more === 1 ? "" : "s"} not shown`)];
}

/** Loads one folder of the workspaces folder `root`; problems are appended to `issues`. */
export async function loadWorkspaceFolder(folder: string, issues: InputIssue[], root = path.dirname(folder)): Promise<Workspace | undefined> {
  const before = issues.length;
  let files;
  try {
    files = await findWorkspaceFiles(folder, root, issues);
  } catch (error) {
    issues.push(fileIssue(displayPath(folder), `cannot read the workspace folder: ${errorReason(error)}`));
    return undefined;
  }
  const parsed: ParsedFile[] = [];
  for (const file of files) {
    const text = await readWorkspaceText(file.target, displayPath(file.path), issues);
    if (text === undefined) continue;
    const result = parseWorkspaceFile(file.path, text, issues);
    if (result) parsed.push(result);
  }
  if (issues.length > before) return undefined;
  return assembleWorkspace(folder, parsed, issues);
}
