// Every workflow in .github/workflows/ must be a valid GitHub Actions
// workflow: checked offline against the official schema (SchemaStore's
// github-workflow.json, compiled into @action-validator/core's WebAssembly).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { validateWorkflow, type ValidationError } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const folder = path.join(import.meta.dirname, "../../.github/workflows");
const workflows = readdirSync(folder).filter((file) => /\.ya?ml$/.test(file)).sort();

/** One line per problem, nested `oneOf` alternatives included, so that a failure says what and where. */
function describeErrors(errors: readonly ValidationError[], indent = ""): string[] {
  return errors.flatMap((error) => [
    `${indent}${"path" in error ? `${error.path}: ` : ""}${error.title}${error.detail ? ` (${error.detail})` : ""}`,
    ...("states" in error && error.states ? error.states.flatMap((state) => describeErrors(state.errors, `${indent}  `)) : []),
  ]);
}

describe("the GitHub workflows", () => {
  it("are there: review, reconcile and apply-on-merge", () => {
    expect(workflows).toEqual(expect.arrayContaining(["apply.yml", "reconcile.yml", "review.yml"]));
  });

  it.each(workflows)("%s validates against the GitHub Actions workflow schema", (file) => {
    const { errors } = validateWorkflow(readFileSync(path.join(folder, file), "utf8"));
    expect(describeErrors(errors)).toEqual([]);
  });

  it("the schema check catches a misspelt key (the checker is not a no-op)", () => {
    const { errors } = validateWorkflow("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n");
    expect(describeErrors(errors).join("\n")).toContain("Additional property 'stepz' is not allowed");
  });

  it.each(workflows)("%s checks the backend before any cloud credentials step", (file) => {
    const workflow = parse(readFileSync(path.join(folder, file), "utf8")) as { jobs: Record<string, { steps?: { name?: string; uses?: string; id?: string }[] }> };
    for (const job of Object.values(workflow.jobs)) {
      const steps = job.steps ?? [];
      const credentials = steps.findIndex((step) => /configure-aws-credentials|google-github-actions\/auth/.test(step.uses ?? ""));
      if (credentials === -1) continue;
      const check = steps.findIndex((step) => step.id === "backend");
      expect(check, `${file}: a backend check (id: backend) before the credentials step`).toBeGreaterThanOrEqual(0);
      expect(check).toBeLessThan(credentials);
    }
  });
});
