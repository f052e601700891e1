/**
 * The contract between a workflow's Task states and the steps the fleet's workers run, by name only:
 * the scheduler checks that every workflow it releases can run, without importing `workers/` (where
 * the handlers live). Workers' registries hold handlers under these names; a unit test keeps
 * `BUILT_IN_STEP_NAMES` equal to the built-in registry.
 */

/** The step that parks a job for a human decision (also every `.waitForTaskToken` resource). */
export const HUMAN_REVIEW_STEP = "human-review";

/** Steps every Sluice worker build ships. */
export const BUILT_IN_STEP_NAMES: readonly string[] = [
  "classify",
  "detect",
  "extract",
  "greet",
  HUMAN_REVIEW_STEP,
  "llm",
  "pdf-render",
  "pdf-text",
  "review",
  "save-results",
  "ocr",
  "thumbnail",
];

const ACTIVITY_ARN = /^arn:aws:states:[a-z0-9-]*:\d*:activity:([A-Za-z0-9_-]+)$/;

/**
 * The step name a Task's `Resource` refers to. Sluice workflows name steps as Step Functions
 * activities (`arn:aws:states:<region>:<account>:activity:<step>`), so the same definition runs on
 * AWS Step Functions with activity workers. `sluice:<step>` is accepted as a short form.
 */
export function stepNameOf(resource: string): string | undefined {
  const m = ACTIVITY_ARN.exec(resource);
  if (m) return m[1];
  if (resource.startsWith("sluice:")) return resource.slice("sluice:".length) || undefined;
  return undefined;
}

/**
 * The step a Task resource runs: a `.waitForTaskToken` resource waits for a decision (SendTaskSuccess /
 * SendTaskFailure semantics) through the human-review step; otherwise the step it names.
 */
export function stepForResource(resource: string): string | undefined {
  return resource.endsWith(".waitForTaskToken") ? HUMAN_REVIEW_STEP : stepNameOf(resource);
}

/** A `hasStep` check for the workflow catalog over a names-only manifest. */
export function manifestHasStep(names: readonly string[]): (resource: string) => boolean {
  const known = new Set(names);
  return (resource) => {
    const step = stepForResource(resource);
    return step !== undefined && known.has(step);
  };
}
