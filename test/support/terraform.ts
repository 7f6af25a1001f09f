// Tests that run the real `terraform` binary fail loudly when it is missing,
// unless the run is told to skip them with CERBY_OKTA_SKIP_TERRAFORM_TESTS=1.
import { execaSync } from "execa";

export const skipTerraformTests = process.env.CERBY_OKTA_SKIP_TERRAFORM_TESTS === "1";

export function assertTerraformAvailable(): void {
  try {
    execaSync("terraform", ["version"]);
  } catch (error) {
    throw new Error(
      "terraform binary not found on PATH: install Terraform 1.x, or set CERBY_OKTA_SKIP_TERRAFORM_TESTS=1 to skip the tests that need it",
      { cause: error },
    );
  }
}
