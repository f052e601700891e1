import type { Logger } from "pino";
import { SWEEPER_STALE_AFTER_MS, type SweeperView } from "../shared/fleet/sweeper-heartbeats.ts";

export interface SweeperWatchDeps {
  /** `SweeperRegistry` (or a fake). */
  readonly registry: { view(now: number): Promise<SweeperView> };
  /** Epoch ms. */
  readonly now: () => number;
  readonly log: Logger;
  /** While no sweeper is alive, the warning is repeated this often; default 60 s. */
  readonly repeatEveryMs?: number;
  /** No warning before this long after the first check (sweepers starting with the fleet); default the staleness window. */
  readonly graceMs?: number;
}

/**
 * The scheduler's look at the sweepers (issue 9, item 12): `check()` (public, called periodically
 * by the entry point) warns when no sweeper is alive, again every `repeatEveryMs` while that lasts,
 * and says so when one is back. Never throws.
 */
export class SweeperWatch {
  readonly #deps: SweeperWatchDeps;
  #firstCheck: number | undefined;
  #warnedAt: number | undefined;

  constructor(deps: SweeperWatchDeps) {
    this.#deps = deps;
  }

  async check(): Promise<SweeperView | undefined> {
    const { registry, now, log } = this.#deps;
    const t = now();
    this.#firstCheck ??= t;
    let view: SweeperView;
    try {
      view = await registry.view(t);
    } catch (err) {
      log.warn({ err }, "could not read the sweeper heartbeats");
      return undefined;
    }
    if (view.warning === undefined) {
      if (this.#warnedAt !== undefined) log.info({ sweepers: view.live.length }, "a sweeper is alive again");
      this.#warnedAt = undefined;
      return view;
    }
    const grace = this.#deps.graceMs ?? SWEEPER_STALE_AFTER_MS;
    const repeat = this.#deps.repeatEveryMs ?? 60_000;
    if (t - this.#firstCheck >= grace && (this.#warnedAt === undefined || t - this.#warnedAt >= repeat)) {
      this.#warnedAt = t;
      log.warn({ staleSweepers: view.stale }, view.warning);
    }
    return view;
  }
}
