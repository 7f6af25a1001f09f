// Checks that need more than one field or more than one file: the single
// `workspace:` block, unique IDs, and references between users, teams and
// accounts. Every problem is collected; nothing stops at the first.
import type { InputIssue } from "../errors.ts";
import type { Workspace } from "./model.ts";
import type { Account, Team, User, WorkspaceSettings } from "./schema.ts";
import { formatPath, type FieldPath, type SourceFile } from "./source-file.ts";

interface ParsedFileLike {
  readonly source: SourceFile;
  readonly content: { version?: 1; workspace?: WorkspaceSettings; users?: User[]; teams?: Team[]; accounts?: Account[] };
}

interface Located<T> {
  readonly value: T;
  readonly source: SourceFile;
  readonly path: FieldPath;
}

function issueAt(source: SourceFile, path: FieldPath, message: string): InputIssue {
  return { file: source.file, ...source.locate(path), path: formatPath(path), message };
}

function where(item: Located<unknown>): string {
  const { line } = item.source.locate(item.path);
  return `${item.source.file}:${line}`;
}

function collect<T>(files: readonly ParsedFileLike[], list: "users" | "teams" | "accounts"): Located<T>[] {
  return files.flatMap((file) =>
    ((file.content[list] ?? []) as T[]).map((value, index) => ({ value, source: file.source, path: [list, index] })),
  );
}

/** Indexes items by a key, reporting every repeat with where the first one is. */
function indexUnique<T>(
  items: readonly Located<T>[],
  key: (value: T) => string,
  field: string,
  what: string,
  issues: InputIssue[],
): Map<string, Located<T>> {
  const index = new Map<string, Located<T>>();
  for (const item of items) {
    const value = key(item.value);
    const first = index.get(value);
    if (first) issues.push(issueAt(item.source, [...item.path, field], `duplicate ${what} ${JSON.stringify(value)} (first at ${where(first)})`));
    else index.set(value, item);
  }
  return index;
}

export function checkWorkspace(folder: string, files: readonly ParsedFileLike[], issues: InputIssue[]): Workspace | undefined {
  const before = issues.length;
  const settingsFiles = files.filter((file) => file.content.workspace !== undefined);
  if (files.length === 0) {
    issues.push({ file: folder, line: 1, column: 1, path: "", message: "workspace folder holds no .yaml, .yml or .json file" });
    return undefined;
  }
  if (settingsFiles.length === 0) {
    const first = files[0]!;
    issues.push(issueAt(first.source, [], `no file of ${folder} has the \`workspace:\` block (exactly one must)`));
  }
  for (const extra of settingsFiles.slice(1)) {
    issues.push(issueAt(extra.source, ["workspace"], `a second \`workspace:\` block in this folder (first in ${settingsFiles[0]!.source.file}); exactly one file may hold it`));
  }
  const settingsFile = settingsFiles[0];
  if (settingsFile && settingsFile.content.version === undefined) {
    issues.push(issueAt(settingsFile.source, ["workspace"], "the file with the `workspace:` block must also say `version: 1`"));
  }

  const users = collect<User>(files, "users");
  const teams = collect<Team>(files, "teams");
  const accounts = collect<Account>(files, "accounts");

  const usersById = indexUnique(users, (user) => user.id, "id", "user id", issues);
  indexUnique(users, (user) => user.email.toLowerCase(), "email", "user email", issues);
  const teamsById = indexUnique(teams, (team) => team.id, "id", "team id", issues);
  indexUnique(accounts, (account) => account.id, "id", "account id", issues);

  for (const team of teams) {
    (team.value.members ?? []).forEach((member, index) => {
      if (!usersById.has(member)) issues.push(issueAt(team.source, [...team.path, "members", index], `unknown user ${JSON.stringify(member)}`));
    });
  }

  for (const account of accounts) {
    const seen = new Map<string, number>();
    (account.value.grants ?? []).forEach((grant, index) => {
      const grantPath = [...account.path, "grants", index];
      const principal = grant.user !== undefined ? `user ${grant.user}` : `team ${grant.team}`;
      if (grant.user !== undefined && !usersById.has(grant.user)) {
        issues.push(issueAt(account.source, [...grantPath, "user"], `unknown user ${JSON.stringify(grant.user)}`));
      }
      if (grant.team !== undefined && !teamsById.has(grant.team)) {
        issues.push(issueAt(account.source, [...grantPath, "team"], `unknown team ${JSON.stringify(grant.team)}`));
      }
      const first = seen.get(principal);
      if (first !== undefined) {
        issues.push(issueAt(account.source, grantPath, `a second grant for ${principal} (first at grants[${first}]); keep one`));
      } else seen.set(principal, index);
    });
    const extendedBy = account.value.okta?.extendedBy;
    if (extendedBy !== undefined && !usersById.has(extendedBy)) {
      issues.push(issueAt(account.source, [...account.path, "okta", "extendedBy"], `unknown user ${JSON.stringify(extendedBy)}`));
    }
  }

  if (issues.length > before || !settingsFile?.content.workspace) return undefined;
  return {
    folder,
    settingsAt: () => ({ file: settingsFile.source.file, ...settingsFile.source.locate(["workspace", "id"]) }),
    settings: settingsFile.content.workspace,
    users: users.map((user) => user.value),
    teams: teams.map((team) => team.value),
    accounts: accounts.map((account) => account.value),
  };
}

/** Checks across workspace folders: IDs must be unique. */
export function checkWorkspaceSet(workspaces: readonly Workspace[], issues: InputIssue[]): void {
  const seen = new Map<string, Workspace>();
  for (const workspace of workspaces) {
    const first = seen.get(workspace.settings.id);
    if (first !== undefined) {
      const firstAt = first.settingsAt();
      issues.push({
        ...workspace.settingsAt(),
        path: "workspace.id",
        message: `workspace id ${JSON.stringify(workspace.settings.id)} is also used in ${firstAt.file}:${firstAt.line}; each folder must be a different workspace`,
      });
    } else seen.set(workspace.settings.id, workspace);
  }
}
