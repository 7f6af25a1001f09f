/**
 * End to end: the real terraform binary, the stand-in okta/okta provider and
 * the Okta emulator, with a hand-written configuration shaped like the stack
 * cerby-okta synthesizes (docs/design.md).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator, type OktaUser } from "../../harness/okta-emulator.ts";
import {
  createTerraformSandbox,
  requireTerraform,
  shouldSkipTerraformTests,
  type TerraformResult,
  type TerraformSandbox,
} from "../../harness/terraform-env.ts";

const TOKEN = "e2e-test-token";

interface Desired {
  version: 1;
  workspaceId: string;
  apps: Record<string, { label: string; url: string; groups: string[]; accessGroup: boolean }>;
  accessGroups: Record<string, { name: string; description: string; users: string[] }>;
  oktaUserIds: Record<string, string>;
  loginsToResolve: Record<string, string>;
}

/** cdk.tf.json-style configuration, as in docs/design.md. */
function stackJson(version: string) {
  return {
    terraform: { required_providers: { okta: { source: "okta/okta", version } } },
    provider: {
      okta: [
        {
          org_name: "acme",
          base_url: "okta.com",
          max_api_capacity: 50,
          backoff: true,
          min_wait_seconds: 1,
          max_wait_seconds: 5,
          max_retries: 5,
        },
      ],
    },
    locals: { cerby: '${jsondecode(file("${path.module}/cerby-okta.json"))}' },
    data: {
      okta_user: {
        by_login: {
          for_each: "${local.cerby.loginsToResolve}",
          search: [{ name: "profile.login", value: "${each.value}" }],
        },
      },
    },
    resource: {
      okta_app_bookmark: {
        app: { for_each: "${local.cerby.apps}", label: "${each.value.label}", url: "${each.value.url}" },
      },
      okta_group: {
        access: {
          for_each: "${local.cerby.accessGroups}",
          name: "${each.value.name}",
          description: "${each.value.description}",
        },
      },
      okta_group_memberships: {
        access: {
          for_each: "${local.cerby.accessGroups}",
          group_id: "${okta_group.access[each.key].id}",
          track_all_users: true,
          users: "${[for u in each.value.users : try(local.cerby.oktaUserIds[u], data.okta_user.by_login[u].id)]}",
        },
      },
      okta_app_group_assignments: {
        app: {
          for_each: "${local.cerby.apps}",
          app_id: "${okta_app_bookmark.app[each.key].id}",
          dynamic: {
            group: {
              for_each:
                "${concat(each.value.groups, each.value.accessGroup ? [okta_group.access[each.key].id] : [])}",
              content: { id: "${group.value}" },
            },
          },
        },
      },
    },
  };
}

