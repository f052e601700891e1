import { describe, expect, it } from "vitest";
import { parseExposition, parseSampleLine, sampleValue } from "../../../shared/metrics/exposition.ts";
import { SluiceMetrics } from "../../../shared/metrics/sluice-metrics.ts";

const TEXT = `# HELP sluice_up 1 while this Sluice process runs.
# TYPE sluice_up gauge
sluice_up{service="scheduler"} 1

sluice_scheduler_released_total{tenant="acme"} 3
sluice_scheduler_released_total{tenant="globex"} 1
sluice_scheduler_throttled_total{tenant="acme",reason="cap"} 2
sluice_scheduler_queue_wait_seconds_bucket{le="+Inf",tenant="acme"} 3
process_cpu_user_seconds_total 0.25
odd{path="a\\"b}\\\\c\\nd"} 5 1700000000000`;

describe("the Prometheus text exposition parser", () => {
  it("reads every sample with its name, labels and value, skipping comments and blanks", () => {
    const samples = parseExposition(TEXT);
    expect(samples.map((s) => s.name)).toEqual([
      "sluice_up",
      "sluice_scheduler_released_total",
      "sluice_scheduler_released_total",
      "sluice_scheduler_throttled_total",
      "sluice_scheduler_queue_wait_seconds_bucket",
      "process_cpu_user_seconds_total",
      "odd",
    ]);
    expect(samples[3]).toMatchObject({ labels: { tenant: "acme", reason: "cap" }, value: 2 });
    expect(samples[4]!.labels).toEqual({ le: "+Inf", tenant: "acme" });
    expect(samples[5]).toMatchObject({
      labels: {},
      value: 0.25,
      line: "process_cpu_user_seconds_total 0.25",
    });
  });

  it("unescapes label values (quotes, backslashes, newlines; a brace inside a value) and ignores a timestamp", () => {
    expect(parseSampleLine('odd{path="a\\"b}\\\\c\\nd"} 5 1700000000000')).toMatchObject({
      labels: { path: 'a"b}\\c\nd' },
      value: 5,
    });
  });

  it("reads +Inf, -Inf and NaN, and refuses a line that is not a sample", () => {
    expect(parseSampleLine("x +Inf")?.value).toBe(Infinity);
    expect(parseSampleLine("x -Inf")?.value).toBe(-Infinity);
    expect(parseSampleLine("x NaN")?.value).toBeNaN();
    for (const bad of ["# TYPE x counter", "", "x", 'x{a="1" 2', "x{a=1} 2", "x one"]) {
      expect(parseSampleLine(bad), bad).toBeUndefined();
    }
  });

  it("finds the first sample of a name whose labels include the ones asked for", () => {
    expect(sampleValue(TEXT, "sluice_scheduler_released_total", { tenant: "globex" })).toBe(1);
    expect(sampleValue(TEXT, "sluice_scheduler_released_total")).toBe(3);
    expect(sampleValue(TEXT, "sluice_scheduler_throttled_total", { reason: "cap" })).toBe(2);
    expect(sampleValue(TEXT, "sluice_scheduler_released_total", { tenant: "initech" })).toBeUndefined();
    expect(sampleValue(TEXT, "sluice_scheduler_released")).toBeUndefined();
  });

  it("reads what SluiceMetrics serves", async () => {
    const m = new SluiceMetrics({ service: "worker", processMetrics: false });
    m.jobFinished("hello", "complete", 0.2);
    const text = await m.text();
    expect(sampleValue(text, "sluice_up", { service: "worker" })).toBe(1);
    expect(
      sampleValue(text, "sluice_job_duration_seconds_count", { workflow: "hello", status: "complete" }),
    ).toBe(1);
  });
});
