import { describe, expect, it } from "vitest";
import { parseSampleLine, sampleValue } from "../../../shared/metrics/exposition.ts";
import { SluiceMetrics, type TenantCountsView } from "../../../shared/metrics/sluice-metrics.ts";
import { OTHER_TENANT, TenantLabels } from "../../../shared/metrics/tenant-label.ts";
import { tenantGaugeViews } from "../../../scheduler/metrics/export.ts";

/** The value of one series, named as it is printed (`name{label="v"}`). */
function value(text: string, series: string): number | undefined {
  const want = parseSampleLine(`${series} 0`)!;
  return sampleValue(text, want.name, want.labels);
}

const counts = (
  released: number,
  rejected = 0,
  throttled: Record<string, number> = {},
): TenantCountsView => ({
  released,
  rejected,
  throttled,
});

describe("TenantLabels", () => {
  it("names the first `cap` tenants and sums the rest as other, stably", () => {
    const labels = new TenantLabels(2);
    expect(labels.label("a")).toBe("a");
    expect(labels.label("b")).toBe("b");
    expect(labels.label("c")).toBe(OTHER_TENANT);
    expect(labels.label("a")).toBe("a");
    expect(labels.size).toBe(2);
    expect(new TenantLabels(0).label("a")).toBe(OTHER_TENANT);
    expect(() => new TenantLabels(-1)).toThrow(RangeError);
  });
});

describe("SluiceMetrics", () => {
  it("mirrors the scheduler's cumulative counts as counters, and counts again after a reset", async () => {
    const m = new SluiceMetrics({ service: "scheduler", processMetrics: false });
    let view = new Map([["acme", counts(3, 1, { cap: 2 })]]);
    m.setCountsView(() => view);
    let text = await m.text();
    expect(value(text, 'sluice_scheduler_released_total{tenant="acme"}')).toBe(3);
    expect(value(text, 'sluice_scheduler_rejected_total{tenant="acme"}')).toBe(1);
    expect(value(text, 'sluice_scheduler_throttled_total{tenant="acme",reason="cap"}')).toBe(2);
    view = new Map([["acme", counts(5, 1, { cap: 2 })]]);
    text = await m.text();
    expect(value(text, 'sluice_scheduler_released_total{tenant="acme"}')).toBe(5);
    view = new Map([["acme", counts(1)]]); // the scheduler's metrics were reset: 1 new release
    text = await m.text();
    expect(value(text, 'sluice_scheduler_released_total{tenant="acme"}')).toBe(6);
  });

  it("reads the scheduler's counts once per scrape, for all three mirrored counters", async () => {
    const m = new SluiceMetrics({ service: "scheduler", processMetrics: false });
    let reads = 0;
    let released = 2;
    m.setCountsView(() => {
      reads++;
      return new Map([["acme", counts(released, 1, { cap: 1 })]]);
    });
    let text = await m.text();
    expect(reads).toBe(1);
    expect(value(text, 'sluice_scheduler_released_total{tenant="acme"}')).toBe(2);
    expect(value(text, 'sluice_scheduler_throttled_total{tenant="acme",reason="cap"}')).toBe(1);
    released = 4;
    text = await m.text(); // the next scrape reads again
    expect(reads).toBe(2);
    expect(value(text, 'sluice_scheduler_released_total{tenant="acme"}')).toBe(4);
  });

  it("caps per-tenant series: tenants over the cap are summed under other", async () => {
    const m = new SluiceMetrics({ service: "scheduler", tenantSeriesCap: 1, processMetrics: false });
    m.setCountsView(
      () =>
        new Map([
          ["a", counts(1)],
          ["b", counts(2)],
          ["c", counts(4)],
        ]),
    );
    m.setTenantView(
      () =>
        new Map([
          ["a", { running: 1, backlog: 0, share: 0.1, fairShare: 0.2 }],
          ["b", { running: 2, backlog: 5, share: 0.2, fairShare: 0.3 }],
          ["c", { running: 3, backlog: 1, share: 0.3, fairShare: 0.1 }],
        ]),
    );
    await m.text(); // the first scrape names a (the cap is 1)
    m.released("c", 1500);
    const text = await m.text();
    expect(value(text, 'sluice_scheduler_released_total{tenant="a"}')).toBe(1);
    expect(value(text, 'sluice_scheduler_released_total{tenant="other"}')).toBe(6);
    expect(value(text, 'sluice_tenant_running{tenant="other"}')).toBe(5);
    expect(value(text, 'sluice_tenant_backlog{tenant="other"}')).toBe(6);
    expect(value(text, 'sluice_scheduler_queue_wait_seconds_sum{tenant="other"}')).toBe(1.5);
    expect(text).not.toContain('tenant="b"');
    expect(text).not.toContain('tenant="c"');
  });

  it("exports worker figures and dependency errors by kind", async () => {
    const m = new SluiceMetrics({ service: "worker", processMetrics: false });
    m.stepFinished("ocr", 0.2, undefined);
    m.stepFinished("ocr", 0.4, "Sluice.CorruptDocument");
    m.checkpoint(0.004, true);
    m.checkpoint(0.006, false);
    m.jobFinished("hello", "complete", 2);
    m.dependencyError("sqs", "Throttled");
    m.setDlqView(() => new Map([["sluice-work-dlq", 3]]));
    const text = await m.text();
    expect(value(text, 'sluice_step_duration_seconds_count{resource="ocr"}')).toBe(2);
    expect(value(text, 'sluice_step_failures_total{resource="ocr",error="Sluice.CorruptDocument"}')).toBe(1);
    expect(value(text, 'sluice_checkpoint_duration_seconds_count{outcome="lost"}')).toBe(1);
    expect(value(text, 'sluice_job_duration_seconds_count{workflow="hello",status="complete"}')).toBe(1);
    expect(value(text, 'sluice_dependency_errors_total{service="sqs",kind="Throttled"}')).toBe(1);
    expect(value(text, 'sluice_dlq_depth{queue="sluice-work-dlq"}')).toBe(3);
    expect(value(text, 'sluice_up{service="worker"}')).toBe(1);
  });
});

