import type { SluiceConfig } from "../../../shared/config/config.ts";
import { createBedrockProvider } from "./bedrock.ts";
import { createLocalProvider } from "./local/provider.ts";
import { localLlmPaths } from "./local/pins.ts";
import type { Progress } from "./local/install.ts";
import { createOpenAiProvider } from "./openai.ts";
import type { LlmProvider } from "./types.ts";

/**
 * The provider the configuration names (`SLUICE_LLM_PROVIDER`), or undefined for `none`. Creating one
 * does no I/O: the local provider installs and loads its model on its first call.
 */
export function createConfiguredProvider(
  config: Pick<SluiceConfig, "llm" | "aws">,
  progress: Progress,
): LlmProvider | undefined {
  const llm = config.llm;
  switch (llm.provider) {
    case "none":
      return undefined;
    case "openai":
      return createOpenAiProvider({
        baseUrl: required(llm.openai.baseUrl, "SLUICE_LLM_BASE_URL"),
        ...(llm.openai.apiKey !== undefined ? { apiKey: llm.openai.apiKey } : {}),
        model: required(llm.model, "SLUICE_LLM_MODEL"),
        timeoutMs: llm.timeoutMs,
      });
    case "bedrock":
      return createBedrockProvider({
        region: llm.bedrock.region,
        ...(llm.bedrock.endpoint !== undefined ? { endpoint: llm.bedrock.endpoint } : {}),
        ...(config.aws.credentials !== undefined ? { credentials: { ...config.aws.credentials } } : {}),
        model: required(llm.model, "SLUICE_LLM_MODEL"),
        timeoutMs: llm.timeoutMs,
      });
    case "local":
      return createLocalProvider({ paths: localLlmPaths(llm.cacheDir), progress });
  }
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`${name} is required for this SLUICE_LLM_PROVIDER`);
  return value;
}
