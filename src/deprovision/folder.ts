// Reads one workspace folder (`workspaces/<folder>/`: every *.yaml, *.yml and
// *.json file, lists concatenated, exactly one file holding `workspace:`)
// for deprovisioning. The edits need each file's own text and content, which
// the merged model does not keep, so the files are kept here as well.
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { computeDesiredState, type DesiredWorkspace } from "../domain/desired-state.ts";
import type { WorkspaceInput } from "../domain/model.ts";
import { InputError, UsageError, type InputIssue } from "../errors.ts";
import { assembleWorkspace, listWorkspaceFiles, readOnce } from "../workspace/load.ts";
import { parseWorkspaceFile, type ParsedFile } from "../workspace/parse-file.ts";
import { type Account, type Team, type User, type WorkspaceFile, type WorkspaceSettings } from "../workspace/schema.ts";

export interface SourceFile {
  readonly path: string;
  /** Name inside the folder, for messages. */
  readonly name: string;
  readonly kind: "yaml" | "json";
  readonly text: string;
  readonly data: WorkspaceFile;
}

export interface Located<T> {
  readonly value: T;
  readonly file: SourceFile;
}

export interface FolderWorkspace {
  readonly dir: string;
  readonly files: readonly SourceFile[];
  readonly settings?: WorkspaceSettings;
  readonly users: readonly Located<User>[];
  readonly teams: readonly Located<Team>[];
  readonly accounts: readonly Located<Account>[];
}

/** Reads and checks the folder exactly as every other command does; keeps each file's text for the edits. */
export async function readWorkspaceFolder(dir: string): Promise<FolderWorkspace> {
  await checkFolder(dir);
  let paths: string[];
  try {
    paths = await listWorkspaceFiles(dir);
  } catch (error) {
    throw new InputError([{ file: dir, line: 1, column: 1, path: "", message: `cannot read the workspace folder (${(error as Error).message})` }]);
  }
  const files: SourceFile[] = [];
  const parsed: ParsedFile[] = [];
  const issues: InputIssue[] = [];
  for (const path of paths) {
    const text = await readFile(path, "utf8");
    const result = parseWorkspaceFile(path, text, issues);
    if (!result) continue;
    parsed.push(result);
    files.push({ path, name: basename(path), kind: /\.json$/i.test(path) ? "json" : "yaml", text, data: result.content });
  }
  if (issues.length === 0) assembleWorkspace(dir, parsed, issues);
  if (issues.length > 0) throw new InputError(issues);

  const located = <T>(pick: (data: WorkspaceFile) => readonly T[] | undefined) =>
    files.flatMap((file) => (pick(file.data) ?? []).map((value) => ({ value, file })));
  return {
    dir,
    files,
    settings: files.find((file) => file.data.workspace !== undefined)?.data.workspace,
    users: located((data) => data.users),
    teams: located((data) => data.teams),
    accounts: located((data) => data.accounts),
  };
}

/** The folder argument names a folder: the first thing a user fixes, so it is checked before flags and credentials. */
export async function checkFolder(dir: string): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(dir)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new UsageError(`there is no workspace folder ${dir}`);
    throw new UsageError(`cannot read the workspace folder ${dir} (${(error as Error).message})`);
  }
  if (!isFolder) throw new UsageError(`${dir} is a file, not a workspace folder (give the folder, e.g. workspaces/acme)`);
}

/**
 * The folder's desired state, computed with the other workspaces of the
 * project when the folder is one of `workspacesDir`'s: chiclet labels are
 * numbered across every workspace of an Okta org (R4), so a label computed
 * from one folder alone may lack the number the person sees. `unread` names
 * the other folders that could not be read (their labels then count as absent).
 */
export async function desiredWorkspaceOf(workspace: FolderWorkspace, workspacesDir: string | undefined): Promise<{ desired?: DesiredWorkspace; unread: string[] }> {
  const settings = workspace.settings;
  if (settings === undefined) return { unread: [] };
  const own: WorkspaceInput = { settings, users: values(workspace.users), teams: values(workspace.teams), accounts: values(workspace.accounts) };
  let others: WorkspaceInput[] = [];
  let unread: string[] = [];
  if (workspacesDir !== undefined && resolve(dirname(resolve(workspace.dir))) === resolve(workspacesDir)) {
    const read = await readOnce(resolve(workspacesDir));
    others = read.workspaces.filter((other) => other.settings.id !== settings.id && resolve(other.folder) !== resolve(workspace.dir));
    unread = [...new Set(read.issues.map((issue) => issue.file))].filter((file) => !resolve(file).startsWith(resolve(workspace.dir)));
  }
  const desired = computeDesiredState([own, ...others]).workspaces.find((candidate) => candidate.id === settings.id);
  return { desired, unread };
}

const values = <T>(located: readonly Located<T>[]): T[] => located.map((entry) => entry.value);
