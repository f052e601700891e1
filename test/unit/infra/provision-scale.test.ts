import { describe, expect, it } from "vitest";
import { expandRange, parseProvisionArgs, ProvisionArgsError } from "../../../infra/provision/args.ts";
import { createProgress, progressBar } from "../../../infra/provision/progress.ts";
import { formatProvisionReport } from "../../../infra/provision/report.ts";
import type { ProvisionReport } from "../../../infra/provision/provision.ts";

describe("provision arguments for many tenants", () => {
  it("expands a numbered range with the first number's padding", () => {
    expect(expandRange("t-0001..t-0003")).toEqual(["t-0001", "t-0002", "t-0003"]);
    expect(expandRange("t-8..t-11")).toEqual(["t-8", "t-9", "t-10", "t-11"]);
    expect(expandRange("acme")).toEqual(["acme"]);
  });

  it("refuses ranges with different prefixes, reversed, too large or malformed", () => {
    expect(() => expandRange("a-1..b-2")).toThrow(ProvisionArgsError);
    expect(() => expandRange("t-9..t-1")).toThrow(/ends before/);
    expect(() => expandRange("t-1..t-100001")).toThrow(/more than 100000/);
    expect(() => expandRange("t-1..")).toThrow(/bad range/);
  });

  it("parses --tenants with ranges and names, --concurrency and --verbose", async () => {
    const args = await parseProvisionArgs([
      "--tenants",
      "acme,t-0001..t-1000",
      "--concurrency",
      "64",
      "--verbose",
    ]);
    expect(args.tenants).toHaveLength(1001);
    expect(args.tenants.at(-1)).toBe("t-1000");
    expect(args.concurrency).toBe(64);
    expect(args.verbose).toBe(true);
    await expect(parseProvisionArgs(["--concurrency", "0"])).rejects.toThrow(/--concurrency/);
  });
});

const report = (created: string[], found: string[]) =>
  ({ created, found, bucket: "b", workQueue: {}, intakeQueues: {} }) as unknown as ProvisionReport;

describe("provision report", () => {
  it("lists items for a few tenants and says when nothing changed", () => {
    expect(formatProvisionReport(report([], ["queue q-1", "quota acme"]))).toBe(
      "found    queue q-1\nfound    quota acme\nprovisioned: 0 created, 2 already present (nothing changed)",
    );
  });

  it("counts items per kind above 100 items unless verbose", () => {
    const queues = Array.from({ length: 200 }, (_, i) => `queue q-${i}`);
    const quotas = Array.from({ length: 100 }, (_, i) => `quota t-${i}`);
    expect(formatProvisionReport(report([...queues, ...quotas], ["bucket b"]))).toBe(
      "created  200 queue, 100 quota\nfound    1 bucket\nprovisioned: 300 created, 1 already present",
    );
    expect(formatProvisionReport(report(queues, []), { verbose: true }).split("\n")).toHaveLength(201);
  });
});

describe("provision progress", () => {
  it("redraws a bar on a TTY", () => {
    const out: string[] = [];
    const p = createProgress(
      { isTTY: true, write: (t) => void out.push(t) },
      { label: "tenants", now: () => 0 },
    );
    p.onProgress(0, 4);
    p.onProgress(2, 4);
    p.finish();
    expect(out[1]).toBe(`\r${progressBar(2, 4, 30)} tenants 2/4 (50 %) 0.0 s`);
    expect(progressBar(2, 4, 4)).toBe("[##--]");
    expect(out.at(-1)).toBe("\n");
  });

  it("writes a plain line at most every 5 s otherwise, and the last one", () => {
    let t = 0;
    const out: string[] = [];
    const p = createProgress(
      { isTTY: false, write: (s) => void out.push(s) },
      { label: "tenants", now: () => t },
    );
    for (let done = 0; done <= 100; done++) {
      t = done * 200; // 20 s in all
      p.onProgress(done, 100);
    }
    expect(out.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
    expect(out).toHaveLength(5); // at 0, 5, 10 and 15 s, and the final 100/100 at 20 s
    expect(out.at(-1)).toBe("tenants 100/100 (100 %) 20.0 s\n");
  });
});
