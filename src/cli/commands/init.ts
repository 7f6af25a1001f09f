import type { Command } from "commander";
import { Option } from "commander";
import { chmod, readFile } from "node:fs/promises";
import path from "node:path";
import { ensureFolder } from "../../files/ensure-folder.ts";
import { writeFileIfAbsent } from "../../files/write-file-atomic.ts";
import { BACKEND_CHOICES, GITIGNORE_LINES, projectFiles, type BackendChoice } from "../project-files.ts";

interface InitFlags {
  backend: BackendChoice;
  bucket?: string;
  region?: string;
  organization?: string;
}

export function register(program: Command): void {
  program
    .command("init")
    .description(
      "start a project in DIR (default: the current folder): cerby-okta.yaml with a state backend, an example workspace (switched off), " +
        "the editor schema, a .gitignore and the GitHub workflows (with the setup action and scripts they run); never overwrites a file, so it is safe to run again",
    )
    .argument("[dir]", "the project folder", ".")
    .addOption(new Option("--backend <type>", "where Terraform keeps state").choices([...BACKEND_CHOICES]).default("local"))
    .option("--bucket <name>", "the S3 or GCS bucket (--backend s3 or gcs)")
    .option("--region <region>", "the S3 bucket's region (--backend s3)")
    .option("--organization <name>", "the HCP Terraform organization (--backend cloud)")
    .action(async (dir: string, flags: InitFlags) => {
      const root = path.resolve(dir);
      const files = projectFiles(flags); // refuses a backend missing its settings before anything is written
      for (const file of files) {
        const target = path.join(root, ...file.path.split("/"));
        await ensureFolder(path.dirname(target));
        if (await writeFileIfAbsent(target, file.content)) {
          if (file.executable) await chmod(target, 0o755);
          process.stderr.write(`wrote ${file.path}\n`);
        } else if (file.path === ".gitignore") {
          const present = new Set((await readFile(target, "utf8")).split(/\r?\n/).map((line) => line.trim()));
          const missing = GITIGNORE_LINES.filter((line) => !present.has(line));
          process.stderr.write(`kept .gitignore (exists)${missing.length > 0 ? `; add these lines to it: ${missing.join(" ")}` : ""}\n`);
        } else {
          process.stderr.write(`kept ${file.path} (exists; not overwritten)\n`);
        }
      }
      process.stderr.write(
        "next: put your workspaces under workspaces/ (or `cerby-okta snapshot` them from the Cerby API), run `cerby-okta validate` and `cerby-okta preview`, " +
          "then `cerby-okta plan`; the README's \"Quick start\" and docs/workflows.md say what the workflows need\n",
      );
    });
}
