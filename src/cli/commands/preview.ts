import type { Command } from "commander";
import { previewDocument } from "../../domain/preview.ts";
import { formatPreview } from "../format-preview.ts";
import { addJsonOptions, emitJson, writeHuman, type JsonOutputOptions } from "../json-output.ts";
import { decideProject, settleShards } from "../settle-shards.ts";
import { workspacesOption } from "../workspaces-option.ts";

export function register(program: Command): void {
  addJsonOptions(program
    .command("preview")
    .description("show what Okta will hold, without Terraform: each chiclet and who sees it, rejected accounts, warnings, shard advice")
    .addOption(workspacesOption()), "the preview document (format v1)")
    .action(async (options: { workspaces?: string } & JsonOutputOptions) => {
      const { project, run } = await decideProject(options.workspaces);
      writeHuman(options, formatPreview(run.desired));
      await emitJson(options, previewDocument(run.desired));
      await settleShards({ project }, run, { record: false });
    });
}
