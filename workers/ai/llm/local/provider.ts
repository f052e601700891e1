import { pathToFileURL } from "node:url";
import { LlmError, asLlmError } from "../errors.ts";
import { requestSchema, structuredAnswer } from "../structured.ts";
import { usageOf, type JsonSchema, type LlmProvider, type LlmRequest, type LlmResult } from "../types.ts";
import { ensureLocalLlm, runtimeEntry, type Progress } from "./install.ts";
import { MODEL, type LocalLlmPaths } from "./pins.ts";

/**
 * The local provider: SmolLM2-135M-Instruct through node-llama-cpp on the CPU, installed on first use
 * (local/install.ts) and loaded once per process. `getLlama({gpu: false, build: "never"})`: the
 * prebuilt CPU binary, never a compile; `threads: 1`: on a busy 2-core machine two threads made one
 * answer take minutes. One context sequence, so calls run one at a time (queued here). Structured
 * output is enforced while generating, by node-llama-cpp's grammar for the JSON schema.
 *
 * node-llama-cpp is not a dependency of the project (it lives in the cache), so it is imported by
 * path and typed here by the few members used.
 */
export const LOCAL_CONTEXT_TOKENS = 4096;

interface TokenMeterState {
  usedInputTokens: number;
  usedOutputTokens: number;
}
interface Grammar {
  readonly __grammar: unknown;
}
type ChatHistoryItem =
  { type: "system"; text: string } | { type: "user"; text: string } | { type: "model"; response: string[] };
interface Session {
  setChatHistory(history: ChatHistoryItem[]): void;
  promptWithMeta(
    prompt: string,
    opts: { maxTokens: number; temperature?: number; grammar?: Grammar; signal?: AbortSignal },
  ): Promise<{ responseText: string; stopReason: string }>;
}
interface Sequence {
  readonly tokenMeter: { getState(): TokenMeterState };
}
interface Loaded {
  readonly llama: {
    createGrammarForJsonSchema(schema: JsonSchema): Promise<Grammar>;
    dispose(): Promise<void>;
  };
  readonly sequence: Sequence;
  readonly session: Session;
}
interface NodeLlamaCpp {
  getLlama(opts: { gpu: false; build: "never"; logLevel: string }): Promise<{
    loadModel(opts: { modelPath: string }): Promise<{
      createContext(opts: { threads: number; contextSize: number }): Promise<{ getSequence(): Sequence }>;
    }>;
    createGrammarForJsonSchema(schema: JsonSchema): Promise<Grammar>;
    dispose(): Promise<void>;
  }>;
  LlamaChatSession: new (opts: { contextSequence: Sequence; autoDisposeSequence: boolean }) => Session;
}

export interface LocalOptions {
  readonly paths: LocalLlmPaths;
  readonly progress: Progress;
}

export function createLocalProvider(opts: LocalOptions): LlmProvider {
  let loading: Promise<Loaded> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const grammars = new Map<string, Promise<Grammar>>();

  const load = (): Promise<Loaded> =>
    (loading ??= (async () => {
      await ensureLocalLlm(opts.paths, opts.progress);
      const mod = (await import(pathToFileURL(runtimeEntry(opts.paths)).href)) as NodeLlamaCpp;
      const llama = await mod.getLlama({ gpu: false, build: "never", logLevel: "error" });
      const model = await llama.loadModel({ modelPath: opts.paths.modelFile });
      const context = await model.createContext({ threads: 1, contextSize: LOCAL_CONTEXT_TOKENS });
      const sequence = context.getSequence();
      const session = new mod.LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
      return { llama, sequence, session };
    })().catch((err: unknown) => {
      loading = undefined; // the next call tries again
      throw err instanceof LlmError
        ? err
        : new LlmError("install_failed", `local model: ${(err as Error).message}`, { cause: err });
    }));

  const grammarFor = (l: Loaded, schema: JsonSchema): Promise<Grammar> => {
    const key = JSON.stringify(schema);
    let g = grammars.get(key);
    if (g === undefined) {
      g = l.llama.createGrammarForJsonSchema(schema).catch((err: unknown) => {
        grammars.delete(key);
        throw new LlmError("rejected", `local: the JSON schema has no grammar: ${(err as Error).message}`);
      });
      grammars.set(key, g);
    }
    return g;
  };

  async function once(req: LlmRequest): Promise<LlmResult> {
    const schema = requestSchema(req.schema);
    const l = await load();
    const grammar = req.schema === undefined ? undefined : await grammarFor(l, req.schema);
    const last = req.messages[req.messages.length - 1];
    if (last === undefined || last.role !== "user")
      throw new LlmError("rejected", "local: the last message must be the user's");
    l.session.setChatHistory(req.messages.slice(0, -1).map(historyItem));
    const before = l.sequence.tokenMeter.getState();
    let answer: { responseText: string; stopReason: string };
    try {
      answer = await l.session.promptWithMeta(last.content, {
        maxTokens: req.maxTokens,
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        ...(grammar !== undefined ? { grammar } : {}),
        ...(req.signal !== undefined ? { signal: req.signal } : {}),
      });
    } catch (err) {
      throw asLlmError(err, "local", req.signal);
    }
    const after = l.sequence.tokenMeter.getState();
    const text = answer.responseText;
    const usage = usageOf(
      after.usedInputTokens - before.usedInputTokens,
      after.usedOutputTokens - before.usedOutputTokens,
    );
    return {
      text,
      ...(schema ? { json: structuredAnswer(text, schema, usage) } : {}),
      usage,
      model: MODEL.id,
      stopReason:
        answer.stopReason === "eogToken" ? "end" : answer.stopReason === "maxTokens" ? "max_tokens" : "other",
    };
  }

  return {
    name: "local",
    model: MODEL.id,
    contextTokens: LOCAL_CONTEXT_TOKENS,
    chat(req) {
      const run = queue.then(() => once(req));
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      const l = loading;
      loading = undefined;
      if (l) await (await l.catch(() => undefined))?.llama.dispose();
    },
  };
}

function historyItem(m: { role: "system" | "user" | "assistant"; content: string }): ChatHistoryItem {
  if (m.role === "system") return { type: "system", text: m.content };
  if (m.role === "user") return { type: "user", text: m.content };
  return { type: "model", response: [m.content] };
}
