// Optional project settings in `cerby-okta.yaml` (or the file named by
// $CERBY_OKTA_CONFIG): where Terraform keeps state, the shards, and which
// Terraform (or OpenTofu) binary runs. Credentials never go
// here: each backend reads its own from the environment.
//
// The folder holding that file is the project folder: default paths (the
// workspaces, the synthesized stacks, saved plans and local state) resolve
// against it, so a command run from a sub-folder finds the same state.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Document, parseDocument } from "yaml";
import { z } from "zod";
import { InputError, UsageError } from "../errors.ts";
import { writeFileAtomic } from "../files/write-file-atomic.ts";
import { schemaIssues } from "../workspace/parse-file.ts";
import { parseSourceFile } from "../workspace/source-file.ts";
import { DEFAULT_OKTA_PROVIDER_VERSION, oktaProviderVersionProblem, type OktaProviderVersion } from "./okta-provider-version.ts";

export const DEFAULT_CONFIG_FILE = "cerby-okta.yaml";

/** `{workspaceId}` in these strings is replaced by the workspace ID: one state per workspace. */
const perWorkspace = z.string().min(1).includes("{workspaceId}", { message: "must contain {workspaceId}, so that workspaces do not share one state" });

export const BackendSchema = z.discriminatedUnion("type", [
  z.strictObject({
    /** Terraform's local backend (the default): a file per workspace. */
    type: z.literal("local"),
    path: perWorkspace.optional(),
  }),
  z.strictObject({
    /** Amazon S3; credentials from the AWS environment (AWS_PROFILE, OIDC role, ...). */
    type: z.literal("s3"),
    bucket: z.string().min(1),
    key: perWorkspace,
    region: z.string().min(1),
    /** Locking with an S3 lock file (Terraform 1.10+). */
    useLockfile: z.boolean().optional(),
    /** Locking with a DynamoDB table (older setups). */
    dynamodbTable: z.string().min(1).optional(),
    roleArn: z.string().min(1).optional(),
  }),
  z.strictObject({
    /** Google Cloud Storage; credentials from GOOGLE_APPLICATION_CREDENTIALS or the runner's identity. */
    type: z.literal("gcs"),
    bucket: z.string().min(1),
    prefix: perWorkspace,
  }),
  z.strictObject({
    /** HCP Terraform or Terraform Enterprise; token from TF_TOKEN_<host> or `terraform login`. */
    type: z.literal("cloud"),
    organization: z.string().min(1),
    workspaceName: perWorkspace,
    hostname: z.string().min(1).optional(),
  }),
]);

const ShardCount = z.number().int().min(1).max(999);

export const ProjectConfigSchema = z.strictObject({
  backend: BackendSchema.optional(),
  /**
   * Shards per workspace ID: a workspace given N > 1 is split into N stacks,
   * each with its own state (docs/sharding.md). Absent: one stack.
   */
  shards: z.record(z.string(), ShardCount).optional(),
  /**
   * The Terraform binary every command runs, e.g. `tofu` for OpenTofu (a name on PATH, or a path relative to the
   * project folder), so that every machine runs the one the states were written with. `--terraform-binary` and
   * $TERRAFORM_BINARY_NAME win over it. `cdktf deploy` reads only $TERRAFORM_BINARY_NAME: its synth refuses to run
   * while that variable names another binary than this.
   * @default terraform
   */
  terraformBinary: z.string().min(1).optional(),
  /** The okta/okta provider release the stacks ask for (src/config/okta-provider-version.ts). */
  oktaProvider: z
    .strictObject({
      version: z.string().superRefine((version, context) => {
        const problem = oktaProviderVersionProblem(version);
        if (problem) context.addIssue({ code: "custom", message: problem });
      }),
    })
    .optional(),
});

export type BackendConfig = z.infer<typeof BackendSchema>;
export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;

/** Files that mark a project folder, in order of preference. */
const PROJECT_MARKERS = [DEFAULT_CONFIG_FILE, "cdktf.json"];

export interface Project {
  /** Absolute path of the project folder. */
  readonly dir: string;
  /** Absolute path of the configuration file, when there is one. */
  readonly configFile?: string;
  readonly config: ProjectConfig;
  /** How the folder was found: $CERBY_OKTA_CONFIG, or the marker file found in it; absent: none found, the current folder. */
  readonly foundBy?: "CERBY_OKTA_CONFIG" | "cerby-okta.yaml" | "cdktf.json";
}

