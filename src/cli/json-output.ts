// One `--json` convention for every command: `--json` prints the
// machine-readable document on stdout (and what a person reads moves to
// stderr, so that stdout parses); `--json-file FILE` writes the document to
// FILE and leaves the human output where it was. `plan --json FILE` and
// `reconcile --json FILE`, the old spelling, still write FILE, with a warning.
import type { Command } from "commander";
import { UsageError } from "../errors.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";

export interface JsonOutputOptions {
  /** true: print on stdout; a string: the deprecated `--json FILE`. */
  json?: boolean | string;
  jsonFile?: string;
}

/** Adds `--json` and `--json-file FILE`; `acceptsFile` keeps the old `--json FILE` of plan and reconcile working. */
export function addJsonOptions<T extends Command>(command: T, what: string, options: { acceptsFile?: boolean } = {}): T {
  command.option(
    options.acceptsFile ? "--json [file]" : "--json",
    `print ${what} as JSON on stdout; what a person reads goes to stderr${options.acceptsFile ? " (--json FILE, deprecated: use --json-file FILE)" : ""}`,
  );
  command.option("--json-file <file>", `also write ${what} as JSON to FILE (written whole, or not at all)`);
  return command;
}

/** Refuses contradictory flags before any work is done. */
export function checkJsonOptions(options: JsonOutputOptions): void {
  if (typeof options.json === "string" && options.jsonFile !== undefined) throw new UsageError("--json FILE and --json-file FILE both name a file: give --json-file only");
}

/** Whether stdout carries the JSON document (then human output goes to stderr). */
export function jsonOnStdout(options: JsonOutputOptions): boolean {
  return options.json === true;
}

/** Writes human-readable text where it belongs under the convention. */
export function writeHuman(options: JsonOutputOptions, text: string): void {
  (jsonOnStdout(options) ? process.stderr : process.stdout).write(text);
}

/** Prints and writes the document as asked; nothing when neither flag is given. */
export async function emitJson(options: JsonOutputOptions, document: unknown): Promise<void> {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  checkJsonOptions(options);
  if (typeof options.json === "string") {
    process.stderr.write(`warning: \`--json ${options.json}\` is deprecated: use \`--json-file ${options.json}\` (\`--json\` alone prints the JSON on stdout)\n`);
    await writeFileAtomic(options.json, text);
  } else if (options.json === true) process.stdout.write(text);
  if (options.jsonFile !== undefined) await writeFileAtomic(options.jsonFile, text);
}
