// `terraform init` in a stack folder whose `.terraform` is already current
// costs a process on every plan. It is skipped when nothing init reads or
// writes changed since the last init that succeeded there: the configuration's
// `terraform` block (backend and required providers), the lock file, the
// backend Terraform recorded (`.terraform/terraform.tfstate`), the installed
// provider packages (each file's resolved path, size and modification time:
// a changed mirror or a dangling symlink on another machine shows), and which
// binary ran it. The record lives inside the data folder: a fresh checkout,
// another machine or a deleted `.terraform` has none, so init runs. It is
// removed before each init and written only after one succeeds, so an init
// cut short (a crash, a kill) is run again.
//
// Terraform itself still checks the providers against the lock file and the
// backend against its record on every plan: a skip never lets a mismatch by,
// it only spares the process when there is none.
import { createHash } from "node:crypto";
import { readdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

/** Inside the data folder (`.terraform`), beside Terraform's own files. */
export const INIT_RECORD_FILE = "cerby-okta-init.json";
const CONFIG_FILE = "cdk.tf.json";
const LOCK_FILE = ".terraform.lock.hcl";

/** The stack folder's Terraform data folder: TF_DATA_DIR (relative to the folder), else `.terraform`. */
export function dataDir(dir: string, env: Readonly<Record<string, string | undefined>>): string {
  return path.resolve(dir, env.TF_DATA_DIR || ".terraform");
}

/**
 * A digest of everything `terraform init` depends on in `dir`; undefined
 * when something it needs is missing (never initialized, or partly removed).
 */
export async function initFingerprint(dir: string, binary: string, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const data = dataDir(dir, env);
  const hash = createHash("sha256").update(`binary\0${binary}\0`);
  let config: { terraform?: unknown };
  try {
    config = JSON.parse(await readFile(path.join(dir, CONFIG_FILE), "utf8")) as typeof config;
    hash.update(`terraform\0${JSON.stringify(config.terraform ?? null)}\0`);
    hash.update(`lock\0`).update(await readFile(path.join(dir, LOCK_FILE))).update("\0");
  } catch {
    return undefined;
  }
  // The local backend's default leaves no record; any other backend must have one.
  hash.update("backend\0").update((await readFile(path.join(data, "terraform.tfstate")).catch(() => Buffer.from("\0none"))) as Buffer).update("\0");
  const packages = await providerFiles(path.join(data, "providers"));
  if (packages === undefined) return undefined;
  for (const file of packages) hash.update(`${file}\0`);
  return hash.digest("hex");
}

/**
 * Every file of the installed providers: `<path under providers/> <resolved path> <size> <mtime>`, sorted.
 * Undefined when the folder is missing or a link leads nowhere.
 */
async function providerFiles(root: string): Promise<string[] | undefined> {
  const found: string[] = [];
  const walk = async (dir: string, relative: string): Promise<boolean> => {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return false;
    }
    for (const name of entries) {
      const full = path.join(dir, name);
      let info;
      try {
        info = await stat(full); // follows the symlink init made into the mirror
      } catch {
        return false;
      }
      if (info.isDirectory()) {
        if (!(await walk(full, path.join(relative, name)))) return false;
      } else {
        found.push(`${path.join(relative, name)} ${await realpath(full)} ${info.size} ${info.mtimeMs}`);
      }
    }
    return true;
  };
  if (!(await walk(root, ""))) return undefined;
  return found.sort();
}

/** Whether the record left by the last successful init matches the folder as it is now. */
export async function initIsCurrent(dir: string, binary: string, env: Readonly<Record<string, string | undefined>>): Promise<boolean> {
  const fingerprint = await initFingerprint(dir, binary, env);
  if (fingerprint === undefined) return false;
  try {
    const recorded = JSON.parse(await readFile(path.join(dataDir(dir, env), INIT_RECORD_FILE), "utf8")) as { fingerprint?: unknown } | null;
    return recorded?.fingerprint === fingerprint;
  } catch {
    return false; // none, or not ours to trust
  }
}

/** Before an init: no record, so that an init cut short never counts as done. */
export async function forgetInit(dir: string, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  await rm(path.join(dataDir(dir, env), INIT_RECORD_FILE), { force: true });
}

/** After an init that succeeded: what it left, for the next run to compare. */
export async function recordInit(dir: string, binary: string, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const fingerprint = await initFingerprint(dir, binary, env);
  if (fingerprint === undefined) return;
  await writeFile(path.join(dataDir(dir, env), INIT_RECORD_FILE), `${JSON.stringify({ version: 1, fingerprint })}\n`);
}
