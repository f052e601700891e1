import { z } from "zod";
import { OutboundLimitsSchema } from "../../limits/outbound-limits.ts";
import { commaList, int, json, nonEmpty, type Setting } from "./kit.ts";

/** Steps: outbound limits, the `llm` step, your own steps and workflows, OCR. */
export const STEP_SETTINGS = {
  SLUICE_OUTBOUND_LIMITS: {
    schema: json(OutboundLimitsSchema),
    default: "{}",
    expected:
      'JSON {"<provider>": {"concurrency"?, "requestsPerMinute"?, "tokensPerMinute"?, "perTenant"?: {…the same}}} (positive integers)',
    description:
      "Limits on steps' outbound calls through `ctx.limiter`, per provider for this worker and (`perTenant`) for each tenant's share; a tenant document's `outbound.<provider>` overrides its share. A call over a limit waits, heartbeating. See \"Write your own step\".",
  },
  SLUICE_LLM_PROVIDER: {
    schema: z
      .string()
      .toLowerCase()
      .pipe(z.enum(["none", "bedrock", "openai", "local"])),
    default: "none",
    expected: "none, bedrock, openai or local",
    description:
      "Provider of the `llm` step: `bedrock` (Converse API), `openai` (any OpenAI-compatible endpoint), `local` (SmolLM2-135M through node-llama-cpp, installed into the cache on first use) or `none` (the step fails with `Sluice.LlmNotConfigured`).",
  },
  SLUICE_LLM_MODEL: {
    schema: z.string().min(1).max(2048),
    expected: "a model id",
    description:
      "Model of the `llm` step: a Bedrock model or inference-profile id, or the OpenAI-compatible server's model name. Required for `bedrock` and `openai`; `local` runs its pinned model.",
  },
  SLUICE_LLM_BASE_URL: {
    schema: z.url({ protocol: /^https?$/ }),
    expected: "an http(s) URL",
    description:
      "Base URL of the OpenAI-compatible endpoint, up to `/v1` (e.g. `https://api.openai.com/v1`); required for `openai`.",
  },
  SLUICE_LLM_API_KEY: {
    schema: nonEmpty,
    expected: "a non-empty string",
    secret: true,
    description: "Bearer key for the OpenAI-compatible endpoint (unset for servers that need none).",
  },
  SLUICE_LLM_BEDROCK_REGION: {
    schema: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/),
    expected: "an AWS region such as us-east-1",
    description:
      "Region of Bedrock; unset: AWS_REGION. Credentials are the AWS ones above (or the default chain).",
  },
  SLUICE_LLM_BEDROCK_ENDPOINT: {
    schema: z.url({ protocol: /^https?$/ }),
    expected: "an http(s) URL",
    description:
      "Bedrock runtime endpoint override (a VPC endpoint, a proxy); unset: the regional endpoint. AWS_ENDPOINT_URL (LocalStack) is not used for Bedrock.",
  },
  SLUICE_LLM_TIMEOUT_MS: {
    schema: int(1000, 3_600_000),
    default: "120000",
    expected: "an integer from 1000 to 3600000",
    description:
      "Longest one LLM call may take before it fails with `Sluice.LlmTimeout` (retryable); the local model's first call also installs and loads it.",
  },
  SLUICE_LLM_MAX_TOKENS: {
    schema: int(1, 1_000_000),
    default: "1024",
    expected: "an integer from 1 to 1000000",
    description:
      "Longest answer an `llm` call may ask for (a larger `maxTokens` is cut to it), and its default `maxTokens`.",
  },
  SLUICE_LLM_MONTHLY_TOKEN_BUDGET: {
    schema: int(0),
    default: "1000000",
    expected: "a non-negative integer",
    description:
      "LLM tokens (input + output) a tenant may use per UTC month when its tenant document sets no `steps.llm.monthlyTokenBudget`; a call that could exceed it fails with `Sluice.TokenBudgetExceeded` before reaching the provider.",
  },
  SLUICE_LLM_CACHE_DIR: {
    schema: nonEmpty,
    expected: "a directory path",
    description:
      "Where the local provider installs node-llama-cpp and the model on first use; unset: `${XDG_CACHE_HOME:-~/.cache}/sluice/llm`.",
  },
  SLUICE_STEPS: {
    schema: commaList.pipe(z.array(z.string().max(1000))),
    expected: "a comma-separated list of module paths",
    description:
      "Your own step modules the worker loads at start (paths relative to the working directory, or package names): each exports `defineStep` steps, or arrays of them. A module that cannot be loaded, exports no step, or a step name that clashes with a built-in or another module's is a configuration error (exit 2).",
  },
  SLUICE_WORKFLOWS_DIR: {
    schema: nonEmpty,
    expected: "a directory path",
    description:
      "A folder of your own `<name>.asl.json` workflows, loaded by workers and the scheduler besides `statemachines/`; a name that clashes with a built-in workflow is a configuration error (exit 2).",
  },
  SLUICE_OCR_POOL_SIZE: {
    schema: int(1, 16),
    default: "1",
    expected: "an integer from 1 to 16",
    description:
      "OCR engines (tesseract.js threads, ~160 MB and one core each while reading) a worker process keeps for the `ocr` step, shared by all its jobs; created on first use, more pages wait in line.",
  },
} as const satisfies Record<string, Setting<unknown>>;
