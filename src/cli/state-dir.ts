/** Saved plans, sync status and adoptions: `.cerby-okta` in the project folder, unless `--state-dir` says otherwise. */
export const DEFAULT_STATE_DIR = ".cerby-okta";
