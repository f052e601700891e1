/**
 * `npm run bench -- docs`: N mixed documents (default 200: text PDFs, image-only PDFs, scans, from
 * the corpus generator) through the whole Sluice pipeline — intake queues, the fair scheduler, a
 * worker running `document-intelligence` (steps reading and writing S3 through the tenant blob
 * store, MongoDB checkpoints) — and, in the same run, the same reading work (detect, PDF text,
 * render + OCR, thumbnail, classify, extract) in a bare loop over the same files with no Sluice
 * around it: no queues, no S3, no MongoDB, the pure functions of `workers/ai/` called directly with
 * the same concurrency. Ends with
 *   docs: pages-per-s P, vs-bare R
 * where P is Sluice's pages per second and R = P ÷ the bare loop's pages per second (its overhead;
 * target ≥ 0.85). The bare loop runs first, after an unmeasured warm-up of a few documents that
 * starts the OCR workers, so neither side pays for that.
 *
 * Options: --n N (200), --seed S (11), --concurrency C (jobs at once on both sides; default the
 * worker's SLUICE_WORKER_CONCURRENCY, 8), --ocr-pool N (OCR engines on both sides; default 1, the
 * worker's SLUICE_OCR_POOL_SIZE default), --timeout S (900), --no-save.
 * Starts the local stack when AWS_ENDPOINT_URL / MONGO_URL are not set (and stops it after).
 */
import { ensureStack } from "../../infra/stack/index.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import { uploadKey } from "../../shared/tenancy/keys.ts";
import { tenantId } from "../../shared/tenancy/tenant-id.ts";
import { generateDocuments } from "../../demo/corpus-docs.ts";
import { intOption, parseArgs } from "../lib/args.ts";
import { createIsolatedFleet } from "../lib/fleet.ts";
import { machineInfo } from "../lib/machine-info.ts";
import { progress } from "../lib/progress.ts";
import { writeResult } from "../lib/results.ts";
import { runBareSide } from "./bare-side.ts";
import { runSluiceSide, type SluiceDoc } from "./sluice-side.ts";

const TENANTS = [tenantId("docs-a"), tenantId("docs-b")];

export async function docsBench(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["n", "seed", "concurrency", "timeout", "ocr-pool"]);
  const n = intOption(args, "n", 200);
  const seed = intOption(args, "seed", 11);
  const concurrency = intOption(args, "concurrency", 8);
  const timeoutMs = intOption(args, "timeout", 900) * 1000;
  const ocrPoolSize = intOption(args, "ocr-pool", 1);
  const stack = await ensureStack({});
  const fleet = await createIsolatedFleet({
    label: "docs",
    stackEnv: { ...stack.env },
    tenants: TENANTS,
    settings: { SLUICE_WORKER_CONCURRENCY: String(concurrency) },
  });
  try {
    progress(`generating ${n} documents (seed ${seed})...`);
    const files = await generateDocuments(n, seed);

    progress(`bare loop: ${files.length} documents, ${concurrency} at once...`);
    await runBareSide(files.slice(0, Math.min(4, files.length)), concurrency, ocrPoolSize); // warm-up, not measured
    const bare = await runBareSide(files, concurrency, ocrPoolSize);
    progress(`bare: ${bare.pages} pages in ${(bare.elapsedMs / 1000).toFixed(1)} s`);

    // Quotas that never hold the bench back, and no human review (nothing parks).
    await fleet.db.collection(COLLECTIONS.tenants).updateMany(
      { tenantId: { $in: TENANTS } },
      {
        $set: {
          weight: 1,
          maxConcurrency: 10_000,
          minConcurrency: 0,
          rate: null,
          steps: { review: { minConfidence: 0 } },
        },
        $inc: { version: 1 },
        $currentDate: { updatedAt: true },
      },
    );
    progress("uploading the documents through the blob store...");
    const docs: SluiceDoc[] = [];
    for (const [i, f] of files.entries()) {
      const tenant = TENANTS[i % TENANTS.length]!;
      const { key } = await fleet.rt.blobs.put(tenant, uploadKey(tenant, "bench", f.truth.file), f.bytes, {
        contentType: f.mime,
      });
      docs.push({ tenant, key });
    }
    progress(`sluice: ${docs.length} jobs through scheduler and worker (${concurrency} at once)...`);
    const sluice = await runSluiceSide(fleet, docs, {
      timeoutMs,
      runId: `bench-${Date.now().toString(36)}`,
      ocrPoolSize,
    });

    const bareRate = bare.pages / (bare.elapsedMs / 1000);
    const sluiceRate = sluice.pages / (sluice.elapsedMs / 1000);
    const ratio = sluiceRate / bareRate;
    const lines = [
      `documents ${files.length} (${Object.entries(countKinds(files.map((d) => d.truth.kind)))
        .map(([k, c]) => `${k} ${c}`)
        .join(", ")}), concurrency ${concurrency}`,
      `bare    ${bare.pages} pages in ${(bare.elapsedMs / 1000).toFixed(1)} s = ${bareRate.toFixed(2)} pages/s (${bare.failed} documents failed)`,
      `sluice  ${sluice.pages} pages in ${(sluice.elapsedMs / 1000).toFixed(1)} s = ${sluiceRate.toFixed(2)} pages/s (jobs: ${sluice.complete} complete, ${sluice.failed} failed, ${sluice.review} review)`,
      ...sluice.failures.slice(0, 5).map((f) => `  failed: ${f.slice(0, 200)}`),
      `docs: pages-per-s ${sluiceRate.toFixed(2)}, vs-bare ${ratio.toFixed(2)}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    if (!args.flags.has("no-save")) {
      const file = await writeResult("docs", {
        machine: machineInfo(),
        options: { n, seed, concurrency },
        bare: { ...bare, pagesPerSecond: bareRate },
        sluice: { ...sluice, pagesPerSecond: sluiceRate },
        ratio,
      });
      progress(`wrote ${file}`);
    }
    return sluice.jobs === files.length && sluice.complete + sluice.failed + sluice.review === files.length
      ? 0
      : 1;
  } finally {
    await fleet.cleanup();
    if (stack.startedByUs) await stack.stop();
  }
}

function countKinds(kinds: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of kinds) out[k] = (out[k] ?? 0) + 1;
  return out;
}
