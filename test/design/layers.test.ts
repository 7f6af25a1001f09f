// docs/design.md's layer table is the rule: every folder of src/ is in it,
// and every import in src/ is one its row allows (src folders and packages).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SRC = path.join(ROOT, "src");

interface Layer {
  readonly mayImport: ReadonlySet<string> | "all";
  readonly packages: ReadonlySet<string>;
}

/** `| `domain` | job | `text` | nothing |` rows of the "Layers" table. */
function layerTable(): Map<string, Layer> {
  const design = readFileSync(path.join(ROOT, "docs", "design.md"), "utf8");
  const section = design.slice(design.indexOf("## Layers"), design.indexOf("\n## ", design.indexOf("## Layers") + 1));
  const layers = new Map<string, Layer>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
    const name = /^`([^`]+)`$/.exec(cells[0] ?? "")?.[1];
    if (!name || cells.length !== 4) continue;
    const names = (cell: string) => new Set([...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
    const packages = names(cells[3]!);
    if (/\bnode\b/.test(cells[3]!.replace(/`[^`]*`/g, ""))) packages.add("node");
    layers.set(name, { mayImport: cells[2] === "every folder" ? "all" : names(cells[2]!), packages });
  }
  return layers;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith(".ts") ? [full] : [];
  });
}

/** The layer a file of src/ belongs to: its top folder, or its own name at the top. */
function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

/** Every module specifier a file imports, statically or dynamically, types included. */
function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)|^\s*import\s+"([^"]+)"/gm)].map(
    (match) => match[1] ?? match[2] ?? match[3]!,
  );
}

/** The packages a move from cdktf (archived) to its fork would touch: their importers are listed in docs/design.md. */
const CDKTF_PACKAGES = new Set(["cdktf", "@cdktf/provider-okta", "constructs"]);

const packageName = (specifier: string) => (specifier.startsWith("node:") ? "node" : specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!);

describe("the layers of docs/design.md", () => {
  const layers = layerTable();
  const files = sourceFiles(SRC);

  it("lists every folder and top-level file of src/", () => {
    expect(layers.size).toBeGreaterThan(10);
    const present = new Set(files.map(layerOf));
    expect([...present].filter((name) => !layers.has(name)).sort()).toEqual([]);
    expect([...layers.keys()].filter((name) => !present.has(name)).sort()).toEqual([]);
  });

  it("is kept by every import in src/", () => {
    const broken: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      const rule = layers.get(layer);
      if (!rule) continue;
      for (const specifier of imports(file)) {
        const where = `${path.relative(ROOT, file)} imports ${specifier}`;
        if (specifier.startsWith(".")) {
          const target = path.resolve(path.dirname(file), specifier);
          if (!target.startsWith(SRC + path.sep)) broken.push(`${where}: outside src/`);
          const targetLayer = layerOf(target);
          if (targetLayer !== layer && rule.mayImport !== "all" && !rule.mayImport.has(targetLayer)) broken.push(`${where}: ${layer} may not import ${targetLayer}`);
        } else if (!rule.packages.has(packageName(specifier))) {
          broken.push(`${where}: ${layer} may not use ${packageName(specifier)}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("keeps cdktf, its Okta bindings and constructs in the modules docs/design.md lists under cdktf's end of life", () => {
    const design = readFileSync(path.join(ROOT, "docs", "design.md"), "utf8");
    const start = design.indexOf("## cdktf's end of life");
    expect(start).toBeGreaterThan(-1);
    const end = design.indexOf("\n## ", start + 1);
    const section = design.slice(start, end === -1 ? undefined : end);
    const listed = [...section.matchAll(/^\| `([^`]+\.ts)` \|/gm)].map((match) => match[1]!).sort();
    const everyModule = ["main.ts", ...["src", "harness", "sandbox", "bench", "test"].flatMap((folder) => sourceFiles(path.join(ROOT, folder)).map((file) => path.relative(ROOT, file)))];
    const usingCdktf = everyModule.filter((file) => imports(path.join(ROOT, file)).some((specifier) => CDKTF_PACKAGES.has(packageName(specifier)))).sort();
    expect(usingCdktf).toEqual(listed);
  });

  it("keeps cdktf and yaml out of the watcher", () => {
    for (const file of files.filter((candidate) => layerOf(candidate) === "watch")) {
      expect(imports(file).filter((specifier) => /^(cdktf|yaml|@cdktf\/)/.test(specifier)), file).toEqual([]);
    }
  });
});
