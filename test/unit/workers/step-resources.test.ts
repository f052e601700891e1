import { describe, expect, it } from "vitest";
import { defaultSteps } from "../../../workers/steps/index.ts";
import { StepRegistry } from "../../../workers/steps/registry.ts";

describe("StepRegistry resources", () => {
  it("close() closes every owned resource once, in reverse order, even when one throws", async () => {
    const closed: string[] = [];
    const registry = new StepRegistry()
      .own({ close: async () => void closed.push("pool") })
      .own({
        close: async () => {
          closed.push("client");
          throw new Error("client close failed");
        },
      })
      .own({ close: async () => void closed.push("cache") });
    await expect(registry.close()).rejects.toThrow("client close failed");
    await expect(registry.close()).rejects.toThrow("client close failed");
    expect(closed).toEqual(["cache", "client", "pool"]);
  });

  it("the built-in registry has the ocr step and closes without having started an engine", async () => {
    const steps = defaultSteps({ ocrPoolSize: 2 });
    expect(steps.has("ocr")).toBe(true);
    await expect(steps.close()).resolves.toBeUndefined();
  });
});
