import { PageLayoutSchema, type PageLayout } from "../ai/layout.ts";
import { describeIssues } from "../sdk/define-step.ts";
import type { TenantBlobs } from "../sdk/tenant-blobs.ts";
import { StepError } from "../sdk/step-error.ts";

/** The largest page layout a step reads (a dense page is ~100 KB of JSON). */
export const MAX_LAYOUT_BYTES = 8 * 1024 * 1024;
/** The most pages `classify` and `extract` read for one document. */
export const MAX_LAYOUT_KEYS = 500;

/**
 * The page layouts under `keys` (written by `pdf-text` / `ocr`), read through the tenant's blob
 * store and validated against the layout contract; one that is not a layout is the task error
 * `Sluice.InvalidLayout` with the key and the field paths.
 */
export async function readLayouts(blobs: TenantBlobs, keys: readonly string[]): Promise<PageLayout[]> {
  const out: PageLayout[] = [];
  for (const key of keys) {
    const parsed = PageLayoutSchema.safeParse(await blobs.getJson(key, { maxBytes: MAX_LAYOUT_BYTES }));
    if (!parsed.success)
      throw new StepError("Sluice.InvalidLayout", `${key}: ${describeIssues(parsed.error)}`);
    out.push(parsed.data);
  }
  return out;
}
