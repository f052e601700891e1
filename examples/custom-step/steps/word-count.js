// A step of your own: counts the words of a text document in the tenant's storage and writes a
// report beside the job's other results. `ctx.blobs` is the only way a step touches S3: keys are
// checked against the job's tenant, reads are size-limited, writes land under the job's prefix.
import { defineStep, StepError, z } from "sluice";

export const wordCount = defineStep({
  name: "word-count",
  description: "Counts the words of a text document and writes a JSON report.",
  input: z.object({ document: z.object({ key: z.string() }) }),
  output: z.object({ words: z.number().int(), top: z.array(z.string()), reportKey: z.string() }),
  // The tenant's settings for this step (its tenant document's `steps.word-count`), with defaults.
  settings: z.object({
    minWords: z.number().int().min(0).default(1),
    top: z.number().int().min(1).default(3),
  }),
  run: async ({ document }, ctx) => {
    const text = await ctx.blobs.getText(document.key, { maxBytes: 1_000_000 });
    const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
    if (words.length < ctx.settings.minWords) {
      throw new StepError(
        "Example.TooFewWords",
        `${words.length} words, fewer than ${ctx.settings.minWords}`,
      );
    }
    const counts = new Map();
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    const top = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, ctx.settings.top)
      .map(([w]) => w);
    const report = await ctx.blobs.put(
      ["reports", "word-count.json"],
      JSON.stringify({ words: words.length, top }),
      {
        contentType: "application/json",
      },
    );
    ctx.log.info({ words: words.length }, "counted");
    return { words: words.length, top, reportKey: report.key };
  },
});
