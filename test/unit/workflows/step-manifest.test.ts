import { describe, expect, it } from "vitest";
import {
  BUILT_IN_STEP_NAMES,
  manifestHasStep,
  stepForResource,
  stepNameOf,
} from "../../../shared/workflows/step-manifest.ts";
import { defaultSteps } from "../../../workers/steps/index.ts";

describe("step manifest (the scheduler's names-only view of the workers' steps)", () => {
  it("lists exactly the steps of the built-in registry", () => {
    expect([...BUILT_IN_STEP_NAMES].sort()).toEqual(defaultSteps().names());
  });

  it("reads step names from activity ARNs and the sluice: short form", () => {
    expect(stepNameOf("arn:aws:states:us-east-1:000000000000:activity:greet")).toBe("greet");
    expect(stepNameOf("arn:aws:states:::activity:classify")).toBe("classify");
    expect(stepNameOf("sluice:greet")).toBe("greet");
    expect(stepNameOf("sluice:")).toBeUndefined();
    expect(stepNameOf("arn:aws:lambda:us-east-1:1:function:greet")).toBeUndefined();
  });

  it("sends every .waitForTaskToken resource to human review", () => {
    expect(stepForResource("arn:aws:states:::sqs:sendMessage.waitForTaskToken")).toBe("human-review");
  });

  it("agrees with the registry on which resources can run", () => {
    const has = manifestHasStep(BUILT_IN_STEP_NAMES);
    const registry = defaultSteps();
    for (const r of [
      "sluice:greet",
      "sluice:nope",
      "arn:aws:states:::activity:human-review",
      "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
      "arn:aws:lambda:us-east-1:1:function:greet",
    ]) {
      expect(has(r), r).toBe(registry.resolve(r) !== undefined);
    }
  });
});
