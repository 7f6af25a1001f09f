// Every test run gets a temporary folder of its own (TMPDIR), removed at the
// end: what cdktf's Testing helpers, Terraform sandboxes and the tests leave
// in the temp folder goes with it, instead of piling up run after run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(path.join(tmpdir(), "cerby-okta-tests-"));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
