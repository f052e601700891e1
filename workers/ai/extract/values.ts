import type { LayoutWord } from "../layout.ts";
import type { Line } from "./lines.ts";
import type { LabelHit } from "./tokens.ts";

/**
 * Where a label's value sits on the page: to its right on the same line (the first gap may be wide,
 * a column; the words after it must be close together), or directly below it (the next line within
 * a few line heights that has a word under the label's span). Pure.
 */
export interface ValueCandidate {
  words: LayoutWord[];
  /** Text of the value; may start with the rest of the label's last word (`No.:123` → `123`). */
  text: string;
  place: "right" | "below";
}

/** Largest gap between two words of one value, as a fraction of the page width. */
const WORD_GAP = 0.03;

function run(words: readonly LayoutWord[], from: number): LayoutWord[] {
  const out: LayoutWord[] = [];
  for (let i = from; i < words.length; i++) {
    const w = words[i]!;
    if (out.length > 0 && w.x0 - out[out.length - 1]!.x1 > WORD_GAP) break;
    out.push(w);
  }
  return out;
}

/** The part of a word after a `:` or `#` (`No.:123` → `123`), or "". */
function tail(word: LayoutWord): string {
  const m = /[:#]\s*(\S.*)$/.exec(word.text);
  return m ? m[1]! : "";
}

export function valueCandidates(hit: LabelHit, lines: readonly Line[]): ValueCandidate[] {
  const out: ValueCandidate[] = [];
  const labelWords = hit.line.words.slice(hit.firstWord, hit.lastWord + 1);
  const rest = tail(hit.line.words[hit.lastWord]!);
  const right = run(hit.line.words, hit.lastWord + 1);
  if (rest !== "" || right.length > 0) {
    const text = [rest, ...right.map((w) => w.text)].filter((s) => s !== "").join(" ");
    out.push({
      words: rest !== "" ? [hit.line.words[hit.lastWord]!, ...right] : right,
      text,
      place: "right",
    });
  }
  const x0 = labelWords[0]!.x0;
  const x1 = labelWords[labelWords.length - 1]!.x1;
  const height = hit.line.y1 - hit.line.y0;
  const below = lines.find(
    (l) =>
      l.page === hit.line.page &&
      l.y0 >= hit.line.y1 - height * 0.2 &&
      l.index > hit.line.index &&
      l.y0 - hit.line.y1 < 3 * height,
  );
  if (below) {
    const start = below.words.findIndex((w) => Math.min(w.x1, x1 + 0.05) - Math.max(w.x0, x0 - 0.01) > 0);
    if (start >= 0) {
      const words = run(below.words, start);
      out.push({ words, text: words.map((w) => w.text).join(" "), place: "below" });
    }
  }
  return out;
}
