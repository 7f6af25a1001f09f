// One workspace after loading: all files of its folder merged and checked.
import type { SourceLocation } from "../errors.ts";
import type { Account, Team, User, WorkspaceSettings } from "./schema.ts";

export interface Workspace {
  /** The folder it was read from, as shown in messages. */
  readonly folder: string;
  /** Where `workspace.id` is written, for messages about the workspace as a whole (computed on demand: locating is costly). */
  readonly settingsAt: () => SourceLocation;
  readonly settings: WorkspaceSettings;
  readonly users: readonly User[];
  readonly teams: readonly Team[];
  readonly accounts: readonly Account[];
}
