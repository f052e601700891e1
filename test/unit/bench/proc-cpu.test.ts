import { describe, expect, it } from "vitest";
import { processCpuMs, statCpuMs } from "../../../bench/lib/proc-cpu.ts";

describe("bench CPU from /proc", () => {
  it("reads utime + stime (fields 14 and 15) in ms, whatever the command name holds", () => {
    const rest = "S 1 77 77 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 12345 1000 100";
    expect(statCpuMs(`4242 (java) ${rest}`)).toBe(3000);
    expect(statCpuMs(`4242 (odd) name (x)) ${rest}`)).toBe(3000);
    expect(statCpuMs("4242 (cut")).toBeUndefined();
  });

  it("this process's own CPU grows with work; a missing pid is undefined", () => {
    const before = processCpuMs(process.pid);
    expect(before).toBeTypeOf("number");
    let x = 0;
    const until = Date.now() + 60;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    expect(processCpuMs(process.pid)).toBeGreaterThanOrEqual(before as number);
    expect(processCpuMs(2 ** 30)).toBeUndefined();
  });
});
