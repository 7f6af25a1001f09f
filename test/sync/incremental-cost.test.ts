// R8: after the first sync, a change to one account costs a constant number
// of Okta API calls, however many accounts the workspace holds. The same
// measurement at 10 and 1,000 accounts is `npm run bench:incremental`.
import { describe, expect, it } from "vitest";
import { requireTerraform, shouldSkipTerraformTests } from "../../harness/terraform-env.ts";
import { costOfOneChange } from "../../harness/change-cost.ts";

describe.skipIf(shouldSkipTerraformTests())("incremental sync cost", () => {
  it("is the same for a workspace of 10 and of 100 accounts", async () => {
    requireTerraform();
    const small = await costOfOneChange(10);
    const large = await costOfOneChange(100);
    console.log(`one-account change: ${small.total} Okta API requests at 10 accounts, ${large.total} at 100`);
    expect(small.total).toBeGreaterThan(0);
    // The same requests, route by route: nothing grows with the workspace.
    expect(large.byRoute).toEqual(small.byRoute);
    expect(large.byBucket).toEqual(small.byBucket);
  }, 300_000);
});
