import { Testing } from "cdktf";
import { execa } from "execa";
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DesiredState } from "../../src/domain/desired-state.ts";
import { fittedBaseLabel } from "../../src/domain/labels.ts";
import { MAX_GROUP_NAME_BYTES, STACK_DATA_FILE, boundedAccessGroupName, buildStackData, loginSearch } from "../../src/stack/stack-data.ts";
import { OUT_MARKER } from "../../src/stack/out-dir.ts";

import { DEFAULT_RATE_LIMIT } from "../../src/domain/model.ts";
import { WorkspaceStack, type StackOptions } from "../../src/stack/workspace-stack.ts";
import { desiredFromText, oneAccountWorkspace, synthesizeInto } from "../support/desired.ts";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";

const skipTerraformTests = shouldSkipTerraformTests();

const HOSTILE_NAMES = [
  'Promo ${file("/etc/hostname")}',
  "%{ if true }x%{ endif }",
  "${TfToken[TOKEN.1]}",
  'quote " and backslash \\ and $${escaped}',
  "<!-- html comment & entity &amp; <b>tag</b> -->",
  "accents \u00e9\u00e8 CJK \u6f22\u5b57 emoji \u{1F389} 'single' `back`",
  "x".repeat(5000),
];

function synthStack(state: DesiredState, options: StackOptions = {}) {
  const workspace = state.workspaces[0]!;
  const app = Testing.app();
  const stack = new WorkspaceStack(app, workspace, options);
  return { json: Testing.synth(stack), config: JSON.parse(Testing.synth(stack)) };
}

const temporaryFolders: string[] = [];
async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), "cerby-okta-stack-"));
  temporaryFolders.push(folder);
  return folder;
}
afterEach(async () => {
  for (const folder of temporaryFolders.splice(0)) await rm(folder, { recursive: true, force: true });
});

describe("workspace stack", () => {
  const state = desiredFromText(oneAccountWorkspace("Contentzilla"));

  it("declares one bookmark app per extended account with for_each over the data file", () => {
    const { json } = synthStack(state);
    expect(
      Testing.toHaveResourceWithProperties(json, "okta_app_bookmark", {
        for_each: "${local.cerby.apps}",
        label: "${each.value.label}",
        url: "${each.value.url}",
      }),
    ).toBe(true);
  });

  it("reads the data file with jsondecode(file()) so that its strings are never templates", () => {
    const { config } = synthStack(state);
    expect(config.locals.cerby).toBe('${jsondecode(file("${path.module}/cerby-okta.json"))}');
  });

  it("assigns groups with one okta_app_group_assignments per app, including the access group", () => {
    const { json, config } = synthStack(state);
    expect(Testing.toHaveResourceWithProperties(json, "okta_app_group_assignments", { for_each: "${local.cerby.apps}" })).toBe(true);
    const assignments = config.resource.okta_app_group_assignments.assignments;
    expect(assignments.app_id).toBe("${local.app_ids[each.key]}");
    expect(assignments.dynamic.group.for_each).toContain("each.value.groups");
    expect(assignments.dynamic.group.for_each).toContain("local.access_group_ids[each.key]");
    expect(Object.keys(config.resource.okta_app_group_assignments)).toHaveLength(1);
  });

  it("sets access group members with okta_group_memberships that tracks all users", () => {
    const { json } = synthStack(state);
    expect(
      Testing.toHaveResourceWithProperties(json, "okta_group_memberships", {
        for_each: "${local.cerby.accessGroups}",
        group_id: "${local.access_group_ids[each.key]}",
        track_all_users: true,
      }),
    ).toBe(true);
  });

  it("looks IDs up in one map per resource, not by naming the resource in every instance (which costs Terraform N x N)", () => {
    const { config } = synthStack(state);
    expect(config.locals.app_ids).toBe("${{ for key, app in okta_app_bookmark.app : key => app.id }}");
    expect(config.locals.access_group_ids).toBe("${{ for key, group in okta_group.access : key => group.id }}");
    expect(JSON.stringify(config.resource)).not.toMatch(/(okta_app_bookmark\.app|okta_group\.access)\[each\.key\]/);
  });

  it("looks up users without an Okta ID by login with the plural data source, which does not fail on nobody found", () => {
    const { json } = synthStack(state);
    expect(
      Testing.toHaveDataSourceWithProperties(json, "okta_users", {
        for_each: "${local.cerby.userSearches}",
        search: [{ expression: "${each.value}" }],
      }),
    ).toBe(true);
  });

  it("configures the provider from the workspace with rate-limit defaults and no credentials", () => {
    const { json, config } = synthStack(state);
    expect(
      Testing.toHaveProviderWithProperties(json, "okta", {
        org_name: "acme",
        base_url: "okta.com",
        max_api_capacity: "${var.max_api_capacity}",
        backoff: true,
        max_retries: DEFAULT_RATE_LIMIT.maxRetries,
      }),
    ).toBe(true);
    expect(json).not.toMatch(/api_token|private_key|access_token/);
    // The binding writes 4.20.0; the project's release (default 6.12.0) replaces it.
    expect(config.terraform.required_providers.okta).toEqual({ source: "okta/okta", version: "6.12.0" });
  });

  it("asks for the project's okta/okta release, and skips the bookmark's access policy from 6.x on", () => {
    const six = synthStack(state).config;
    expect(Object.values(six.resource.okta_app_bookmark)).toEqual([expect.objectContaining({ skip_authentication_policy: true })]);
    const four = synthStack(state, { oktaProviderVersion: "4.20.0" }).config;
    expect(four.terraform.required_providers.okta).toEqual({ source: "okta/okta", version: "4.20.0" });
    // 4.20 has no such attribute: writing it would fail every plan.
    expect(JSON.stringify(four.resource.okta_app_bookmark)).not.toContain("skip_authentication_policy");
  });

  it("takes rate-limit overrides from the workspace", () => {
    const text = JSON.parse(oneAccountWorkspace("Contentzilla"));
    text.workspace.okta.rateLimit = { maxApiCapacity: 20, maxRetries: 9 };
    const { json } = synthStack(desiredFromText(JSON.stringify(text), "ws.json"));
    expect(Testing.toHaveProviderWithProperties(json, "okta", { max_api_capacity: "${var.max_api_capacity}", max_retries: 9, min_wait_seconds: 30 })).toBe(true);
    // The capacity is a variable, so that stacks applied at once can share it without changing the configuration.
    expect(JSON.parse(json).variable.max_api_capacity.default).toBe(20);
  });

  it("names the stack by the workspace ID", () => {
    const app = Testing.app();
    const stack = new WorkspaceStack(app, state.workspaces[0]!);
    expect(stack.node.id).toBe("ws-test");
  });
});

