import type { Command } from "commander";
import { previewDocument } from "../../domain/preview.ts";
import { formatPreview } from "../format-preview.ts";
import { loadDesiredState, workspacesDirOf, workspacesOption } from "../workspaces-option.ts";

export function register(program: Command): void {
  program
    .command("preview")
    .description("show what Okta will hold, without Terraform: each chiclet and who sees it, rejected accounts, warnings")
    .addOption(workspacesOption())
    .option("--json", "print the preview document (format v1) on stdout")
    .action(async (options: { workspaces?: string; json?: boolean }) => {
      const state = await loadDesiredState(await workspacesDirOf(options.workspaces));
      if (options.json) process.stdout.write(`${JSON.stringify(previewDocument(state), null, 2)}\n`);
      else process.stdout.write(formatPreview(state));
    });
}
