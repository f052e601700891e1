import { z } from "zod";
import { defineStep } from "../sdk/define-step.ts";

/** The hello workflow's step: builds a greeting from validated input. Deterministic, no I/O. */
export const greet = defineStep({
  name: "greet",
  description: "Builds a greeting: `<greeting>, <name>!`.",
  input: z.object({ name: z.string().min(1).max(200), greeting: z.string().min(1).max(50) }),
  output: z.object({ message: z.string(), characters: z.number().int(), idempotencyKey: z.string() }),
  run: async ({ name, greeting }, ctx) => {
    ctx.log.debug({ step: "greet" }, "greeting");
    return { message: `${greeting}, ${name}!`, characters: name.length, idempotencyKey: ctx.idempotencyKey };
  },
});
