import type { TenantDataRouter } from "../../../shared/tenancy/tenant-router.ts";
import type { Logger } from "pino";
import type { SluiceConfig } from "../../../shared/config/config.ts";
import { TokenBudgetStore } from "./budget/token-budget.ts";
import { createConfiguredProvider } from "./provider-factory.ts";
import type { LlmRuntime } from "./run-llm.ts";

/**
 * The `llm` step's runtime for a worker: the configured provider (none, Bedrock, OpenAI-compatible,
 * local), the token budgets in the worker's MongoDB, and the fleet's caps. Built once at start-up;
 * no I/O until the first call.
 */
export function createLlmRuntime(deps: {
  config: Pick<SluiceConfig, "llm" | "aws">;
  /** Where each tenant's `llm_usage` lives (beside its jobs). */
  router: TenantDataRouter;
  log: Logger;
}): LlmRuntime {
  const log = deps.log.child({ component: "llm" });
  return {
    provider: createConfiguredProvider(deps.config, (line) => log.info(line)),
    budgets: new TokenBudgetStore(deps.router),
    defaultMonthlyBudget: deps.config.llm.monthlyTokenBudget,
    maxTokens: deps.config.llm.maxTokens,
  };
}

/** For a registry built without a runtime (validation, tests): every call fails `Sluice.LlmNotConfigured`. */
export function unconfiguredLlmRuntime(): LlmRuntime {
  return {
    provider: undefined,
    budgets: {
      reserve: () => Promise.reject(new Error("no LLM runtime")),
      settle: () => Promise.reject(new Error("no LLM runtime")),
    },
    defaultMonthlyBudget: 0,
    maxTokens: 1024,
  };
}

/** What `bind` needs of the worker's runtime (shared/runtime/runtime.ts). */
export interface LlmRuntimeHost {
  readonly config: Pick<SluiceConfig, "llm" | "aws">;
  readonly router: TenantDataRouter;
  readonly log: Logger;
}

export interface LateLlmRuntime {
  /** Unconfigured until `bind`; then the configured provider and budgets. */
  readonly runtime: LlmRuntime;
  bind(host: LlmRuntimeHost): void;
}

/**
 * An `LlmRuntime` bound once the worker's runtime exists: the registry (and the user's steps and
 * workflows) are checked before anything connects, and the `llm` step gets its provider and its
 * tenant data router afterwards (its token counts sit in each tenant's home).
 */
export function lateLlmRuntime(): LateLlmRuntime {
  let bound: LlmRuntime = unconfiguredLlmRuntime();
  const runtime: LlmRuntime = {
    get provider() {
      return bound.provider;
    },
    budgets: {
      reserve: (tenant, want, budget) => bound.budgets.reserve(tenant, want, budget),
      settle: (reservation, used) => bound.budgets.settle(reservation, used),
    },
    get defaultMonthlyBudget() {
      return bound.defaultMonthlyBudget;
    },
    get maxTokens() {
      return bound.maxTokens;
    },
  };
  return {
    runtime,
    bind(host) {
      bound = createLlmRuntime({ config: host.config, router: host.router, log: host.log });
    },
  };
}
