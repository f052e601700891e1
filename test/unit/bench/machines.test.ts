import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { benchMachines, jsonataChain, jsonPathChain, mapMachine } from "../../../bench/asl/machines.ts";
import type { BenchMachine } from "../../../bench/asl/machines.ts";
import { referenceRunner } from "../../../bench/asl/reference.ts";
import { benchDeps, sluiceRunner } from "../../../bench/asl/sluice.ts";
import { compileMachine, startExecution, status, step } from "../../../shared/asl/index.ts";
import type { HistoryEvent } from "../../../shared/asl/types.ts";
import type { ExecutionState } from "../../../shared/asl/types.ts";

const SMALL = { chainStates: 5, mapItems: 6 };

/** StateEntered events of one reference execution (its own history). */
async function referenceEntries(m: BenchMachine): Promise<{ output: unknown; entered: number }> {
  const sm = new StateMachine(m.definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
  const execution = sm.run(m.input as Parameters<StateMachine["run"]>[0]);
  let entered = 0;
  const drain = (async () => {
    for await (const e of execution.eventLogs) if (e.type === "StateEntered") entered++;
  })();
  const output = await execution.result;
  await drain;
  return { output, entered };
}

/** `*StateEntered` events of one Sluice execution, with history on. */
function sluiceEntries(m: BenchMachine): number {
  const machine = compileMachine(m.definition);
  const deps = { ...benchDeps(), history: true };
  let exec: ExecutionState = startExecution(machine, m.input, {
    executionId: "arn:aws:states:us-east-1:123456789012:execution:bench:t",
    executionName: "t",
    stateMachineName: "bench",
    startTime: "2023-11-14T22:13:20.000Z",
  });
  let entered = 0;
  while (status(exec) === "running") {
    const r = step(machine, exec, deps);
    entered += r.events.filter((e: HistoryEvent) => e.type.endsWith("StateEntered")).length;
    exec = r.state;
  }
  expect(status(exec)).toBe("succeeded");
  return entered;
}

describe("ASL benchmark machines", () => {
  it("are the three machines of the benchmark at full size", () => {
    expect(benchMachines().map((m) => [m.name, m.transitions])).toEqual([
      ["chain", 50],
      ["map", 3001],
      ["jsonata", 50],
    ]);
  });

  for (const m of benchMachines(SMALL)) {
    it(`${m.name}: both engines accept it and give the same output`, async () => {
      const sluice = sluiceRunner(m).run(false);
      if (m.reference) expect(sluice.output).toEqual(await referenceRunner(m).run());
      const serialized = sluiceRunner(m).run(true);
      expect(serialized.output).toEqual(sluice.output);
      expect(serialized.serializedChars).toBeGreaterThan(0);
    });

    it(`${m.name}: transitions counted as state entries, the same on both engines`, async () => {
      expect(sluiceEntries(m)).toBe(m.transitions);
      if (m.reference) expect((await referenceEntries(m)).entered).toBe(m.transitions);
    });
  }

  it("computes what the definitions say", () => {
    expect(sluiceRunner(jsonPathChain(4)).run(false).output).toMatchObject({
      acc: { n: 4, at: "Step03" },
    });
    expect(sluiceRunner(jsonataChain(4)).run(false).output).toMatchObject({
      acc: { n: 4 },
      at: "Step03",
    });
    const map = sluiceRunner(mapMachine(4)).run(false).output;
    expect(map).toEqual([
      { v: 0, kind: "item", band: "low" },
      { v: 1, kind: "item", band: "low" },
      { v: 2, kind: "item", band: "high" },
      { v: 3, kind: "item", band: "high" },
    ]);
  });

  it("checkpoints are measured at every step", () => {
    const { steps, stats } = sluiceRunner(jsonPathChain(3)).checkpointSizes();
    expect(stats.count).toBe(steps);
    expect(stats.max).toBeGreaterThanOrEqual(stats.mean);
  });
});
