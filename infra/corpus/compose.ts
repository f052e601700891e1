/** Picks the template family of a type and composes one document (no rendering). */
import { Rng, type Seed } from "./prng.ts";
import { composeContract } from "./templates/contract.ts";
import { composeInvoice } from "./templates/invoice.ts";
import { composeLetter } from "./templates/letter.ts";
import { composePurchaseOrder } from "./templates/purchase-order.ts";
import { composeReceipt } from "./templates/receipt.ts";
import { pageText } from "./page-model.ts";
import { DOC_TYPES, type ComposeOptions, type ComposedDocument, type DocType } from "./types.ts";

const COMPOSERS: Record<DocType, (rng: Rng, opts: ComposeOptions) => ComposedDocument> = {
  invoice: (rng) => composeInvoice(rng),
  receipt: (rng) => composeReceipt(rng),
  purchase_order: (rng) => composePurchaseOrder(rng),
  contract: (rng, opts) => composeContract(rng, opts),
  letter: (rng) => composeLetter(rng),
};

/**
 * The document a seed gives, before rendering: pages (as page specs), their ground-truth text and
 * fields. Cheap (no images), so a classifier can train on thousands of these.
 */
export function composeDocument(
  seed: Seed,
  opts: { type?: DocType; maxPages?: number } = {},
): ComposedDocument & { text: string[] } {
  const rng = Rng.of(seed);
  const type = opts.type ?? rng.fork("type").pick(DOC_TYPES);
  const doc = COMPOSERS[type](rng.fork(type), { maxPages: opts.maxPages ?? 3 });
  return { ...doc, text: doc.pages.map(pageText) };
}
