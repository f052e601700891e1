import { uploadKey } from "../shared/tenancy/keys.ts";
import type { TenantId } from "../shared/tenancy/tenant-id.ts";
import type { GeneratedDocument } from "../infra/corpus/index.ts";
import { makeBadInput, type BadInputName } from "../infra/corpus/bad-inputs.ts";
import { generateDocuments } from "./corpus-docs.ts";
import type { DemoJob, Workload } from "./workload.ts";

/**
 * The demo's main workload: generated documents (text PDFs, image-only PDFs, scans of five types,
 * each with its ground truth) dealt out to the tenants, uploaded through the blob store under each
 * tenant's `uploads/<run>/`, one `document-intelligence` job per document. The flooding tenant also
 * sends two files that cannot be read (a corrupt PDF, a password-protected one): they fail cleanly,
 * with a reason, and nothing else is disturbed.
 */
export const documentWorkload: Workload = {
  workflow: "document-intelligence",
  async prepare(ctx) {
    const total = [...ctx.counts.values()].reduce((a, b) => a + b, 0);
    ctx.say(`generating ${total} documents (text PDFs, image-only PDFs, scans; seed ${ctx.seed})...`);
    const docs = await generateDocuments(total, ctx.seed);
    const plan: { tenant: TenantId; doc: GeneratedDocument }[] = [];
    let i = 0;
    for (const [tenant, n] of ctx.counts) for (let k = 0; k < n; k++) plan.push({ tenant, doc: docs[i++]! });
    ctx.say(`uploading ${plan.length} documents through the blob store...`);
    const read = Promise.all(
      plan.map(async ({ tenant, doc }, n): Promise<DemoJob> => {
        const name = doc.truth.file;
        const { key } = await ctx.rt.blobs.put(tenant, uploadKey(tenant, ctx.runId, name), doc.bytes, {
          contentType: doc.mime,
        });
        return {
          tenant,
          idempotencyKey: `${ctx.runId}-${tenant}-${n}`,
          workflow: "document-intelligence",
          input: { document: { key } },
          document: `${name} (${doc.truth.kind}${doc.truth.strength ? ` ${doc.truth.strength}` : ""} ${doc.truth.type})`,
          truth: { type: doc.truth.type, fields: doc.truth.fields },
        };
      }),
    );
    const flooder = [...ctx.counts].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const bad = Promise.all(
      BAD_INPUTS.map(async (name, n): Promise<DemoJob> => {
        const input = await makeBadInput(name);
        const { key } = await ctx.rt.blobs.put(
          flooder,
          uploadKey(flooder, ctx.runId, input.file),
          input.bytes,
          {
            contentType: input.mime,
          },
        );
        return {
          tenant: flooder,
          idempotencyKey: `${ctx.runId}-${flooder}-bad-${n}`,
          workflow: "document-intelligence",
          input: { document: { key } },
          document: `${input.file} (${name})`,
        };
      }),
    );
    return [...(await read), ...(await bad)];
  },
};

/** Unreadable files the flooding tenant sends too (each fails with its reason). */
const BAD_INPUTS: readonly BadInputName[] = ["corrupt-pdf", "encrypted-pdf"];
