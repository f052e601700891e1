import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { defineStep, isStep, StepError, type StepContext } from "../../../workers/sdk/index.ts";
import { unlimited } from "../../../workers/sdk/limiter.ts";
import { unavailableBlobs } from "../../../workers/sdk/tenant-blobs.ts";
import { defaultSteps } from "../../../workers/steps/index.ts";
import { StepRegistry } from "../../../workers/steps/registry.ts";

function ctx(settings: Record<string, unknown> = {}): StepContext {
  return {
    tenantId: tenantId("acme"),
    jobId: "job-1",
    stateName: "S",
    attempt: 0,
    idempotencyKey: "job-1:S#1",
    signal: new AbortController().signal,
    heartbeat: async () => undefined,
    log: pino({ level: "silent" }),
    blobs: unavailableBlobs(),
    settings,
    limiter: unlimited,
  };
}

const double = defineStep({
  name: "double",
  input: z.object({ n: z.number() }),
  output: z.object({ doubled: z.number().int() }),
  settings: z.object({ factor: z.number().default(2) }),
  run: async ({ n }, c) => ({ doubled: n * c.settings.factor }),
});

async function failure(p: Promise<unknown>): Promise<StepError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StepError);
  return err as StepError;
}

describe("defineStep", () => {
  it("runs with parsed input and the settings schema's defaults", async () => {
    expect(await double.handler({ n: 3 }, ctx())).toEqual({ doubled: 6 });
    expect(await double.handler({ n: 3 }, ctx({ factor: 10 }))).toEqual({ doubled: 30 });
  });

  it("refuses input that fails its schema with Sluice.InvalidStepInput and the field path", async () => {
    const err = await failure(double.handler({ n: "three" }, ctx()));
    expect(err.error).toBe("Sluice.InvalidStepInput");
    expect(err.causeText).toContain("n:");
  });

  it("refuses a result that fails its schema with Sluice.InvalidStepOutput", async () => {
    const err = await failure(double.handler({ n: 1.25 }, ctx()));
    expect(err.error).toBe("Sluice.InvalidStepOutput");
    expect(err.causeText).toContain("doubled");
  });

  it("refuses tenant settings that fail its schema with Sluice.InvalidStepSettings", async () => {
    const err = await failure(double.handler({ n: 1 }, ctx({ factor: "x" })));
    expect(err.error).toBe("Sluice.InvalidStepSettings");
    expect(err.causeText).toContain("steps.double");
  });

  it("refuses a name workflows cannot use", () => {
    expect(() =>
      defineStep({ name: "bad name", input: z.unknown(), output: z.unknown(), run: async () => null }),
    ).toThrow(/must match/);
  });

  it("marks its result as a Step; the registry refuses a second step of the same name", () => {
    expect(isStep(double)).toBe(true);
    expect(isStep({ name: "x", handler: () => null })).toBe(false);
    expect(() => new StepRegistry().add(double, double)).toThrow(/already registered/);
    expect(new StepRegistry().add(double).resolveNamed("sluice:double")?.name).toBe("double");
  });

  it("StepError keeps an Error cause's message", () => {
    const e = new StepError("Sluice.X", new Error("boom"));
    expect(e.causeText).toBe("boom");
    expect(e.message).toBe("Sluice.X: boom");
  });

  it("the built-in steps are defineStep steps", async () => {
    const greet = defaultSteps().resolve("sluice:greet");
    expect(await greet?.({ name: "Ada", greeting: "Hi" }, ctx())).toMatchObject({ message: "Hi, Ada!" });
    const err = await failure(greet?.({ name: "" }, ctx()) ?? Promise.resolve());
    expect(err.error).toBe("Sluice.InvalidStepInput");
  });
});
