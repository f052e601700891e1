/**
 * `npm run bench -- <name> [options]`: runs one benchmark. Benchmarks are registered in BENCHMARKS
 * (name → lazy loader), so adding one is one entry; each module is imported only when chosen.
 */

export interface Benchmark {
  summary: string;
  load(): Promise<(argv: string[]) => Promise<number>>;
}

export const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  asl: {
    summary: "Sluice's ASL engine vs aws-local-stepfunctions (transitions/s, checkpoint size)",
    load: async () => (await import("./asl/index.ts")).aslBench,
  },
  worker: {
    summary: "one worker vs a bare SQS loop (jobs/s, writes, checkpoint latency)",
    load: async () => (await import("./worker/index.ts")).workerBench,
  },
  accuracy: {
    summary:
      "document steps on a fresh corpus: per-field accuracy (text PDFs, scans), classifier, OCR pages/s",
    load: async () => (await import("./accuracy/index.ts")).accuracyBench,
  },
  fairness: {
    summary: "20 tenants, one flooding: shares, Jain, quiet waits, idle slots, quota apply (vs FIFO)",
    load: async () => (await import("./fairness/index.ts")).fairnessBench,
  },
  pdf: {
    summary:
      "document functions on generated text PDFs: detect, pdf-text, pdf-render, thumbnail (ms, pages/s)",
    load: async () => (await import("./pdf/index.ts")).pdfBench,
  },
  api: {
    summary: "job submissions through the API (real JWTs, real HTTP) vs direct SQS sends (submit/s, p50/p99)",
    load: async () => (await import("./api/index.ts")).apiBench,
  },
  tenants: {
    summary:
      "500 tenants, 490 idle: SQS requests per idle tenant, idle pickup p99, scheduler CPU, decision p99",
    load: async () => (await import("./tenants/index.ts")).tenantsBench,
  },
  docs: {
    summary: "N mixed documents through the whole pipeline vs the same reading work in a bare loop (pages/s)",
    load: async () => (await import("./docs/index.ts")).docsBench,
  },
};

function usage(): string {
  const names = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(10)} ${b.summary}`);
  return ["usage: npm run bench -- <name> [options]", "benchmarks:", ...names].join("\n");
}

export async function benchCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    console.error(usage());
    return name === undefined ? 2 : 0;
  }
  const bench = Object.hasOwn(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;
  if (!bench) {
    console.error(`unknown benchmark: ${name}\n${usage()}`);
    return 2;
  }
  const run = await bench.load();
  return run(rest);
}
