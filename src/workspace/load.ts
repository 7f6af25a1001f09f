// Reads workspace folders from disk and returns validated workspaces, or
// throws one InputError that lists every problem found in every file.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { InputError, UsageError, type InputIssue } from "../errors.ts";
import { checkWorkspace, checkWorkspaceSet } from "./check.ts";
import type { Workspace } from "./model.ts";
import { WorkspaceFileSchema, type WorkspaceFile } from "./schema.ts";
import { formatPath, parseSourceFile, type SourceFile } from "./source-file.ts";

const WORKSPACE_FILE = /\.(ya?ml|json)$/i;

/** One file of a workspace after parsing and schema validation. */
export interface ParsedFile {
  readonly source: SourceFile;
  readonly content: WorkspaceFile;
}

/** Lists workspace folders under `root`: each sub-folder is one workspace. */
export async function listWorkspaceFolders(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    throw new UsageError(`cannot read the workspaces folder ${displayPath(root)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const folders = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => path.join(root, entry.name))
    .sort();
  if (folders.length === 0) {
    throw new UsageError(`no workspace folders under ${displayPath(root)}: put each workspace in its own sub-folder`);
  }
  return folders;
}

/** Lists the files that make up one workspace folder, sorted by name. */
export async function listWorkspaceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && WORKSPACE_FILE.test(entry.name) && !entry.name.startsWith("."))
    .map((entry) => path.join(folder, entry.name))
    .sort();
}

/** Parses and validates one file; problems are appended to `issues`. */
export function parseWorkspaceFile(file: string, text: string, issues: InputIssue[]): ParsedFile | undefined {
  const source = parseSourceFile(displayPath(file), text);
  if (source.syntaxIssues.length > 0) {
    issues.push(...source.syntaxIssues);
    return undefined;
  }
  const result = WorkspaceFileSchema.safeParse(source.data);
  if (!result.success) {
    issues.push(...schemaIssues(source, result.error.issues));
    return undefined;
  }
  return { source, content: result.data };
}

/** zod's issues as located input issues: unknown fields point at the field, types are named plainly. */
export function schemaIssues(source: SourceFile, zodIssues: readonly z.core.$ZodIssue[]): InputIssue[] {
  return zodIssues.flatMap((issue) => schemaIssue(source, issue, source.data));
}

function schemaIssue(source: SourceFile, issue: z.core.$ZodIssue, data: unknown): InputIssue[] {
  const issuePath = issue.path as (string | number)[];
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
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
  for (const part of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[part];
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
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === "number" ? "the number" : "the value"} ${String(value)}`;
}

/** Assembles one workspace from its parsed files; cross-file problems are appended to `issues`. */
export function assembleWorkspace(folder: string, files: readonly ParsedFile[], issues: InputIssue[]): Workspace | undefined {
  return checkWorkspace(displayPath(folder), files, issues);
}

/** Loads every workspace under `root`. Throws InputError listing all problems. */
export async function loadWorkspaces(root: string): Promise<Workspace[]> {
  const folders = await listWorkspaceFolders(root);
  const issues: InputIssue[] = [];
  const workspaces: Workspace[] = [];
  for (const folder of folders) {
    const workspace = await loadWorkspaceFolder(folder, issues);
    if (workspace) workspaces.push(workspace);
  }
  checkWorkspaceSet(workspaces, issues);
  if (issues.length > 0) throw new InputError(issues);
  return workspaces;
}

/** Loads one folder; problems are appended to `issues`. */
export async function loadWorkspaceFolder(folder: string, issues: InputIssue[]): Promise<Workspace | undefined> {
  const files = await listWorkspaceFiles(folder);
  const parsed: ParsedFile[] = [];
  const before = issues.length;
  for (const file of files) {
    const text = await readFile(file, "utf8");
    const result = parseWorkspaceFile(file, text, issues);
    if (result) parsed.push(result);
  }
  if (issues.length > before) return undefined;
  return assembleWorkspace(folder, parsed, issues);
}

/** Paths in messages are relative to the current directory when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
