// The API calls a plan's apply will cost follow the okta/okta release the
// plan's configuration asks for: 6.12's bookmarks skip the policy calls and
// the org-kind check that 4.20 makes (docs/okta-provider-6.12.md).
import { describe, expect, it } from "vitest";
import { readPlan } from "../../src/terraform/plan-report.ts";

function planCreatingOneApp(versionConstraint: string | undefined) {
  return {
    format_version: "1.2",
    resource_changes: [
      {
        address: 'okta_app_bookmark.app["a-1"]',
        mode: "managed",
        type: "okta_app_bookmark",
        name: "app",
        index: "a-1",
        change: { actions: ["create"], before: null, after: { label: "Brand - Instagram", url: "https://instagram.example/" } },
      },
    ],
    ...(versionConstraint === undefined ? {} : { configuration: { provider_config: { okta: { version_constraint: versionConstraint } } } }),
  };
}

describe("the apply's API calls in a plan report", () => {
  it("count 4.20's policy calls and org-kind check for a bookmark created with okta/okta 4.20.0", () => {
    expect(readPlan("ws-1", planCreatingOneApp("4.20.0")).applyCalls).toEqual({ me: 2, apps: 2, app: 1, other: 2 });
  });

  it("leave them out with okta/okta 6.12.0, and when the plan names no release (6.12.0 is the default)", () => {
    expect(readPlan("ws-1", planCreatingOneApp("6.12.0")).applyCalls).toEqual({ me: 2, apps: 1, app: 1 });
    expect(readPlan("ws-1", planCreatingOneApp(undefined)).applyCalls).toEqual({ me: 2, apps: 1, app: 1 });
  });
});
