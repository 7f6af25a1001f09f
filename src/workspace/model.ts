// One workspace after loading: all files of its folder merged and checked,
// with where it came from (for messages). The rules see only its input part.
import type { WorkspaceInput } from "../domain/model.ts";
import type { SourceLocation } from "../errors.ts";

export interface Workspace extends WorkspaceInput {
  /** The folder it was read from, as shown in messages. */
  readonly folder: string;
  /** Where `workspace.id` is written, for messages about the workspace as a whole (computed on demand: locating is costly). */
  readonly settingsAt: () => SourceLocation;
}
