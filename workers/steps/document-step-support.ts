import { z } from "zod";
import type { StepContext } from "../sdk/context.ts";
import { StepError } from "../sdk/step-error.ts";

/**
 * What the document steps (`detect`, `pdf-text`, `pdf-render`, `thumbnail`) share: the reference to a
 * document in the tenant's storage, the size and time bounds every one of them applies (tenant step
 * settings, with defaults), and the read through `ctx.blobs`.
 */

/** `{ key }`: a full key of the tenant's (`tenants/<t>/uploads/…` or an object a step wrote). */
export const BlobRefSchema = z.object({ key: z.string().min(1).max(1024) });

/** Largest document a step reads (bytes); a bigger one fails with `Sluice.PayloadTooLarge` before reading. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/** Settings every document step takes from the tenant document (`steps.<name>`). */
export const documentLimits = (timeoutSeconds: number) => ({
  maxDocumentBytes: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024)
    .default(DEFAULT_MAX_DOCUMENT_BYTES),
  timeoutSeconds: z.number().int().min(1).max(3600).default(timeoutSeconds),
});

/** The document error for a step that ran past its own time bound. */
export const DOCUMENT_TIMEOUT = "Sluice.DocumentTimeout";

/** Reads a document through the tenant's blob store, refusing one over `maxBytes` before reading it. */
export async function readDocument(
  ctx: StepContext<unknown>,
  key: string,
  maxBytes: number,
): Promise<Uint8Array> {
  const bytes = await ctx.blobs.get(key, { maxBytes });
  await ctx.heartbeat();
  return bytes;
}

/**
 * Runs `work` with a signal that aborts when the step's own signal does (the state's timeout, a lapsed
 * heartbeat, shutdown) or after `seconds`: then `Sluice.DocumentTimeout` names what took too long.
 * `timer` makes the bound's signal (injected by tests).
 */
export async function withTimeBound<T>(
  ctx: Pick<StepContext<unknown>, "signal">,
  seconds: number,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
  timer: (ms: number) => AbortSignal = AbortSignal.timeout,
): Promise<T> {
  const own = timer(seconds * 1000);
  const signal = AbortSignal.any([ctx.signal, own]);
  try {
    return await work(signal);
  } catch (err) {
    if (own.aborted && !ctx.signal.aborted) {
      throw new StepError(DOCUMENT_TIMEOUT, `${what} took longer than ${seconds} s`);
    }
    throw err;
  }
}
