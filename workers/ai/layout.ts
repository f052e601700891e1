import { z } from "zod";

/**
 * The page layout every text source produces and every reader consumes: `pdf-text` (text items of a
 * PDF page) and `ocr` (word boxes of an image) write it, `classify` and `extract` read it. Positions are
 * fractions of the page (0..1, origin top-left), so layout rules hold for any page size or DPI.
 * Stored as JSON under the job's prefix (one object per page); step outputs carry only its key.
 */
export const LayoutWordSchema = z.strictObject({
  text: z.string().min(1).max(10_000),
  /** Left, top, right, bottom as fractions of the page width/height (origin top-left). */
  x0: z.number().min(0).max(1),
  y0: z.number().min(0).max(1),
  x1: z.number().min(0).max(1),
  y1: z.number().min(0).max(1),
  /** 0..1: 1 for text read from a PDF's text layer, the recognizer's confidence for OCR. */
  confidence: z.number().min(0).max(1),
});
export type LayoutWord = z.infer<typeof LayoutWordSchema>;

export const PageLayoutSchema = z.strictObject({
  /** 1-based page number within the document. */
  page: z.number().int().min(1),
  /** The page's size in its source units (PDF points, or image pixels), for reference only. */
  width: z.number().positive(),
  height: z.number().positive(),
  source: z.enum(["pdf-text", "ocr"]),
  /** The page's text in reading order, lines separated by `\n`. */
  text: z.string(),
  words: z.array(LayoutWordSchema),
  /** Mean word confidence (1 for a text layer; 0 for a page with no words). */
  confidence: z.number().min(0).max(1),
});
export type PageLayout = z.infer<typeof PageLayoutSchema>;
