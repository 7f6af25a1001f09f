// Parses and validates one workspace file's text: syntax, limits, schema.
// Every problem is located as `file:line:col field.path: message`.
import type { z } from "zod";
import type { InputIssue } from "../errors.ts";
import { escapeUnsafeCharacters } from "../text/characters.ts";
import { displayPath } from "./display-path.ts";
import { MAX_ISSUES_PER_FILE } from "./limits.ts";
import { fileIssue } from "./read-file.ts";
import { WorkspaceFileSchema, type WorkspaceFile } from "./schema.ts";
import { closestField, knownFieldsAt } from "./field-suggestion.ts";
import { formatPath, parseSourceFile, type SourceFile } from "./source-file.ts";
import { validateWorkspaceData } from "./validate-file.ts";

/** One file of a workspace after parsing and schema validation. */
export interface ParsedFile {
  readonly source: SourceFile;
  readonly content: WorkspaceFile;
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
export function schemaIssues(source: SourceFile, zodIssues: readonly z.core.$ZodIssue[], schema: z.core.$ZodType = WorkspaceFileSchema): InputIssue[] {
  const located: InputIssue[] = [];
  for (const issue of zodIssues) {
    for (const one of schemaIssue(source, issue, schema, MAX_ISSUES_PER_FILE - located.length)) located.push(one);
    if (located.length >= MAX_ISSUES_PER_FILE) break;
  }
  return located;
}

function schemaIssue(source: SourceFile, issue: z.core.$ZodIssue, schema: z.core.$ZodType, room: number): InputIssue[] {
  const issuePath = issue.path as (string | number)[];
  if (issue.code === "unrecognized_keys") {
    const known = knownFieldsAt(schema, issuePath);
    return issue.keys.slice(0, room).map((key) => {
      const fieldPath = [...issuePath, key];
      const meant = closestField(key, known);
      const message = meant === undefined ? "unknown field" : `unknown field; did you mean ${meant}?`;
      return { file: source.file, ...source.locate(fieldPath), path: formatPath(fieldPath), message };
    });
  }
  return [{ file: source.file, ...source.locate(issuePath), path: formatPath(issuePath), message: describeIssue(issue, source.data) }];
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  if (issue.code === "invalid_type") {
    const value = issue.path.length > 0 ? valueAt(data, issue.path) : data;
    if (value === undefined) return "is required";
    if (value === null) return `is empty; it must be ${article(issue.expected)}`;
    return `must be ${article(issue.expected)}, not ${describeValue(value)}`;
  }
  if (issue.code === "invalid_value" && issue.message.startsWith("Invalid option")) {
    const options = issue.values.map((value) => JSON.stringify(value)).join(", ");
    // A missing field (often a misspelt one, named by its own "unknown field" line) is required, not wrong.
    if (valueAt(data, issue.path) === undefined) return `is required: one of ${options}`;
    return `must be one of ${options}`;
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
