import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadProjectConfig, oktaProviderVersionOf, shardCountsOf } from "../../src/config/project-config.ts";
import { InputError } from "../../src/errors.ts";

let folder: string | undefined;
afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

async function load(name: string, text: string) {
  folder = await mkdtemp(path.join(tmpdir(), "cerby-okta-config-"));
  const file = path.join(folder, name);
  await writeFile(file, text);
  return loadProjectConfig(file);
}

describe("shards: in cerby-okta.yaml", () => {
  it.each([
    ["cerby-okta.yaml", "shards:\n  __proto__: 4\n  constructor: 2\n  ws-acme: 8\n"],
    ["cerby-okta.json", '{"shards": {"__proto__": 4, "constructor": 2, "ws-acme": 8}}'],
  ])("keeps a workspace ID such as __proto__ like any other (%s)", async (name, text) => {
    const config = await load(name, text);
    expect([...shardCountsOf({ dir: "/", config })].sort()).toEqual([["__proto__", 4], ["constructor", 2], ["ws-acme", 8]]);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype); // nothing was polluted
  });

  it("checks the count of __proto__ like any other", async () => {
    const refused = load("cerby-okta.yaml", "shards:\n  __proto__: 0\n");
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow(/cerby-okta.yaml:2:\d+ shards.__proto__: /);
  });
});

describe("oktaProvider: in cerby-okta.yaml", () => {
  it("defaults to okta/okta 6.12.0 and keeps 4.20.0 selectable", async () => {
    expect(oktaProviderVersionOf({ dir: "/", config: await load("cerby-okta.yaml", "shards: {}\n") })).toBe("6.12.0");
    expect(oktaProviderVersionOf({ dir: "/", config: await load("cerby-okta.yaml", 'oktaProvider:\n  version: "4.20.0"\n') })).toBe("4.20.0");
  });

  it.each([
    ["6.14.0", /cerby-okta\.yaml:2:\d+ oktaProvider\.version: okta\/okta 6\.14\.0 shipped unintended breaking changes \(its README says not to upgrade to it\); use 6\.12\.0 or 4\.20\.0/],
    ["6.8.0", /oktaProvider\.version: okta\/okta 6\.8\.0 is not a release cerby-okta models .*; use 6\.12\.0 or 4\.20\.0/],
    ["~> 6.12", /oktaProvider\.version: okta\/okta ~> 6\.12 is not a release cerby-okta models/],
  ])("refuses %s with the file, line, field and reason", async (version, message) => {
    const refused = load("cerby-okta.yaml", `oktaProvider:\n  version: "${version}"\n`);
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow(message);
  });

  it("refuses a misspelt field", async () => {
    await expect(load("cerby-okta.yaml", 'oktaProvider:\n  versoin: "6.12.0"\n')).rejects.toThrow(/oktaProvider/);
  });
});
