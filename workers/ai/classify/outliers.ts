import type { Rng } from "./prng.ts";

/**
 * Texts that are none of the trained types, for outlier exposure: training pushes their predicted
 * distribution toward uniform, so text unlike any type (a recipe, a page of noise, an empty scan)
 * gets a low top probability and the `other` floor catches it, instead of the nearest type winning
 * with a high score. Built from neutral English words, number strings and random letter strings.
 */
const WORDS = (
  "the of and to in is was it for on with as be at by this that from or have an they which one you had " +
  "not but what all were when we there can more if no out so said up its about into than them only " +
  "some could time these two may then do first any my now such like our over man me even most made " +
  "after also did many before must through back years where much your way well down should because " +
  "each just those people how too little state good very make world still own see men work long get " +
  "here between both life being under never day same another know while last might us great old year " +
  "off come since against go came right used take three recipe flour sugar bake oven minutes weather " +
  "rain cloud river mountain garden tree flower music song guitar film chapter story novel game team " +
  "score match player coach cat dog mat sat bird fish water coffee tea morning evening night city road " +
  "train station ticket map photo camera color blue green red yellow table chair window door house room"
).split(" ");

function randomWord(rng: Rng): string {
  const len = 2 + Math.floor(rng() * 8);
  let w = "";
  for (let i = 0; i < len; i++) w += String.fromCharCode(97 + Math.floor(rng() * 26));
  return w;
}

export function outlierText(rng: Rng): string {
  const lines = 1 + Math.floor(rng() * 12);
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const words = 1 + Math.floor(rng() * 10);
    const line: string[] = [];
    for (let i = 0; i < words; i++) {
      const r = rng();
      if (r < 0.7) line.push(WORDS[Math.floor(rng() * WORDS.length)]!);
      else if (r < 0.85) line.push(randomWord(rng));
      else line.push(String(Math.floor(rng() * 100_000)));
    }
    out.push(line.join(" "));
  }
  return out.join("\n");
}
