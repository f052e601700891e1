import { resolve } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../shared/config/config-error.ts";
import { loadConfig } from "../../../shared/config/config.ts";
import { loadWorkflowDirs } from "../../../shared/workflows/catalog-dirs.ts";
import { BUILT_IN_STEP_NAMES } from "../../../shared/workflows/step-manifest.ts";
import { FleetStepCatalog } from "../../../scheduler/workflows/fleet-step-catalog.ts";
import { loadStepModules } from "../../../workers/sdk/load-steps.ts";

const fixtures = resolve(import.meta.dirname, "fixtures");
const taken = BUILT_IN_STEP_NAMES;

async function problems(p: Promise<unknown>): Promise<readonly string[]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems;
}

describe("SLUICE_STEPS: step modules loaded at start", () => {
  it("takes every step a module exports: default, named, arrays; ignores other exports", async () => {
    const steps = await loadStepModules(["./steps/good.ts"], { taken, cwd: fixtures });
    expect(steps.map((s) => s.name).sort()).toEqual(["echo", "upper"]);
  });

  it("a name clash with a built-in step is a configuration error naming the module", async () => {
    const p = await problems(loadStepModules(["./steps/clash.ts"], { taken, cwd: fixtures }));
    expect(p).toEqual(['SLUICE_STEPS: ./steps/clash.ts: step "greet" clashes with a built-in step']);
  });

  it("a clash between two modules, a module with no step, and one that fails to import are all reported", async () => {
    const p = await problems(
      loadStepModules(
        ["./steps/good.ts", "./steps/good.ts", "./steps/none.ts", "./steps/throws.ts", "./nope.js"],
        {
          taken,
          cwd: fixtures,
        },
      ),
    );
    expect(p[0]).toContain('step "echo" clashes with the step of ./steps/good.ts');
    expect(p.some((l) => l.startsWith("SLUICE_STEPS: ./steps/none.ts: exports no step"))).toBe(true);
    expect(p.some((l) => l.includes("./steps/throws.ts: cannot be loaded: module failed at import"))).toBe(
      true,
    );
    expect(p.some((l) => l.startsWith("SLUICE_STEPS: ./nope.js: cannot be loaded"))).toBe(true);
  });

  it("the settings parse: a comma-separated list, and a folder", () => {
    const c = loadConfig({
      MONGO_URL: "mongodb://x",
      SLUICE_STEPS: "./a.js, pkg/steps ,",
      SLUICE_WORKFLOWS_DIR: "./wf",
    });
    expect(c.extensions).toEqual({ steps: ["./a.js", "pkg/steps"], workflowsDir: "./wf" });
    expect(loadConfig({ MONGO_URL: "mongodb://x" }).extensions).toEqual({
      steps: [],
      workflowsDir: undefined,
    });
  });
});

describe("SLUICE_WORKFLOWS_DIR: a second workflows folder", () => {
  it("a workflow name in two folders is a configuration error naming both files", async () => {
    const p = await problems(loadWorkflowDirs([resolve(fixtures, "wf-a"), resolve(fixtures, "wf-b")]));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/workflow "same" of .*wf-b\/same.asl.json clashes with .*wf-a\/same.asl.json/);
  });

  it("a folder that cannot be read is a configuration error", async () => {
    const p = await problems(loadWorkflowDirs([resolve(fixtures, "missing")]));
    expect(p[0]).toContain("cannot read");
  });
});

describe("the scheduler learns custom step names from worker heartbeats", () => {
  it("a workflow naming an unknown step becomes valid once a live worker publishes it", async () => {
    let published: string[] = [];
    let t = 0;
    const slept: number[] = [];
    const c = await FleetStepCatalog.load({
      dirs: [resolve(fixtures, "wf-b")],
      builtInSteps: taken,
      fleetStepNames: async () => published,
      now: () => t,
      log: pino({ level: "silent" }),
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
      },
    });
    expect(c.catalog.get("custom")).toBeUndefined();
    expect(c.catalog.invalid("custom")?.problems[0]).toContain("no step is registered for resource");
    t = 5000;
    expect(await c.refresh()).toBe(false); // nothing new published
    published = ["upper"];
    t = 5400;
    expect(await c.refresh()).toBe(true); // read at most once a second: waits 600 ms, then reads
    expect(slept).toEqual([600]);
    expect(c.catalog.get("custom")?.name).toBe("custom");
    expect(c.stepNames()).toContain("upper");
    published = [];
    t = 9000;
    expect(await c.refresh()).toBe(false);
    expect(c.catalog.get("custom")).toBeDefined(); // names seen are kept
  });
});
