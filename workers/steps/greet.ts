import { z } from "zod";
import { StepError, type StepHandler } from "./registry.ts";

const GreetInput = z.object({ name: z.string().min(1).max(200), greeting: z.string().min(1).max(50) });

/** The hello workflow's step: builds a greeting from validated input. Deterministic, no I/O. */
export const greet: StepHandler = async (input, ctx) => {
  const parsed = GreetInput.safeParse(input);
  if (!parsed.success) {
    throw new StepError(
      "Sluice.InvalidStepInput",
      parsed.error.issues.map((i) => `${i.path.join(".") || "(input)"}: ${i.message}`).join("; "),
    );
  }
  const { name, greeting } = parsed.data;
  ctx.log.debug({ step: "greet" }, "greeting");
  return { message: `${greeting}, ${name}!`, characters: name.length, idempotencyKey: ctx.idempotencyKey };
};
