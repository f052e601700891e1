/**
 * `defineStep`: a step as data — its name, zod schemas for input, output and (optionally) the
 * tenant's settings for it, and `run(input, ctx)`. The handler it builds validates both sides: input
 * that fails `input` is the task error `Sluice.InvalidStepInput`, a result that fails `output` is
 * `Sluice.InvalidStepOutput`, tenant settings that fail `settings` are `Sluice.InvalidStepSettings`
 * — each with the offending field paths, so a workflow can Catch them by name. Sluice's own steps
 * are written with it, and so are users' (`SLUICE_STEPS`, `import { defineStep } from "sluice"`).
 */
import type { z } from "zod";
import type { StepContext, StepSettings } from "./context.ts";
import { SDK_ERRORS, StepError } from "./step-error.ts";

/** The shape the worker calls: raw input and a context whose `settings` are the tenant's raw section. */
export type StepHandler = (input: unknown, ctx: StepContext) => Promise<unknown>;

/** A step a worker can register (`StepRegistry.add`, a `SLUICE_STEPS` module's export). */
export interface Step {
  /** The name workflows use: `arn:aws:states:<region>:<account>:activity:<name>` or `sluice:<name>`. */
  readonly name: string;
  readonly description?: string;
  readonly input?: z.ZodType;
  readonly output?: z.ZodType;
  readonly settings?: z.ZodType;
  readonly handler: StepHandler;
  /** Marks objects made by `defineStep` (how a `SLUICE_STEPS` module's exports are recognised). */
  readonly kind: "sluice.step";
}

export interface StepDefinition<
  I extends z.ZodType,
  O extends z.ZodType,
  S extends z.ZodType<unknown, StepSettings> | undefined = undefined,
> {
  name: string;
  description?: string;
  input: I;
  output: O;
  /** Schema of the tenant's settings for this step (`steps.<name>` of its tenant document); defaults apply to `{}`. */
  settings?: S;
  run: (
    input: z.output<I>,
    ctx: StepContext<S extends z.ZodType ? z.output<S> : StepSettings>,
  ) => Promise<z.input<O>>;
}

const STEP_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** `path.to.field: message; …` (zod issues, as a task error's cause). */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "(value)"}: ${i.message}`).join("; ");
}

export function defineStep<
  I extends z.ZodType,
  O extends z.ZodType,
  S extends z.ZodType<unknown, StepSettings> | undefined = undefined,
>(def: StepDefinition<I, O, S>): Step {
  if (!STEP_NAME.test(def.name))
    throw new TypeError(`step name ${JSON.stringify(def.name)} must match ${STEP_NAME.source}`);
  const handler: StepHandler = async (raw, ctx) => {
    const input = def.input.safeParse(raw);
    if (!input.success)
      throw new StepError(SDK_ERRORS.invalidInput, `${def.name}: ${describeIssues(input.error)}`);
    let settings: unknown = ctx.settings;
    if (def.settings) {
      const parsed = def.settings.safeParse(ctx.settings);
      if (!parsed.success)
        throw new StepError(
          SDK_ERRORS.invalidSettings,
          `${def.name}: tenant settings steps.${def.name}: ${describeIssues(parsed.error)}`,
        );
      settings = parsed.data;
    }
    const result = await def.run(input.data as z.output<I>, { ...ctx, settings } as never);
    const output = def.output.safeParse(result);
    if (!output.success)
      throw new StepError(SDK_ERRORS.invalidOutput, `${def.name}: ${describeIssues(output.error)}`);
    return output.data;
  };
  return {
    kind: "sluice.step",
    name: def.name,
    ...(def.description !== undefined ? { description: def.description } : {}),
    input: def.input,
    output: def.output,
    ...(def.settings !== undefined ? { settings: def.settings } : {}),
    handler,
  };
}

/** True for a `Step` object (what `defineStep` returns). */
export function isStep(value: unknown): value is Step {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "sluice.step" &&
    typeof (value as { name?: unknown }).name === "string" &&
    typeof (value as { handler?: unknown }).handler === "function"
  );
}
