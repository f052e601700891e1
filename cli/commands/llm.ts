/** `sluice llm install|smoke`: the local LLM provider by hand (workers/cli/llm.ts does the work). */
import type { Command } from "commander";
import { action, group, type CliContext } from "../context.ts";

async function llmCommand(argv: string[]): Promise<number> {
  const { llmCommand: run } = await import("../../workers/cli/llm.ts");
  return run(argv);
}

export function register(program: Command, ctx: CliContext): void {
  const llm = group(program, "llm", "the local LLM provider: install it into the cache, answer one prompt");
  action(
    llm.command("install").description("install node-llama-cpp and the local model into the cache"),
    ctx,
    () => llmCommand(["install"]),
  );
  action(
    llm
      .command("smoke")
      .description("install if needed, then answer one prompt and one JSON-schema prompt on the CPU")
      .option("--prompt <text>", "the prompt to answer"),
    ctx,
    (o: { prompt?: string }) =>
      llmCommand(["smoke", ...(o.prompt === undefined ? [] : ["--prompt", o.prompt])]),
  );
}
