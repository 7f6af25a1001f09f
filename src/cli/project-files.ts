// What `cerby-okta init` writes into a team's own repository: the project
// settings with a backend, one example workspace (switched off, so nothing
// syncs until a person means it to), the editor schema, a .gitignore and the
// tool's workflows with the setup action and scripts they run. Contents only;
// the command writes them.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.ts";
import { WORKSPACE_SCHEMA_FILE, workspaceJsonSchemaText } from "../workspace/json-schema.ts";

export type BackendChoice = "local" | "s3" | "gcs" | "cloud";
export const BACKEND_CHOICES: readonly BackendChoice[] = ["local", "s3", "gcs", "cloud"];

export interface InitOptions {
  readonly backend: BackendChoice;
  /** S3 or GCS bucket. */
  readonly bucket?: string;
  /** S3 region. */
  readonly region?: string;
  /** HCP Terraform organization. */
  readonly organization?: string;
}

export interface ProjectFile {
  /** Relative to the project folder, with forward slashes. */
  readonly path: string;
  readonly content: string;
  /** Run as a program (a script the workflows call by its path). */
  readonly executable?: boolean;
}

const EXAMPLE_WORKSPACE = "workspaces/example/workspace.yaml";

/** Every file `init` offers, in the order it reports them. */
export function projectFiles(options: InitOptions): ProjectFile[] {
  return [
    { path: "cerby-okta.yaml", content: projectConfigText(options) },
    { path: EXAMPLE_WORKSPACE, content: exampleWorkspaceText() },
    { path: WORKSPACE_SCHEMA_FILE, content: workspaceJsonSchemaText() },
    { path: ".gitignore", content: GITIGNORE },
    ...githubFiles(),
  ];
}

/** Lines a project's .gitignore needs: what cerby-okta writes that must not be committed. */
export const GITIGNORE_LINES = ["node_modules/", "cdktf.out/", ".cerby-okta/", ".sandbox/", ".terraform/", "*.tfstate", "*.tfstate.*"];
const GITIGNORE = `# Written by cerby-okta: synthesized stacks, saved plans and local state, the sandbox.\n${GITIGNORE_LINES.join("\n")}\n`;

function projectConfigText(options: InitOptions): string {
  const header = "# cerby-okta project settings (README: \"Where the state lives\"; docs/sharding.md for shards:).\n";
  switch (options.backend) {
    case "local":
      return (
        header +
        "# Local state: a file per workspace in this folder. Fine on one machine; CI and a team need a\n" +
        "# remote backend (s3, gcs or cloud), or every runner starts with empty state.\n" +
        "backend:\n  type: local\n"
      );
    case "s3":
      return (
        header +
        "# Turn on bucket versioning: it is the state's backup. Credentials come from the AWS environment.\n" +
        `backend:\n  type: s3\n  bucket: ${yamlText(required(options.bucket, "--bucket", "s3"))}\n  key: cerby-okta/{workspaceId}.tfstate\n` +
        `  region: ${yamlText(required(options.region, "--region", "s3"))}\n  useLockfile: true\n`
      );
    case "gcs":
      return (
        header +
        "# Credentials from GOOGLE_APPLICATION_CREDENTIALS or the runner's identity.\n" +
        `backend:\n  type: gcs\n  bucket: ${yamlText(required(options.bucket, "--bucket", "gcs"))}\n  prefix: cerby-okta/{workspaceId}\n`
      );
    case "cloud":
      return (
        header +
        "# HCP Terraform, execution mode Local (cerby-okta runs Terraform itself). Token from TF_TOKEN_app_terraform_io.\n" +
        `backend:\n  type: cloud\n  organization: ${yamlText(required(options.organization, "--organization", "cloud"))}\n  workspaceName: cerby-okta-{workspaceId}\n`
      );
  }
}

function required(value: string | undefined, flag: string, backend: BackendChoice): string {
  if (value === undefined || value.trim() === "") throw new UsageError(`--backend ${backend} needs ${flag}`);
  return value;
}

/** A YAML scalar that reads back as exactly `value`. */
function yamlText(value: string): string {
  return JSON.stringify(value);
}

function exampleWorkspaceText(): string {
  return [
    `# yaml-language-server: $schema=../../${WORKSPACE_SCHEMA_FILE}`,
    "# An example: replace it with your workspace (or `cerby-okta snapshot` one from the Cerby API).",
    "# extendedAccountAccess is false, so nothing reaches Okta until you turn it on (R1).",
    "version: 1",
    "workspace:",
    "  id: ws-example",
    "  name: Example",
    "  extendedAccountAccess: false",
    "  okta:",
    "    orgName: example",
    "    baseUrl: okta.com",
    "users:",
    "  - { id: u-owner, email: owner@example.com, workspaceRole: owner }",
    "accounts:",
    "  - id: a-example",
    "    name: Example",
    "    app: Vendor Portal",
    "    grants: [{ user: u-owner, role: owner }]",
    "    okta: { extendedBy: u-owner, extendedAt: 2026-01-01T00:00:00Z }",
    "",
  ].join("\n");
}

/**
 * The workflows shipped in this package's .github/workflows, as they are, and what they use from the
 * repository they run in: the setup action and the scripts under .github/cerby-okta.
 */
function githubFiles(): ProjectFile[] {
  const github = path.join(packageRoot(), ".github");
  const folders = [
    { folder: "workflows", take: (name: string) => name.endsWith(".yml") },
    { folder: "actions/cerby-okta-setup", take: () => true },
    { folder: "cerby-okta", take: () => true },
  ];
  return folders.flatMap(({ folder, take }) => {
    let names: string[];
    try {
      names = readdirSync(path.join(github, folder)).filter(take).sort();
    } catch {
      return []; // an install without the workflows: nothing to offer
    }
    return names.map((name) => {
      const file = path.join(github, folder, name);
      return { path: `.github/${folder}/${name}`, content: readFileSync(file, "utf8"), executable: (statSync(file).mode & 0o111) !== 0 };
    });
  });
}

/** The folder holding this package's package.json (this module may run compiled, from dist/). */
function packageRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string }).name === "cerby-okta") return dir;
    } catch {
      // Not here: one folder up.
    }
    if (path.dirname(dir) === dir) throw new UsageError("cannot find cerby-okta's own package folder (its package.json)");
  }
}
