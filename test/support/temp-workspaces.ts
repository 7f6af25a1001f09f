// Writes workspace folders to a temporary root so that tests can run the real
// loader on them, and finds where a snippet sits in a text (1-based line and
// column) so that expected locations are derived from the input, not guessed.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InputError, type InputIssue } from "../../src/errors.ts";
import { loadWorkspaces } from "../../src/workspace/load.ts";

/** Folder name → file name → file text. */
export type WorkspaceTree = Record<string, Record<string, string>>;

const roots: string[] = [];

/** A minimal workspace.yaml, switched on, with Alice as its owner unless `withAlice` is false; tests append sections to it. */
export function workspaceSettings(id = "ws-test", { withAlice = true } = {}): string {
  return [
    "version: 1",
    "workspace:",
    `  id: ${id}`,
    "  name: Test",
    "  extendedAccountAccess: true",
    "  okta: { orgName: acme, baseUrl: okta.com }",
    ...(withAlice ? ["users:", "  - { id: u-alice, email: alice@example.com, workspaceRole: owner }"] : []),
    "",
  ].join("\n");
}

/** Writes `tree` under a fresh folder in the system temp directory and returns that root. */
export async function writeWorkspaces(tree: WorkspaceTree): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "cerby-okta-test-"));
  roots.push(root);
  for (const [folder, files] of Object.entries(tree)) {
    await mkdir(path.join(root, folder), { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(root, folder, name), text, "utf8");
  }
  return root;
}

/** Removes every root written so far (call from afterAll). */
export async function removeWrittenWorkspaces(): Promise<void> {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

/** Loads `root` and returns the issues of the InputError it must throw. */
export async function loadIssues(root: string): Promise<readonly InputIssue[]> {
  let thrown: unknown;
  try {
    await loadWorkspaces(root);
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof InputError)) {
    throw new Error(`expected loadWorkspaces to throw an InputError, got ${thrown === undefined ? "no error" : String(thrown)}`);
  }
  return thrown.issues;
}

/** Writes `tree` and returns the issues loading it reports, plus the root for building expected paths. */
export async function issuesFor(tree: WorkspaceTree): Promise<{ root: string; issues: readonly InputIssue[] }> {
  const root = await writeWorkspaces(tree);
  return { root, issues: await loadIssues(root) };
}

/**
 * 1-based line and column of the `occurrence`-th appearance of `needle` in `text`.
 * Throws when it is absent, so that a typo in a test cannot pass silently.
 */
export function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let index = -1;
  for (let seen = 0; seen < occurrence; seen++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`${JSON.stringify(needle)} occurs fewer than ${occurrence} times in the text`);
  }
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  const column = index - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column };
}
