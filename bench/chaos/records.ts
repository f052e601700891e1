/**
 * The chaos run's step records: every invocation of the `chaos-step` step appends one JSON line to its
 * process's record file (`<state>/steps/<process>.jsonl`) just before it returns its result. A result
 * is `{ token }`, a token unique to the invocation; a later invocation's input (or the job's final
 * output) containing the token proves that the result was checkpointed: the worker writes the job
 * before it dispatches the next Task, so a token is only ever seen downstream after a commit.
 */
import { z } from "zod";

export const TOKEN_PREFIX = "tk_";
const TOKEN = /^tk_[0-9a-f-]{36}$/;

export const StepRecordSchema = z.object({
  /** The step's idempotency key as the worker gave it. */
  key: z.string(),
  job: z.string(),
  tenant: z.string(),
  state: z.string(),
  attempt: z.number(),
  /** Map iteration index (from the iteration's input), or null outside a Map. */
  index: z.number().nullable(),
  token: z.string(),
  /** Tokens found in the invocation's input: the results it was given. */
  seen: z.array(z.string()),
  pid: z.number(),
  startedAt: z.number(),
  endedAt: z.number(),
});
export type StepRecord = z.infer<typeof StepRecordSchema>;

/** Every token anywhere in a JSON value (strings matching the token shape). */
export function tokensIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (TOKEN.test(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) tokensIn(v, out);
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) tokensIn(v, out);
  }
  return out;
}

/** One logical Task invocation point of a job: the state, and the Map iteration inside a Map. */
export function pointOf(r: Pick<StepRecord, "job" | "state" | "index">): string {
  return r.index === null ? `${r.job}/${r.state}` : `${r.job}/${r.state}[${r.index}]`;
}

/** Parses record files' text; lines that do not parse (a write cut by SIGKILL) are counted, not thrown. */
export function parseRecordLines(text: string): { records: StepRecord[]; bad: number } {
  const records: StepRecord[] = [];
  let bad = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const r = StepRecordSchema.safeParse(JSON.parse(line));
      if (r.success) records.push(r.data);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { records, bad };
}
