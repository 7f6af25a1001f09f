// Validates the parsed content of one workspace file against the schema, list
// item by list item, and stops after MAX_ISSUES_PER_FILE issues: a file of a
// million wrong items must not become a million messages (and a million issue
// objects in memory). Used by the loader and by the watcher's fast path.
import { z } from "zod";
import { MAX_ISSUES_PER_FILE } from "./limits.ts";
import { AccountSchema, TeamSchema, UserSchema, WorkspaceFileSchema, type WorkspaceFile } from "./schema.ts";

export type FileValidation =
  | { readonly ok: true; readonly content: WorkspaceFile }
  | {
      readonly ok: false;
      /** At most MAX_ISSUES_PER_FILE, in file order within each list. */
      readonly issues: readonly z.core.$ZodIssue[];
      /** True when validation stopped at the cap, so more problems may follow. */
      readonly stopped: boolean;
    };

const LIST_ITEM_SCHEMAS = { users: UserSchema, teams: TeamSchema, accounts: AccountSchema } as const;
type ListKey = keyof typeof LIST_ITEM_SCHEMAS;
const LIST_KEYS = Object.keys(LIST_ITEM_SCHEMAS) as ListKey[];

// The file with its lists taken as they are; their items are checked one by one below.
const FileShellSchema = WorkspaceFileSchema.extend({
  users: z.array(z.unknown()).optional(),
  teams: z.array(z.unknown()).optional(),
  accounts: z.array(z.unknown()).optional(),
});

/** Equivalent to `WorkspaceFileSchema.safeParse(data)`, with at most MAX_ISSUES_PER_FILE issues. */
export function validateWorkspaceData(data: unknown): FileValidation {
  const shell = FileShellSchema.safeParse(data);
  const issues: z.core.$ZodIssue[] = shell.success ? [] : shell.error.issues.slice(0, MAX_ISSUES_PER_FILE);
  if (!shell.success && shell.error.issues.length > MAX_ISSUES_PER_FILE) return { ok: false, issues, stopped: true };
  const content: Record<string, unknown> | undefined = shell.success ? { ...shell.data } : undefined;
  for (const key of LIST_KEYS) {
    const list = typeof data === "object" && data !== null && Object.hasOwn(data, key) ? (data as Record<string, unknown>)[key] : undefined;
    if (!Array.isArray(list)) continue; // absent, or already reported by the shell
    const itemSchema = LIST_ITEM_SCHEMAS[key];
    const items: unknown[] = [];
    for (let index = 0; index < list.length; index++) {
      const result = itemSchema.safeParse(list[index]);
      if (result.success) {
        items.push(result.data);
        continue;
      }
      for (const issue of result.error.issues) {
        if (issues.length === MAX_ISSUES_PER_FILE) return { ok: false, issues, stopped: true };
        issues.push({ ...issue, path: [key, index, ...issue.path] });
      }
    }
    if (content) content[key] = items;
  }
  if (issues.length > 0) return { ok: false, issues, stopped: false };
  return { ok: true, content: content as WorkspaceFile };
}
