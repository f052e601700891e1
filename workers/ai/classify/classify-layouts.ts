import type { PageLayout } from "../layout.ts";
import { classifyText, type Classification, type ClassifierModel } from "./model.ts";

/**
 * A document's text as the classifier sees it: its pages' text in page order, separated by a blank
 * line. Training (infra/train) builds its texts with this same function from text-PDF layouts.
 */
export function documentText(layouts: readonly Pick<PageLayout, "page" | "text">[]): string {
  return layouts
    .toSorted((a, b) => a.page - b.page)
    .map((l) => l.text)
    .join("\n\n");
}

/** Classifies a document from its page layouts. Pure. */
export function classifyLayouts(model: ClassifierModel, layouts: readonly PageLayout[]): Classification {
  return classifyText(model, documentText(layouts));
}
