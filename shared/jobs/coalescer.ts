/**
 * Group commit: requests made during one turn of the event loop are handed to `run` together, so
 * many concurrent jobs share one MongoDB round trip instead of paying one each (see ADR 0004).
 *
 * `submit` queues a request and returns its own promise. The first request of a turn schedules a
 * flush (by default with `setImmediate`, i.e. after the I/O callbacks of this turn, which is when
 * the other jobs' replies have resumed them); the flush hands the queue to `run` in batches of at
 * most `maxBatch`, each batch holding a key at most once (a request whose key is already in the
 * batch goes to a later one, so two writes of one document never share a command). Batches of a
 * flush run concurrently; requests submitted meanwhile wait for the next turn, not for them.
 *
 * `run` settles each request of its batch: it returns one outcome per request, in order. If `run`
 * itself throws, every request of that batch rejects with the error, exactly as if each had made
 * the call alone. Nothing here does I/O or reads the clock; the scheduler is a parameter.
 */

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface CoalescerOptions {
  /** Most requests per call of `run` (>= 1). */
  maxBatch: number;
  /** Runs the flush later in this turn's end; `setImmediate` by default. */
  schedule?: (flush: () => void) => void;
}

interface Pending<Q, R> {
  request: Q;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export class Coalescer<Q, R> {
  readonly #run: (batch: readonly Q[]) => Promise<readonly Outcome<R>[]>;
  readonly #keyOf: (request: Q) => string;
  readonly #maxBatch: number;
  readonly #schedule: (flush: () => void) => void;
  #queue: Pending<Q, R>[] = [];

  constructor(
    run: (batch: readonly Q[]) => Promise<readonly Outcome<R>[]>,
    keyOf: (request: Q) => string,
    options: CoalescerOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError(`maxBatch must be a positive integer, got ${options.maxBatch}`);
    }
    this.#run = run;
    this.#keyOf = keyOf;
    this.#maxBatch = options.maxBatch;
    this.#schedule = options.schedule ?? ((flush) => void setImmediate(flush));
  }

  /** Requests waiting for the next flush. */
  get queued(): number {
    return this.#queue.length;
  }

  submit(request: Q): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.#queue.length === 0) this.#schedule(() => this.#flush());
      this.#queue.push({ request, resolve, reject });
    });
  }

  #flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    const keyOf = (p: Pending<Q, R>) => this.#keyOf(p.request);
    for (const batch of batches(queue, keyOf, this.#maxBatch)) void this.#settle(batch);
  }

  async #settle(batch: Pending<Q, R>[]): Promise<void> {
    let outcomes: readonly Outcome<R>[];
    try {
      outcomes = await this.#run(batch.map((p) => p.request));
      if (outcomes.length !== batch.length) {
        throw new Error(`coalesced call settled ${outcomes.length} of ${batch.length} requests`);
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }
}

/**
 * Splits `items` (in order) into batches of at most `max`, none holding a key twice: an item whose
 * key is taken goes to the first later batch where it is free. Exported for tests.
 */
export function batches<T>(items: readonly T[], keyOf: (item: T) => string, max: number): T[][] {
  const out: { items: T[]; keys: Set<string> }[] = [];
  for (const item of items) {
    const key = keyOf(item);
    let b = out.find((x) => x.items.length < max && !x.keys.has(key));
    if (b === undefined) out.push((b = { items: [], keys: new Set() }));
    b.items.push(item);
    b.keys.add(key);
  }
  return out.map((b) => b.items);
}
