// What `cerby-okta adopt` leaves in the state folder: for each stack, the
// existing Okta objects it is to import (`adopt/<stack>.json`), until an apply
// takes them in. Every entry that writes stacks reads them (the CLI, the
// watcher and `cdktf synth`): a stack written without them would create those
// apps a second time.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.ts";
import type { Adoption } from "./stack-data.ts";

/** Where `cerby-okta adopt` leaves the objects a stack is to import, until an apply takes them in. */
export const adoptionFile = (stateDir: string, stack: string) => path.join(stateDir, "adopt", `${stack}.json`);

/** The adoptions waiting in `stateDir`, by stack ID. */
export async function readAdoptions(stateDir: string): Promise<Map<string, Adoption>> {
  const adoptions = new Map<string, Adoption>();
  let files: string[];
  try {
    files = (await readdir(path.join(stateDir, "adopt"))).filter((file) => file.endsWith(".json"));
  } catch {
    return adoptions;
  }
  for (const file of files) {
    const stack = file.slice(0, -".json".length);
    try {
      adoptions.set(stack, JSON.parse(await readFile(adoptionFile(stateDir, stack), "utf8")) as Adoption);
    } catch (error) {
      throw new UsageError(`cannot read ${adoptionFile(stateDir, stack)} (written by cerby-okta adopt): ${(error as Error).message}; delete it and run adopt again`);
    }
  }
  return adoptions;
}