describe("tenantGaugeViews", () => {
  it("gives each tenant its share of the live slots and its fair share", () => {
    const quota = (weight: number) =>
      ({ status: "active", weight, minConcurrency: 0, maxConcurrency: 100 }) as never;
    const views = new Map([
      ["flood", { quota: quota(1), backlog: 50, running: 7, held: undefined }],
      ["quiet", { quota: quota(1), backlog: 2, running: 1, held: undefined }],
    ]);
    const g = tenantGaugeViews({
      views: () => views as never,
      lastTick: () => ({ liveSlots: 8 }) as never,
    });
    expect(g.get("flood")?.share).toBeCloseTo(7 / 8);
    // quiet wants 3 of the 8 slots (running + backlog): it gets them, the flood gets the other 5
    expect(g.get("flood")?.fairShare).toBeCloseTo(5 / 8);
    expect(g.get("quiet")?.fairShare).toBeCloseTo(3 / 8);
    expect(g.get("quiet")?.backlog).toBe(2);
  });

  it("with other replicas, shares the fleet among their tenants too, and reports only its own", () => {
    const quota = (weight: number) =>
      ({ status: "active", weight, minConcurrency: 0, maxConcurrency: 100 }) as never;
    // This replica serves "mine" (weight 1); another serves "theirs" (weight 3), both deep in backlog.
    const views = new Map([["mine", { quota: quota(1), backlog: 50, running: 2, held: undefined }]]);
    const alone = tenantGaugeViews({
      views: () => views as never,
      lastTick: () => ({ liveSlots: 8 }) as never,
    });
    expect(alone.get("mine")?.fairShare).toBeCloseTo(1);
    const g = tenantGaugeViews({
      views: () => views as never,
      lastTick: () => ({ liveSlots: 8 }) as never,
      peerViews: () => new Map([["theirs", { quota: quota(3), running: 6, backlog: 100 }]]) as never,
    });
    expect(g.get("mine")?.fairShare).toBeCloseTo(1 / 4);
    expect([...g.keys()]).toEqual(["mine"]);
  });
});