describe("stack data", () => {
  it("keys apps and access groups by account ID and splits known from looked-up users", () => {
    const data = buildStackData(desiredFromText(oneAccountWorkspace("Contentzilla")).workspaces[0]!);
    expect(data.apps).toEqual({
      "a-1": {
        label: "Contentzilla - Instagram",
        url: "https://app.cerby.com/accounts/a-1/login",
        groups: ["00g1social"],
      },
    });
    expect(data.accessGroups["a-1"]!.name).toBe("cerby-okta/ws-test/a-1");
    expect(data.accessGroups["a-1"]!.users).toEqual(["u-alice", "u-carol"]);
    expect(data.oktaUserIds).toEqual({ "u-alice": "00u1alice" });
    expect(data.userSearches).toEqual({ "u-carol": 'profile.login eq "carol@acme.example"' });
  });

  it("gives every app an access group for as long as the app exists, even when only IdP-managed teams see it", () => {
    const text = JSON.parse(oneAccountWorkspace("Contentzilla"));
    text.accounts[0].grants = [
      { team: "t-social", role: "owner" },
      { user: "u-alice", role: "manager" },
    ];
    text.teams[0].members = ["u-alice"];
    const data = buildStackData(desiredFromText(JSON.stringify(text), "ws.json").workspaces[0]!);
    expect(data.apps["a-1"]!.groups).toEqual(["00g1social"]);
    expect(data.accessGroups["a-1"]).toMatchObject({ name: "cerby-okta/ws-test/a-1", users: [] });
  });

  it("escapes quotes and backslashes in the login searches Okta receives", () => {
    expect(loginSearch('o"brien\\x@acme.example')).toBe('profile.login eq "o\\"brien\\\\x@acme.example"');
  });

  it("keeps group names within Okta's 255 characters, distinct for distinct long IDs", () => {
    const a = boundedAccessGroupName("w".repeat(100), "a".repeat(199) + "1");
    const b = boundedAccessGroupName("w".repeat(100), "a".repeat(199) + "2");
    expect(a.length).toBe(255);
    expect(a).not.toBe(b);
  });

  it("bounds group names in UTF-8 bytes, as the provider counts them, cutting only between whole characters", () => {
    // 11 + 100 + 1 + 200 characters; 3 bytes each for "é" (2) and "日" (3) or 4 for "😀" (2 UTF-16 units).
    for (const accountId of ["é".repeat(200), "日".repeat(200), "a-" + "😀".repeat(99), "é".repeat(70)]) {
      const name = boundedAccessGroupName("w".repeat(100), accountId);
      expect(Buffer.byteLength(name, "utf8"), accountId).toBeLessThanOrEqual(MAX_GROUP_NAME_BYTES);
      expect(name).not.toContain("\ufffd");
      expect(Buffer.from(name, "utf8").toString("utf8")).toBe(name);
      expect(name.startsWith(`cerby-okta/${"w".repeat(100)}/`)).toBe(true);
      expect(boundedAccessGroupName("w".repeat(100), accountId)).toBe(name);
    }
    // Under the bound in bytes: the name as it is.
    expect(boundedAccessGroupName("ws", "é".repeat(100))).toBe(`cerby-okta/ws/${"é".repeat(100)}`);
    // Two IDs differing only past the cut stay distinct.
    expect(boundedAccessGroupName("w".repeat(100), "日".repeat(199) + "1")).not.toBe(boundedAccessGroupName("w".repeat(100), "日".repeat(199) + "2"));
  });

  it("keeps IDs such as __proto__ and constructor as ordinary keys", () => {
    const text = JSON.parse(oneAccountWorkspace("Contentzilla"));
    const grants = [{ user: "u-alice", role: "owner" }, { user: "__proto__", role: "collaborator" }];
    text.accounts = [
      { ...text.accounts[0], id: "__proto__", grants },
      { ...text.accounts[0], id: "constructor", name: "Other", grants },
    ];
    text.users[1].id = "__proto__";
    text.users[1].oktaUserId = "00u1proto";
    const data = buildStackData(desiredFromText(JSON.stringify(text), "ws.json").workspaces[0]!);
    const written = JSON.parse(JSON.stringify(data));
    expect(Object.keys(written.apps).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.keys(written.accessGroups).sort()).toEqual(["__proto__", "constructor"]);
    expect(written.accessGroups.__proto__.users).toContain("__proto__");
    expect(Object.keys(written.oktaUserIds)).toContain("__proto__");
  });
});

