import type { DemoJob, Workload } from "./workload.ts";

/**
 * The demo's workload without documents: `hello` jobs, and one `review-demo` job in eight (it parks
 * for a human decision).
 */
export const greetingWorkload: Workload = {
  workflow: "hello + review-demo",
  async prepare(ctx) {
    const jobs: DemoJob[] = [];
    for (const [tenant, n] of ctx.counts) {
      for (let i = 0; i < n; i++) {
        const review = i % 8 === 7;
        jobs.push({
          tenant,
          idempotencyKey: `${ctx.runId}-${tenant}-${i}`,
          workflow: review ? "review-demo" : "hello",
          input: review ? { text: "Invoice 42, total due 100 EUR" } : { name: `${tenant} #${i}` },
          document: review ? "review-demo text" : `hello #${i}`,
        });
      }
    }
    return jobs;
  },
};
