// The one resolution of a project, used by every entry: each CLI command,
// `watch`, the sandbox and `cdktf synth` (main.ts). Where the configuration
// file, the workspaces, the synthesized stacks, the saved plans and sync
// status are; which backend holds the state; how many shards each workspace
// has. An entry that resolved these itself would, sooner or later, write a
// stack or a state somewhere the others do not look (issue 16: an unsharded
// stack applied against an empty state duplicated every app).
import { statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.ts";
import type { OktaProviderVersion } from "./okta-provider-version.ts";
import { DEFAULT_CONFIG_FILE, loadProject, oktaProviderVersionOf, shardCountsOf, type BackendConfig, type Project } from "./project-config.ts";

/** The workspaces folder, in the project folder, unless `--workspaces` or $CERBY_OKTA_WORKSPACES says otherwise. */
export const DEFAULT_WORKSPACES_DIR = "workspaces";
/** Where stacks are synthesized, in the project folder. */
export const DEFAULT_OUT_DIR = "cdktf.out";
/** Where saved plans and sync status are kept, in the project folder. */
export const DEFAULT_STATE_DIR = ".cerby-okta";
/** Names the workspaces folder when no `--workspaces` is given (relative to the project folder). */
export const WORKSPACES_ENV = "CERBY_OKTA_WORKSPACES";

/** Folders given on the command line, relative to the current folder. */
export interface ProjectFlags {
  readonly workspaces?: string;
  readonly out?: string;
  readonly stateDir?: string;
}

export interface ResolvedProject {
  /** The project folder and its configuration file. */
  readonly project: Project;
  /** Absolute: the folder holding one sub-folder per workspace. */
  readonly workspacesDir: string;
  /** Absolute: where stacks are synthesized (`<out>/stacks/<stack id>`). */
  readonly outDir: string;
  /** Absolute: saved plans and sync status. */
  readonly stateDir: string;
  /** Where Terraform keeps each stack's state; absent: a local file per stack in the project folder. */
  readonly backend: BackendConfig | undefined;
  /** Shards per workspace ID (`shards:`); a workspace not listed is one stack. */
  readonly shardCounts: ReadonlyMap<string, number>;
  /** The okta/okta release the stacks ask Terraform for (`oktaProvider.version`, default 6.12.0). */
  readonly oktaProviderVersion: OktaProviderVersion;
  /** How the workspaces folder was chosen, for messages: `--workspaces <dir>`, `$CERBY_OKTA_WORKSPACES (<dir>)`, or absent: the default. */
  readonly workspacesNamedBy?: string;
  /** `terraformBinary` in cerby-okta.yaml: a name looked up on PATH, or an absolute path (a relative one resolved against the project folder). */
  readonly terraformBinary?: string;
}

export interface Where {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Resolves the project around `cwd` (see loadProject) and every folder in
 * it: a flag wins (relative to `cwd`), then $CERBY_OKTA_WORKSPACES for the
 * workspaces, then the default in the project folder. Refuses a state folder
 * that is a file, and a local state path inside the output folder.
 */
export async function resolveProject(flags: ProjectFlags = {}, { cwd = process.cwd(), env = process.env }: Where = {}): Promise<ResolvedProject> {
  const project = await loadProject(cwd, env);
  const resolve = (flag: string | undefined, fallback: string) => (flag === undefined || flag === "" ? path.join(project.dir, fallback) : path.resolve(cwd, flag));
  const workspacesNamedBy = flags.workspaces ? `--workspaces ${flags.workspaces}` : env[WORKSPACES_ENV] ? `$${WORKSPACES_ENV} (${env[WORKSPACES_ENV]})` : undefined;
  const resolved: ResolvedProject = {
    project,
    workspacesNamedBy,
    // A flag is relative to the current folder, as usual; the variable to the project folder, so that it names one folder from anywhere in the project.
    workspacesDir: flags.workspaces ? path.resolve(cwd, flags.workspaces) : path.resolve(project.dir, env[WORKSPACES_ENV] || DEFAULT_WORKSPACES_DIR),
    outDir: resolve(flags.out, DEFAULT_OUT_DIR),
    stateDir: resolve(flags.stateDir, DEFAULT_STATE_DIR),
    backend: project.config.backend,
    shardCounts: shardCountsOf(project),
    terraformBinary: configuredBinary(project),
    oktaProviderVersion: oktaProviderVersionOf(project),
  };
  await checkStateDir(resolved.stateDir, flags.stateDir ?? DEFAULT_STATE_DIR);
  checkLocalStatePath(resolved);
  return resolved;
}

/** `terraformBinary:` as a command runs it: a bare name stays a name (looked up on PATH), a path is made absolute. */
function configuredBinary(project: Project): string | undefined {
  const binary = project.config.terraformBinary;
  return binary === undefined || !binary.includes("/") ? binary : path.resolve(project.dir, binary);
}

/** `--state-dir` must be a folder (or not exist yet). */
async function checkStateDir(stateDir: string, shown: string): Promise<void> {
  try {
    await readdir(stateDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === "ENOTDIR") throw new UsageError(`--state-dir ${shown} is a file, not a folder`);
    throw new UsageError(`cannot use --state-dir ${shown}: ${(error as Error).message}`, { cause: error });
  }
}

/** A local state inside the output folder would be replaced by the next synth: every app would be created again. */
function checkLocalStatePath({ project, backend, outDir }: ResolvedProject): void {
  if (backend?.type !== "local" || !backend.path) return;
  const relative = path.relative(outDir, path.resolve(project.dir, backend.path));
  if (relative.startsWith("..") || path.isAbsolute(relative)) return;
  throw new UsageError(
    `${project.configFile}: backend.path ${backend.path} puts the state inside the output folder ${outDir}, which every synth replaces: the next plan would create every app again. Choose a path outside it, such as state/{workspaceId}.tfstate`,
  );
}

/**
 * Refuses a workspaces folder that does not exist (or is not a folder) with
 * what a person needs when they ran a command in the wrong folder: which
 * project folder was used, how it was found, and what to do.
 */
export function requireWorkspacesDir(resolved: ResolvedProject, cwd = process.cwd()): void {
  let problem: string;
  try {
    if (statSync(resolved.workspacesDir).isDirectory()) return;
    problem = "is not a folder";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return; // other errors: the reader names them
    problem = "does not exist";
  }
  const { project, workspacesNamedBy } = resolved;
  const rule =
    `(how it is found: the folder of the file $CERBY_OKTA_CONFIG names, else the nearest folder from the current one up holding ${DEFAULT_CONFIG_FILE}, else the nearest holding cdktf.json; ` +
    `the workspaces folder is ${DEFAULT_WORKSPACES_DIR}/ in it, unless --workspaces or $${WORKSPACES_ENV} names another)`;
  const found =
    project.foundBy === "CERBY_OKTA_CONFIG"
      ? `the project folder is ${project.dir}, from $CERBY_OKTA_CONFIG (${project.configFile})`
      : project.foundBy !== undefined
        ? `the project folder is ${project.dir}, the nearest folder up from ${path.resolve(cwd)} holding ${project.foundBy}`
        : `no project folder was found: neither ${path.resolve(cwd)} nor any folder above it holds ${DEFAULT_CONFIG_FILE} or cdktf.json`;
  const named = workspacesNamedBy ? `the workspaces folder ${resolved.workspacesDir}, named by ${workspacesNamedBy},` : `the workspaces folder ${resolved.workspacesDir}`;
  const todo =
    project.foundBy === undefined
      ? `run \`cerby-okta init\` here to start a project, or cd into your project folder`
      : workspacesNamedBy
        ? `check that path, or leave it out to use ${DEFAULT_WORKSPACES_DIR}/ in the project folder`
        : `create ${DEFAULT_WORKSPACES_DIR}/ there with one sub-folder per workspace (\`cerby-okta init\` writes an example), or name another folder with --workspaces`;
  throw new UsageError(`${named} ${problem}: ${found} ${rule}. ${todo[0]!.toUpperCase()}${todo.slice(1)}`);
}