function ok(r: TerraformResult, what: string): TerraformResult {
  if (r.exitCode !== 0) throw new Error(`terraform ${what} exited ${r.exitCode}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r;
}

const skip = shouldSkipTerraformTests();

describe.skipIf(skip)("terraform end to end with the stand-in okta provider", () => {
  let emu: OktaEmulator;
  let sb: TerraformSandbox;
  let alice: OktaUser, bob: OktaUser, carol: OktaUser, dave: OktaUser;
  let idpTeam: string;

  beforeEach(async () => {
    requireTerraform();
    emu = await startOktaEmulator({ token: TOKEN });
    alice = emu.seedUser({ login: "alice@acme.example" });
    bob = emu.seedUser({ login: "bob@acme.example" });
    carol = emu.seedUser({ login: "carol@acme.example" });
    dave = emu.seedUser({ login: "dave@acme.example" });
    idpTeam = emu.createGroup("idp-team-marketing", "from the IdP").id;
    emu.addUserToGroup(idpTeam, carol.id);
    sb = await createTerraformSandbox({ emulatorUrl: emu.url, token: TOKEN });
  });

  afterEach(async () => {
    sb?.cleanup();
    await emu?.close();
  });

  it("init, plan, apply, no-change plan, in-place label update, drift, destroy", async () => {
    const started = Date.now();
    const desired: Desired = {
      version: 1,
      workspaceId: "ws-acme",
      apps: {
        "acc-insta": { label: "Contentzilla - Instagram", url: "https://instagram.example/", groups: [idpTeam], accessGroup: true },
        "acc-x": { label: "Contentzilla - X", url: "https://x.example/", groups: [], accessGroup: true },
      },
      accessGroups: {
        "acc-insta": { name: "cerby-okta ws-acme acc-insta", description: "people who see Instagram", users: ["cu-alice", "cu-bob"] },
        "acc-x": { name: "cerby-okta ws-acme acc-x", description: "people who see X", users: ["cu-bob"] },
      },
      oktaUserIds: { "cu-alice": alice.id },
      // a name Terraform would evaluate if it were a template: stays literal through file()/jsondecode()
      loginsToResolve: { "cu-bob": "bob@acme.example" },
    };
    const writeDesired = () => writeFileSync(join(sb.workDir, "cerby-okta.json"), JSON.stringify(desired, null, 2));
    writeFileSync(join(sb.workDir, "cdk.tf.json"), JSON.stringify(stackJson(sb.providerVersion), null, 2));
    writeDesired();
    const tf = (args: string[]) => sb.terraform([...args, "-no-color"]);

    ok(await tf(["init", "-input=false"]), "init");
    ok(await tf(["plan", "-input=false", "-out=tfplan"]), "plan");
    ok(await tf(["apply", "-input=false", "tfplan"]), "apply");

    // --- show -json: what is in state
    const show = JSON.parse(ok(await tf(["show", "-json"]), "show").stdout);
    const res = show.values.root_module.resources as Array<{ address: string; values: any }>;
    const byAddr = new Map(res.map((r) => [r.address, r.values]));
    const insta = byAddr.get('okta_app_bookmark.app["acc-insta"]');
    expect(insta).toMatchObject({ label: "Contentzilla - Instagram", url: "https://instagram.example/", name: "bookmark", sign_on_mode: "BOOKMARK" });
    const instaId: string = insta.id;
    expect(emu.state.apps.get(instaId)?.label).toBe("Contentzilla - Instagram");
    const accessInsta = byAddr.get('okta_group.access["acc-insta"]');
    expect(accessInsta.name).toBe("cerby-okta ws-acme acc-insta");
    expect(byAddr.get('data.okta_user.by_login["cu-bob"]')).toMatchObject({ id: bob.id, login: "bob@acme.example", status: "ACTIVE" });
    expect([...byAddr.get('okta_group_memberships.access["acc-insta"]').users].sort()).toEqual([alice.id, bob.id].sort());
    expect(byAddr.get('okta_app_group_assignments.app["acc-insta"]').group.map((g: any) => g.id)).toEqual([idpTeam, accessInsta.id]);

    // --- the dashboard: who sees what
    const labels = (u: OktaUser) => emu.appLinksFor(u.id).map((l) => l.label).sort();
    expect(labels(alice)).toEqual(["Contentzilla - Instagram"]);
    expect(labels(bob)).toEqual(["Contentzilla - Instagram", "Contentzilla - X"]);
    expect(labels(carol)).toEqual(["Contentzilla - Instagram"]);
    expect(labels(dave)).toEqual([]);

    // --- second plan: no changes; refresh reads apps and their groups (apps bucket)
    emu.resetRequestLog();
    const secondPlan = await tf(["plan", "-input=false", "-detailed-exitcode"]);
    expect(secondPlan.exitCode, `${secondPlan.stdout}\n${secondPlan.stderr}`).toBe(0);
    expect(emu.requestCount({ method: "GET", route: "/api/v1/apps/{id}/groups" })).toBe(2);
    expect(emu.requestCount({ method: "GET", route: "/api/v1/groups/{id}/users" })).toBe(2);
    expect(emu.requestCount({ method: "GET", route: "/api/v1/users/me" })).toBe(2); // verifyCredentials: v3 and v2 clients
    expect(emu.requestCount({ method: "GET", route: "/api/v1/users" })).toBe(1); // one search, limit=1, for one login
    expect(emu.requestCount({ method: "GET", route: "/api/v1/users/{id}/roles" })).toBe(2); // admin_roles, then roles
    expect(emu.requestCount({ method: "GET", route: "/api/v1/users/{id}/groups" })).toBe(1);
    // the org kind is cached per provider process, but the cache is unguarded: two bookmarks read at once may both ask
    expect(emu.requestCount({ method: "GET", route: "/.well-known/okta-organization" })).toBeGreaterThanOrEqual(1);
    expect(emu.requestCount({ method: "GET", route: "/.well-known/okta-organization" })).toBeLessThanOrEqual(2);
    expect(emu.requestCount({ method: "PUT" }) + emu.requestCount({ method: "POST" }) + emu.requestCount({ method: "DELETE" })).toBe(0);

    // --- label change: in-place update, same app id
    desired.apps["acc-insta"]!.label = "Contentzilla - Instagram (Brand)";
    writeDesired();
    ok(await tf(["plan", "-input=false", "-out=tfplan2"]), "plan 2");
    const plan2 = JSON.parse(ok(await tf(["show", "-json", "tfplan2"]), "show plan 2").stdout);
    const changes = new Map<string, string[]>(plan2.resource_changes.map((c: any) => [c.address, c.change.actions]));
    expect(changes.get('okta_app_bookmark.app["acc-insta"]')).toEqual(["update"]);
    for (const [addr, actions] of changes) if (addr !== 'okta_app_bookmark.app["acc-insta"]') expect(actions, addr).toEqual(["no-op"]);
    ok(await tf(["apply", "-input=false", "tfplan2"]), "apply 2");
    expect(emu.state.apps.get(instaId)?.label).toBe("Contentzilla - Instagram (Brand)");
    expect(emu.state.apps.size).toBe(2);
    expect(labels(alice)).toEqual(["Contentzilla - Instagram (Brand)"]);

    // --- drift: console edits show in the next plan and apply reverts them
    const xId: string = byAddr.get('okta_app_bookmark.app["acc-x"]').id;
    emu.renameApp(xId, "Renamed in console");
    emu.assignGroupToApp(xId, idpTeam);
    emu.addUserToGroup(accessInsta.id, dave.id);
    ok(await tf(["plan", "-input=false", "-out=tfplan3"]), "plan 3");
    const plan3 = JSON.parse(ok(await tf(["show", "-json", "tfplan3"]), "show plan 3").stdout);
    const drift = new Map<string, any>(plan3.resource_changes.map((c: any) => [c.address, c.change]));
    expect(drift.get('okta_app_bookmark.app["acc-x"]').actions).toEqual(["update"]);
    expect(drift.get('okta_app_bookmark.app["acc-x"]').before.label).toBe("Renamed in console");
    expect(drift.get('okta_app_group_assignments.app["acc-x"]').actions).toEqual(["update"]);
    expect(drift.get('okta_group_memberships.access["acc-insta"]').actions).toEqual(["update"]);
    expect(drift.get('okta_group_memberships.access["acc-insta"]').before.users).toContain(dave.id);
    expect(labels(dave)).toEqual(["Contentzilla - Instagram (Brand)"]);
    ok(await tf(["apply", "-input=false", "tfplan3"]), "apply 3");
    expect(emu.state.apps.get(xId)?.label).toBe("Contentzilla - X");
    expect([...emu.state.appGroups.get(xId)!.keys()]).toEqual([byAddr.get('okta_group.access["acc-x"]').id]);
    expect(labels(dave)).toEqual([]);
    expect(labels(carol)).toEqual(["Contentzilla - Instagram (Brand)"]);
    expect((await tf(["plan", "-input=false", "-detailed-exitcode"])).exitCode).toBe(0);

    // --- an app deleted in the console is recreated
    emu.deleteApp(xId);
    const replan = await tf(["plan", "-input=false", "-detailed-exitcode"]);
    expect(replan.exitCode).toBe(2);
    expect(replan.stdout).toMatch(/okta_app_bookmark\.app\["acc-x"\] will be created/);

    // --- destroy: managed objects gone, IdP group untouched, nobody sees anything
    ok(await tf(["destroy", "-input=false", "-auto-approve"]), "destroy");
    expect(emu.state.apps.size).toBe(0);
    expect([...emu.state.groups.keys()]).toEqual([idpTeam]);
    expect(emu.state.groupMembers.get(idpTeam)!.has(carol.id)).toBe(true);
    for (const u of [alice, bob, carol, dave]) expect(labels(u)).toEqual([]);

    console.log(`[harness] terraform e2e cycle took ${Date.now() - started} ms`);
  }, 120_000);
});
