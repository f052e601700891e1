import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { intOption, parseArgs } from "../../../bench/lib/args.ts";
import { writeResult, timestampForFile } from "../../../bench/lib/results.ts";
import { median, SizeStats, spread } from "../../../bench/lib/stats.ts";
import { formatRate, formatTable } from "../../../bench/lib/table.ts";
import { measureThroughput } from "../../../bench/lib/timing.ts";
import { benchCommand } from "../../../bench/run.ts";

describe("bench/lib", () => {
  it("median and spread", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
  });

  it("SizeStats keeps mean and max", () => {
    const s = new SizeStats();
    [10, 30, 20].forEach((n) => s.add(n));
    expect([s.count, s.mean, s.max, s.total]).toEqual([3, 20, 30, 60]);
  });

  it("formats tables and rates", () => {
    const t = formatTable(
      [{ header: "a" }, { header: "n", align: "right" }],
      [
        ["xy", "1"],
        ["z", "100"],
      ],
    );
    expect(t.split("\n")).toEqual(["a     n", "--  ---", "xy    1", "z   100"]);
    expect(formatRate({ median: 1000, min: 900, max: 1100 })).toBe("1,000 (-10%/+10%)");
  });

  it("parses options", () => {
    const a = parseArgs(["--quick", "--rounds", "3", "--round-ms=50", "x"], ["rounds"]);
    expect([...a.flags]).toEqual(["quick"]);
    expect(intOption(a, "rounds", 5)).toBe(3);
    expect(intOption(a, "round-ms", 5)).toBe(50);
    expect(intOption(a, "missing", 7)).toBe(7);
    expect(a.positional).toEqual(["x"]);
    expect(() => intOption(parseArgs(["--rounds=0"]), "rounds", 1)).toThrow();
  });

  it("measures throughput over rounds", async () => {
    const t = await measureThroughput(() => 10, { warmupMs: 1, rounds: 3, roundMs: 5 });
    expect(t.rounds).toBe(3);
    expect(t.units).toBe(t.calls * 10);
    expect(t.rate.min).toBeLessThanOrEqual(t.rate.median);
    expect(t.rate.median).toBeLessThanOrEqual(t.rate.max);
  });

  it("writes result files named <name>-<timestamp>.json", async () => {
    expect(timestampForFile(new Date("2024-05-01T12:34:56.789Z"))).toBe("20240501-123456");
    const dir = await mkdtemp(path.join(os.tmpdir(), "bench-"));
    try {
      const file = await writeResult("x", { a: 1 }, dir);
      expect(path.basename(file)).toMatch(/^x-\d{8}-\d{6}\.json$/);
      expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ a: 1 });
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("benchCommand lists benchmarks and returns 2 for an unknown name", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await benchCommand(["nope"])).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toContain("asl");
    } finally {
      err.mockRestore();
    }
  });
});
