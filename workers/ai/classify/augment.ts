import type { Rng } from "./prng.ts";

/**
 * OCR-like noise for training text, so a model trained on clean text-layer strings still classifies
 * scans: look-alike substitutions (`o`/`0`, `l`/`1`/`I`, `rn`/`m`, ...), dropped and stray
 * characters, merged and split words. `rate` is the chance per character of an edit (about 0.02 for
 * a mild scan, 0.08 for a harsh one).
 */
const LOOKALIKES: Readonly<Record<string, readonly string[]>> = {
  o: ["0", "c", "a"],
  O: ["0", "Q", "D"],
  "0": ["O", "o"],
  l: ["1", "I", "i"],
  i: ["l", "1", "j"],
  I: ["l", "1"],
  "1": ["l", "I"],
  e: ["c", "o"],
  c: ["e"],
  a: ["o", "e"],
  m: ["rn", "n"],
  n: ["h", "ri"],
  h: ["b", "n"],
  u: ["v", "ii"],
  S: ["5", "$"],
  s: ["5"],
  "5": ["S"],
  B: ["8"],
  "8": ["B"],
  g: ["q", "9"],
  t: ["f", "l"],
  f: ["t"],
  ".": [",", ""],
  ",": ["."],
};
const STRAY = [".", ",", "'", "-", "~", "|"];

export function ocrNoise(text: string, rng: Rng, rate: number): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (rng() >= rate) {
      out += ch;
      continue;
    }
    if (ch === "r" && text[i + 1] === "n") {
      out += "m";
      i++;
      continue;
    }
    const r = rng();
    if (ch === " " || ch === "\n") {
      // merge two words, or keep the break
      out += r < 0.5 ? "" : ch;
    } else if (r < 0.55 && LOOKALIKES[ch]) {
      const alts = LOOKALIKES[ch];
      out += alts[Math.floor(rng() * alts.length)]!;
    } else if (r < 0.7) {
      // dropped character
    } else if (r < 0.85) {
      out += ch + STRAY[Math.floor(rng() * STRAY.length)]!;
    } else if (r < 0.93) {
      out += `${ch} `; // split word
    } else {
      out += ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return out;
}
