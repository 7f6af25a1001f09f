// Finds the workspace folders under a root and the files of each. Symbolic
// links are followed when they stay inside the root (a shared file linked into
// two folders, a folder kept elsewhere in the tree); any other link, and any
// entry named like a workspace file that is not a regular file, is reported,
// never skipped in silence.
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { InputIssue } from "../errors.ts";
import { displayPath } from "./display-path.ts";
import { errorReason, fileIssue } from "./read-file.ts";

const WORKSPACE_FILE = /\.(ya?ml|json)$/i;

/** One file of a workspace folder. */
export interface WorkspaceFileEntry {
  /** Where it is listed: the path shown in messages. */
  readonly path: string;
  /** What to read: the real file, when `path` is a symbolic link. */
  readonly target: string;
}

/** Where a symbolic link leads, once checked against the root. */
type Resolved =
  | { readonly kind: "inside"; readonly target: string; readonly isDirectory: boolean; readonly isFile: boolean }
  | { readonly kind: "refused"; readonly reason: string };

/**
 * Workspace folders under `root` (sub-folders, and links to folders inside
 * it), sorted; problems are appended to `issues`. Throws when `root` itself
 * cannot be read.
 */
export async function findWorkspaceFolders(root: string, issues: InputIssue[]): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  let realRoot: string | undefined;
  const folders: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const folder = path.join(root, entry.name);
    if (entry.isDirectory()) folders.push(folder);
    else if (entry.isSymbolicLink()) {
      realRoot ??= await realpath(root);
      const resolved = await resolveLink(folder, root, realRoot);
      if (resolved.kind === "refused") issues.push(fileIssue(displayPath(folder), resolved.reason));
      else if (resolved.isDirectory) folders.push(folder);
      // A link to a file beside the folders is ignored, as that file would be.
    }
  }
  return folders.sort(); // code-unit order, as every sort here
}

/**
 * The files of one workspace folder under `root`, sorted by name; problems
 * are appended to `issues`. Throws when the folder cannot be read.
 */
export async function findWorkspaceFiles(folder: string, root: string, issues: InputIssue[]): Promise<WorkspaceFileEntry[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  let realRoot: string | undefined;
  const files: WorkspaceFileEntry[] = [];
  for (const entry of entries) {
    // Hidden files (editor swap files, `.git`) and other names are not part of the workspace.
    if (entry.name.startsWith(".") || !WORKSPACE_FILE.test(entry.name)) continue;
    const file = path.join(folder, entry.name);
    if (entry.isFile()) files.push({ path: file, target: file });
    else if (entry.isSymbolicLink()) {
      realRoot ??= await realpath(root);
      const resolved = await resolveLink(file, root, realRoot);
      if (resolved.kind === "refused") issues.push(fileIssue(displayPath(file), resolved.reason));
      else if (resolved.isFile) files.push({ path: file, target: resolved.target });
      else issues.push(fileIssue(displayPath(file), `symbolic link to ${resolved.isDirectory ? "a folder" : "something other than a file"} (${displayPath(resolved.target)}): only files are read`));
    } else {
      issues.push(fileIssue(displayPath(file), `not a regular file (${entry.isDirectory() ? "a folder" : "a device, socket or pipe"}): only files are read`));
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function resolveLink(link: string, root: string, realRoot: string): Promise<Resolved> {
  let target: string;
  try {
    target = await realpath(link);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "it leads to something that does not exist" : errorReason(error);
    return { kind: "refused", reason: `symbolic link not followed: ${reason}` };
  }
  if (!target.startsWith(realRoot + path.sep)) {
    return {
      kind: "refused",
      reason: `symbolic link to ${displayPath(target)}, outside the workspaces folder ${displayPath(root)}: not followed (links are followed only within it)`,
    };
  }
  try {
    const stats = await stat(target);
    return { kind: "inside", target, isDirectory: stats.isDirectory(), isFile: stats.isFile() };
  } catch (error) {
    return { kind: "refused", reason: `symbolic link not followed: ${errorReason(error)}` };
  }
}