describe("hostile account names", () => {
  it.each(HOSTILE_NAMES.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    "keeps %s out of the Terraform configuration and literal in the data file",
    async (_title, name) => {
      const out = await temporaryFolder();
      await synthesizeInto(desiredFromText(oneAccountWorkspace(name), "ws.json"), out);
      const config = await readFile(path.join(out, "stacks", "ws-test", "cdk.tf.json"), "utf8");
      const data = JSON.parse(await readFile(path.join(out, "stacks", "ws-test", STACK_DATA_FILE), "utf8"));
      expect(data.apps["a-1"].label).toBe(fittedBaseLabel({ name, app: "Instagram" }));
      expect(config).not.toContain(JSON.stringify(name).slice(1, -1));
      expect(config).not.toContain("TfToken");
    },
  );
});

describe("hostile account names through real Terraform", () => {
  beforeAll(() => {
    if (!skipTerraformTests) requireTerraform();
  });

  it.skipIf(skipTerraformTests)("evaluates the synthesized data local to exactly the literal labels", async () => {
    // Every name in one workspace: one account each.
    const text = JSON.parse(oneAccountWorkspace("placeholder"));
    const template = text.accounts[0];
    text.accounts = HOSTILE_NAMES.map((name, index) => ({ ...template, id: `a-${index}`, name }));
    const out = await temporaryFolder();
    await synthesizeInto(desiredFromText(JSON.stringify(text), "ws.json"), out);
    const stackDir = path.join(out, "stacks", "ws-test");
    const synthesized = JSON.parse(await readFile(path.join(stackDir, "cdk.tf.json"), "utf8"));

    // The real `cerby` local, without the resources (the okta/okta provider
    // cannot be downloaded here): Terraform evaluates it and reports labels.
    const probeDir = path.join(out, "probe");
    await mkdir(probeDir);
    await writeFile(path.join(probeDir, STACK_DATA_FILE), await readFile(path.join(stackDir, STACK_DATA_FILE)));
    await writeFile(
      path.join(probeDir, "main.tf.json"),
      JSON.stringify({
        locals: { cerby: synthesized.locals.cerby },
        output: { labels: { value: "${{ for id, app in local.cerby.apps : id => app.label }}" } },
      }),
    );
    const env = { TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
    await execa("terraform", ["init", "-input=false", "-no-color"], { cwd: probeDir, env });
    await execa("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: probeDir, env });
    const { stdout } = await execa("terraform", ["output", "-json", "labels"], { cwd: probeDir, env });
    const labels = JSON.parse(stdout);
    HOSTILE_NAMES.forEach((name, index) => expect(labels[`a-${index}`]).toBe(fittedBaseLabel({ name, app: "Instagram" })));
  }, 60_000);
});

describe("atomic synthesis", () => {
  it("leaves the previous output untouched and no staging folder when synthesis fails", async () => {
    const parent = await temporaryFolder();
    const out = path.join(parent, "cdktf.out");
    await mkdir(out);
    await writeFile(path.join(out, OUT_MARKER), "");
    await writeFile(path.join(out, "marker"), "previous");
    const workspace = desiredFromText(oneAccountWorkspace("Contentzilla")).workspaces[0]!;
    // Two stacks with one name make cdktf throw in the middle of building the app.
    await expect(synthesizeInto({ workspaces: [workspace, workspace] }, out)).rejects.toThrow();
    expect(await readdir(parent)).toEqual(["cdktf.out"]);
    expect(await readFile(path.join(out, "marker"), "utf8")).toBe("previous");
  });

  it("replaces the previous output whole on success", async () => {
    const parent = await temporaryFolder();
    const out = path.join(parent, "cdktf.out");
    await mkdir(path.join(out, "stacks", "ws-gone"), { recursive: true });
    await synthesizeInto(desiredFromText(oneAccountWorkspace("Contentzilla")), out);
    expect(await readdir(path.join(out, "stacks"))).toEqual(["ws-test"]);
    expect(await readdir(parent)).toEqual(["cdktf.out"]);
  });
});
