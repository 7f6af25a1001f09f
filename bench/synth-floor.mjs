// The floor `npm run bench` holds `synth` against: a fresh Node process that
// does no work but the unavoidable I/O. It reads the workspace files (argv[2],
// a folder) as text, then writes every file a synth wrote (the reference
// folder argv[3], read back) to the same place in a new output folder
// (argv[4]), folder by folder. No parsing, no checks, no decisions, no cdktf.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const [workspaces, reference, out] = process.argv.slice(2);

async function readAll(folder) {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) await readAll(full);
    else await readFile(full, "utf8");
  }
}

async function copy(from, to) {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isDirectory()) await copy(path.join(from, entry.name), path.join(to, entry.name));
    else await writeFile(path.join(to, entry.name), await readFile(path.join(from, entry.name), "utf8"));
  }
}

await readAll(workspaces);
await copy(reference, out);