/**
 * The project around `cwd`: the folder of $CERBY_OKTA_CONFIG when set, else
 * the nearest folder (cwd or above) holding cerby-okta.yaml, else the nearest
 * holding cdktf.json, else cwd itself.
 */
export async function loadProject(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<Project> {
  if (env.CERBY_OKTA_CONFIG) {
    const file = path.resolve(cwd, env.CERBY_OKTA_CONFIG);
    return { dir: path.dirname(file), configFile: file, config: await loadProjectConfig(file, true), foundBy: "CERBY_OKTA_CONFIG" };
  }
  for (const marker of PROJECT_MARKERS) {
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, marker))) {
        const file = path.join(dir, DEFAULT_CONFIG_FILE);
        return marker === DEFAULT_CONFIG_FILE ? { dir, configFile: file, config: await loadProjectConfig(file), foundBy: marker } : { dir, config: {}, foundBy: "cdktf.json" };
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  return { dir: path.resolve(cwd), config: {} };
}

/**
 * The workspaces folder when no `--workspaces` is given: $CERBY_OKTA_WORKSPACES
 * (relative to the project folder), else `workspaces` in the project folder.
 * The CLI and `cdktf synth` (main.ts) both resolve it here.
 */
export function defaultWorkspacesDir(project: Project, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(project.dir, env.CERBY_OKTA_WORKSPACES || "workspaces");
}

/** Shards per workspace ID, from `shards:`. */
export function shardCountsOf(project: Project): Map<string, number> {
  return new Map(Object.entries(project.config.shards ?? {}));
}

/** The okta/okta release of the project's stacks: `oktaProvider.version`, else the default. */
export function oktaProviderVersionOf(project: Project): OktaProviderVersion {
  return (project.config.oktaProvider?.version ?? DEFAULT_OKTA_PROVIDER_VERSION) as OktaProviderVersion;
}

/** Reads the project configuration; a missing default file means all defaults. */
export async function loadProjectConfig(file: string, mustExist = false): Promise<ProjectConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !mustExist) return {};
    throw new InputError([{ file, line: 1, column: 1, path: "", message: `cannot read: ${(error as Error).message}` }]);
  }
  const source = parseSourceFile(file, text);
  if (source.syntaxIssues.length > 0) throw new InputError(source.syntaxIssues);
  const result = ProjectConfigSchema.safeParse(source.data);
  if (!result.success) throw new InputError(schemaIssues(source, result.error.issues, ProjectConfigSchema));
  // zod builds records on `{}`, where a key `__proto__` sets the prototype and
  // vanishes unchecked; workspace IDs are data, so such keys are checked here
  // and the counts copied from the parsed file into a map without a prototype.
  const shards = (source.data as { shards?: Record<string, unknown> }).shards;
  if (shards === undefined) return result.data;
  const kept = result.data.shards ?? {};
  const dropped = Object.keys(shards).filter((key) => !Object.hasOwn(kept, key));
  const issues = dropped.flatMap((key) => (ShardCount.safeParse(shards[key]).error?.issues ?? []).map((issue) => ({ ...issue, path: ["shards", key, ...issue.path] })));
  if (issues.length > 0) throw new InputError(schemaIssues(source, issues, ProjectConfigSchema));
  return { ...result.data, shards: Object.assign(Object.create(null) as Record<string, number>, shards) };
}

/**
 * Adds `shards:` entries to the project's cerby-okta.yaml (created in the
 * project folder when there is none), keeping the rest of the file: the shard
 * count a workspace was first synced with, recorded where every machine and
 * CI runner reads it once committed. Returns the file written.
 */
export async function recordShardCounts(project: Project, counts: ReadonlyMap<string, number>): Promise<string> {
  const file = project.configFile ?? path.join(project.dir, DEFAULT_CONFIG_FILE);
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new UsageError(`cannot read ${file} to record shard counts: ${(error as Error).message}`, { cause: error });
  }
  const doc = text.trim() === "" ? new Document({}) : parseDocument(text);
  if (doc.errors.length > 0) throw new UsageError(`cannot record shard counts in ${file}: it does not parse (${doc.errors[0]!.message})`);
  for (const [workspaceId, count] of counts) doc.setIn(["shards", workspaceId], count);
  // Checked as it will be read: a bad file is never left behind.
  const written = doc.toString();
  const result = ProjectConfigSchema.safeParse(parseDocument(written).toJS());
  if (!result.success) throw new UsageError(`cannot record shard counts in ${file}: the result would not be valid (${result.error.issues[0]?.message})`);
  await writeFileAtomic(file, written);
  return file;
}
