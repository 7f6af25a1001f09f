// Optional project settings in `cerby-okta.yaml` (or the file named by
// $CERBY_OKTA_CONFIG): where Terraform keeps state. Credentials never go
// here: each backend reads its own from the environment.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { schemaIssues } from "../workspace/load.ts";
import { parseSourceFile } from "../workspace/source-file.ts";

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

export const ProjectConfigSchema = z.strictObject({
  backend: BackendSchema.optional(),
});

export type BackendConfig = z.infer<typeof BackendSchema>;
export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;

/** Reads the project configuration; a missing default file means all defaults. */
export async function loadProjectConfig(file = process.env.CERBY_OKTA_CONFIG ?? DEFAULT_CONFIG_FILE): Promise<ProjectConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !process.env.CERBY_OKTA_CONFIG) return {};
    throw new InputError([{ file, line: 1, column: 1, path: "", message: `cannot read: ${(error as Error).message}` }]);
  }
  const source = parseSourceFile(file, text);
  if (source.syntaxIssues.length > 0) throw new InputError(source.syntaxIssues);
  const result = ProjectConfigSchema.safeParse(source.data);
  if (!result.success) throw new InputError(schemaIssues(source, result.error.issues));
  return result.data;
}
