// Module hooks for bin/register-ts.js: strips types from `.ts` files with
// esbuild. Results are cached by content hash under node_modules/.cache, so a
// warm start spawns no esbuild process at all.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const cacheDir = fileURLToPath(new URL("../node_modules/.cache/cerby-okta-ts/", import.meta.url));

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, "utf8");
  const key = createHash("sha256").update(file).update("\0").update(source).digest("hex");
  const cached = `${cacheDir}${key}.js`;
  try {
    return { format: "module", source: await readFile(cached, "utf8"), shortCircuit: true };
  } catch {
    // Not cached yet.
  }
  const { transform } = await import("esbuild");
  const { code } = await transform(source, { loader: "ts", format: "esm", target: "node20", sourcefile: file, sourcemap: "inline" });
  try {
    await mkdir(cacheDir, { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    await writeFile(temporary, code);
    await rename(temporary, cached);
  } catch {
    // A read-only install still runs, only slower.
  }
  return { format: "module", source: code, shortCircuit: true };
}
