// A saved plan of `apps` new chiclets in stack ws-big, as `readPlan` reads
// Terraform's JSON: for tests of what the review and the workflows make of
// many rows. Labels come from `label` (by default long, plain ones).
import type { SavedPlan } from "../../src/sync/saved-plans.ts";
import { readPlan } from "../../src/terraform/plan-report.ts";

export function createdAppsPlan(apps: number, label = (index: number) => `Brand ${index} - Instagram ${"x".repeat(40)}`): SavedPlan {
  const planJson = {
    format_version: "1.2",
    resource_changes: Array.from({ length: apps }, (_, index) => ({
      address: `okta_app_bookmark.app["a-${index}"]`,
      mode: "managed",
      type: "okta_app_bookmark",
      name: "app",
      index: `a-${index}`,
      change: { actions: ["create"], before: null, after: { label: label(index) } },
    })),
  };
  return { stack: "ws-big", workspaceId: "ws-big", plannedAt: "2026-01-01T00:00:00Z", refreshed: false, report: readPlan("ws-big", planJson), accounts: {}, stackDigest: "" };
}
