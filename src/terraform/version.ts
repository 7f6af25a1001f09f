// The Terraform (or OpenTofu) a run uses, checked once per process before its
// first command: an older binary fails later on the stacks' `import` blocks
// with `for_each` (Terraform and OpenTofu 1.7+), far from the cause.
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.ts";

/** Versions from `minimum` up to, not including, `below`: the same for Terraform and OpenTofu, whose 1.x lines share what the stacks use. */
export const SUPPORTED_TERRAFORM = { minimum: "1.7.0", below: "2.0.0" } as const;
/** What the tests run here (README, Tests). */
export const TESTED_TERRAFORM = "Terraform 1.11";

/** What the range says in messages and `--help`. */
export const SUPPORTED_TERRAFORM_TEXT = "Terraform or OpenTofu 1.7 or later, below 2.0 (the stacks' import blocks use for_each)";

/** `--terraform-binary` (as given) and where it resolved, for messages. */
export function describeBinary(binary: string, env: NodeJS.ProcessEnv = process.env): string {
  const found = binaryPath(binary, env);
  return found === binary ? binary : `${binary} (${found ?? "not found on PATH"})`;
}

/** The file a binary name runs: itself when it names a path, else the first executable of that name on PATH. */
export function binaryPath(binary: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (binary.includes("/")) return binary;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

const numbers = (version: string) => version.split(/[.-]/).slice(0, 3).map(Number);

function compare(a: string, b: string): number {
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < 3; i++) if (x[i]! !== y[i]!) return x[i]! - y[i]!;
  return 0;
}

/**
 * The version in `terraform version -json` output; Terraform 1.11.4 prints
 * {"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}
 * and OpenTofu the same key (`terraform_version`), without `terraform_outdated`.
 */
export function parseVersionOutput(stdout: string): string | undefined {
  try {
    const version = (JSON.parse(stdout) as { terraform_version?: unknown }).terraform_version;
    return typeof version === "string" && /^\d+\.\d+\.\d+/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Why this version cannot run the stacks, or undefined when it can. */
export function versionProblem(version: string): string | undefined {
  if (compare(version, SUPPORTED_TERRAFORM.minimum) < 0) return `version ${version} is too old`;
  if (compare(version, SUPPORTED_TERRAFORM.below) >= 0) return `version ${version} is a major version cerby-okta was not built for`;
  return undefined;
}

/** The message for a binary that cannot be started (ENOENT, EACCES), naming where it was looked for. */
export function cannotRun(binary: string, code: string | undefined): string | undefined {
  if (code === "ENOENT") {
    return binary.includes("/")
      ? `cannot run ${binary}: no such file (check --terraform-binary or TERRAFORM_BINARY_NAME)`
      : `cannot run ${binary}: not found on PATH (set --terraform-binary or TERRAFORM_BINARY_NAME)`;
  }
  if (code === "EACCES") return `cannot run ${binary}: it is not executable`;
  return undefined;
}

/** One check per binary and PATH in a process: a watch session or a 100-stack plan starts `version -json` once. */
const checked = new Map<string, Promise<string>>();

/**
 * Runs `<binary> version -json` (about 30 ms) and refuses a version outside
 * SUPPORTED_TERRAFORM, naming the binary, the file it ran and what to do.
 * Returns the version.
 */
export function checkTerraformVersion(binary: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const key = `${binary}\0${env.PATH ?? process.env.PATH ?? ""}`;
  let check = checked.get(key);
  if (!check) {
    check = runVersion(binary, env);
    checked.set(key, check);
    // A failed check is not remembered: the next run (a watch session's next sync) asks again, after a fix.
    check.catch(() => checked.delete(key));
  }
  return check;
}

async function runVersion(binary: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const { execa } = await import("execa");
  const result = await execa(binary, ["version", "-json"], { env: { ...env }, reject: false, stdin: "ignore", timeout: 60_000 });
  const notRun = cannotRun(binary, (result as { code?: string }).code);
  if (notRun) throw new UsageError(notRun);
  const shown = describeBinary(binary, { PATH: env.PATH ?? process.env.PATH });
  const version = result.exitCode === 0 ? parseVersionOutput(String(result.stdout)) : undefined;
  if (version === undefined) {
    const said = `${String(result.stderr ?? "").trim() || String(result.stdout ?? "").trim()}`.slice(0, 300);
    throw new UsageError(
      `\`${binary} version -json\` (${shown}) did not report a version (exit ${result.exitCode ?? "none"}${said ? `: ${said}` : ""}): cerby-okta runs ${SUPPORTED_TERRAFORM_TEXT}. ` +
        "Name one with --terraform-binary, $TERRAFORM_BINARY_NAME or terraformBinary in cerby-okta.yaml",
    );
  }
  const problem = versionProblem(version);
  if (problem) {
    throw new UsageError(
      `${shown}: ${problem}: cerby-okta runs ${SUPPORTED_TERRAFORM_TEXT}; tested with ${TESTED_TERRAFORM}. ` +
        "Install a supported version, or name another binary with --terraform-binary, $TERRAFORM_BINARY_NAME or terraformBinary in cerby-okta.yaml. Nothing was changed",
    );
  }
  return version;
}
