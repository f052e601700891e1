import type { LayoutWord } from "../layout.ts";
import { WORD_GAP, type Line } from "./lines.ts";
import type { LabelHit } from "./tokens.ts";

/**
 * Where a label's value sits on the page (pure):
 * - `right`: on the same line after the label. `phrase` is the words up to the next column gap (a
 *   name or a subject); `rest` is every word to the end of the line (a date, amount or number is
 *   found in it by its parser, across a gap: `Total (EUR) ........ 1,234.56`). `separated` says the
 *   label was set off from its value (a `:` or `#`, or a column gap), which free-text fields need:
 *   "Deliver to the address below" is a sentence, not a label.
 * - `below`: the phrase of the next line (within a few line heights) that starts under the label.
 */
export interface ValueCandidate {
  place: "right" | "below";
  phrase: LayoutWord[];
  rest: LayoutWord[];
  /** Text carried inside the label's last word after a `:` or `#` (`No.:123` → `123`), or "". */
  inlineText: string;
  separated: boolean;
}

function phrase(words: readonly LayoutWord[], from: number): LayoutWord[] {
  const out: LayoutWord[] = [];
  for (let i = from; i < words.length; i++) {
    const w = words[i]!;
    if (out.length > 0 && w.x0 - out[out.length - 1]!.x1 > WORD_GAP) break;
    out.push(w);
  }
  return out;
}

export function valueCandidates(hit: LabelHit, lines: readonly Line[]): ValueCandidate[] {
  const out: ValueCandidate[] = [];
  const words = hit.line.words;
  const last = words[hit.lastWord]!;
  const inline = /[:#]\s*(\S.*)$/.exec(last.text);
  const inlineText = inline ? inline[1]! : "";
  const next = words[hit.lastWord + 1];
  if (inlineText !== "" || next) {
    const separated =
      inlineText !== "" || /[:#]$/.test(last.text) || (next !== undefined && next.x0 - last.x1 > WORD_GAP);
    out.push({
      place: "right",
      phrase: next ? phrase(words, hit.lastWord + 1) : [],
      rest: words.slice(hit.lastWord + 1),
      inlineText,
      separated,
    });
  }
  const first = words[hit.firstWord]!;
  const x0 = first.x0;
  const x1 = last.x1;
  const height = hit.line.y1 - hit.line.y0;
  const below = lines.find(
    (l) => l.page === hit.line.page && l.index > hit.line.index && l.y0 - hit.line.y1 < 2.5 * height,
  );
  // Below only for a label that stands alone in its phrase (a column heading: `Ship To` over a name).
  const alone = inlineText === "" && (next === undefined || next.x0 - last.x1 > WORD_GAP);
  if (below && alone) {
    const start = below.words.findIndex((w) => Math.min(w.x1, x1 + 0.05) - Math.max(w.x0, x0 - 0.01) > 0);
    if (start >= 0) {
      const ph = phrase(below.words, start);
      out.push({ place: "below", phrase: ph, rest: ph, inlineText: "", separated: true });
    }
  }
  return out;
}
