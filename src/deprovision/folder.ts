// Reads one workspace folder (`workspaces/<folder>/`: every *.yaml, *.yml and
// *.json file, lists concatenated, exactly one file holding `workspace:`)
// for deprovisioning. Parsed here with `yaml` on purpose: the edits below need
// each file's own text and document, which a merged model does not keep.
import { readFile, readdir } from "node:fs/promises";
import { extname, join } from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import { InputError, type InputIssue } from "../errors.ts";
import {
  WorkspaceFileSchema,
  type Account,
  type Team,
  type User,
  type WorkspaceFile,
  type WorkspaceSettings,
} from "../workspace/schema.ts";

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

const EXTENSIONS: Record<string, "yaml" | "json"> = { ".yaml": "yaml", ".yml": "yaml", ".json": "json" };

export async function readWorkspaceFolder(dir: string): Promise<FolderWorkspace> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    throw new InputError([{ file: dir, line: 1, column: 1, path: "", message: `cannot read the workspace folder (${(error as Error).message})` }]);
  }
  const files: SourceFile[] = [];
  const issues: InputIssue[] = [];
  for (const name of names.sort()) {
    const kind = EXTENSIONS[extname(name).toLowerCase()];
    if (!kind || name.startsWith(".")) continue;
    const path = join(dir, name);
    const text = await readFile(path, "utf8");
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false });
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const at = lineCounter.linePos(error.pos[0]);
        issues.push({ file: path, line: at.line, column: at.col, path: "", message: error.message.split("\n")[0]! });
      }
      continue;
    }
    const parsed = WorkspaceFileSchema.safeParse(doc.toJS() ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const at = positionOf(doc, lineCounter, issue.path);
        issues.push({ file: path, ...at, path: formatPath(issue.path), message: issue.message });
      }
      continue;
    }
    files.push({ path, name, kind, text, data: parsed.data });
  }
  if (issues.length > 0) throw new InputError(issues);

  const holders = files.filter((file) => file.data.workspace !== undefined);
  if (holders.length > 1) {
    throw new InputError(
      holders.slice(1).map((file) => ({
        file: file.path, line: 1, column: 1, path: "workspace",
        message: `only one file of a workspace may hold \`workspace:\`; ${holders[0]!.name} holds it too`,
      })),
    );
  }
  const located = <T>(pick: (data: WorkspaceFile) => readonly T[] | undefined) =>
    files.flatMap((file) => (pick(file.data) ?? []).map((value) => ({ value, file })));
  return {
    dir,
    files,
    settings: holders[0]?.data.workspace,
    users: located((data) => data.users),
    teams: located((data) => data.teams),
    accounts: located((data) => data.accounts),
  };
}

function positionOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): { line: number; column: number } {
  for (let length = path.length; length >= 0; length--) {
    const node = doc.getIn(path.slice(0, length) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const at = lineCounter.linePos(node.range[0]);
      return { line: at.line, column: at.col };
    }
  }
  return { line: 1, column: 1 };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("");
}
