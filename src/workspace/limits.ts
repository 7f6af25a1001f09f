// Bounds on one workspace file, so that no input, however made, can take
// unbounded time or memory or overflow the stack. Each is far above what a
// real workspace needs; docs/workspace-format.md ("Limits") explains them.

import { thousands } from "../text/numbers.ts";

/**
 * YAML parses at about 1-2 MB/s and needs about 100 MB of memory per MB of
 * text: 5 MiB (some 13,000 accounts) is parsed in a few seconds.
 */
export const MAX_YAML_FILE_BYTES = 5 * 1024 * 1024;

/** JSON parses about 100 times faster: 64 MiB is some 190,000 accounts, validated in about 10 s and 0.5 GB. */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Values in a YAML file as written, keys included: parsing costs about 15 µs
 * and 1 KB per value, whatever the bytes. A 5 MiB workspace holds about
 * 450,000; `[1,1,1,...]` would hold 2.6 million.
 */
export const MAX_YAML_VALUES = 1_000_000;

/** Values in a JSON file (keys not counted): 64 MiB of workspace holds about 5 million; `[1,1,1,...]` would hold 32 million. */
export const MAX_JSON_VALUES = 10_000_000;

/** Lists and mappings inside one another. The format needs 5 (`accounts[0].grants[0]`); parsers recurse per level. */
export const MAX_NESTING_DEPTH = 32;

/**
 * Values in a YAML file once every alias (`*name`) is replaced by the node it
 * names: aliases of aliases grow exponentially (an "alias bomb"), and every
 * check after parsing walks the expanded tree.
 */
export const MAX_EXPANDED_YAML_VALUES = 1_000_000;

/** Validation of one file stops after this many problems: the first ones are the ones to fix. */
export const MAX_ISSUES_PER_FILE = 100;

/** Problems listed in one run, over all files. */
export const MAX_REPORTED_ISSUES = 1_000;

/** Why a too deeply nested file is refused. */
export function tooDeepMessage(): string {
  return `lists and mappings nested more than ${MAX_NESTING_DEPTH} levels deep (a workspace file needs 5)`;
}

export function isJsonFile(file: string): boolean {
  return /\.json$/i.test(file);
}

/** The size limit for a file, by its extension. */
export function maxFileBytes(file: string): number {
  return isJsonFile(file) ? MAX_JSON_FILE_BYTES : MAX_YAML_FILE_BYTES;
}

/** Why a file over its size limit is refused; `atLeast` when only a lower bound of its size is known. */
export function tooLargeMessage(file: string, bytes: number, atLeast: boolean): string {
  const size = `${atLeast ? "more than " : ""}${formatBytes(bytes)}`;
  return isJsonFile(file)
    ? `file is ${size}; a JSON file may be at most ${formatBytes(MAX_JSON_FILE_BYTES)}: split the workspace into several files`
    : `file is ${size}; a YAML file may be at most ${formatBytes(MAX_YAML_FILE_BYTES)} (YAML is slow to parse): split it into several files, or use JSON (up to ${formatBytes(MAX_JSON_FILE_BYTES)})`;
}

/**
 * `5 MiB`, `300 bytes`, or exact bytes with the rounded size beside them,
 * `5,242,881 bytes (5.0 MiB)`: a rounded size alone would read "file is
 * 5 MiB; at most 5 MiB" for a file one byte over.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  for (const [unit, size] of [["MiB", 1024 * 1024], ["KiB", 1024]] as const) {
    if (bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  const [unit, size] = bytes >= 1024 * 1024 ? ["MiB", 1024 * 1024] : ["KiB", 1024];
  return `${countOf(bytes)} bytes (${(bytes / size).toFixed(1)} ${unit})`;
}

/** `1,000,001`; past what a double holds exactly, `about 1.2e+30`. */
export function countOf(value: number): string {
  return Number.isSafeInteger(value) ? thousands(value) : `about ${value.toExponential(1)}`;
}
