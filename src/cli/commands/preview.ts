import type { Command } from "commander";
import { previewDocument } from "../../domain/preview.ts";
import { formatPreview } from "../format-preview.ts";
import { decideProject, settleShards } from "../settle-shards.ts";
import { workspacesOption } from "../workspaces-option.ts";

export function register(program: Command): void {
  program
    .command("preview")
    .description("show what Okta will hold, without Terraform: each chiclet and who sees it, rejected accounts, warnings, shard advice")
    .addOption(workspacesOption())
    .option("--json", "print the preview document (format v1) on stdout")
    .action(async (options: { workspaces?: string; json?: boolean }) => {
      const { project, run } = await decideProject(options.workspaces);
      if (options.json) process.stdout.write(`${JSON.stringify(previewDocument(run.desired), null, 2)}\n`);
      else process.stdout.write(formatPreview(run.desired));
      await settleShards({ project }, run, { record: false });
    });
}
