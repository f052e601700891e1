/**
 * Sluice as a library: `import { defineStep, startWorker, StepError } from "sluice"` (package
 * `exports`, pointing at the built `dist/workers/lib.js` and its types). What a user's step module
 * and worker need; nothing else of the internals is public.
 */
export {
  defineStep,
  describeIssues,
  isStep,
  SDK_ERRORS,
  StepError,
  type BlobInfo,
  type BlobReadOptions,
  type KeyParts,
  type OutboundLimiter,
  type ScheduleOptions,
  type Step,
  type StepContext,
  type StepDefinition,
  type StepHandler,
  type StepSettings,
  type TenantBlobs,
} from "./sdk/index.ts";
export { startWorker, type RunningWorker, type StartWorkerOptions } from "./start-worker.ts";
export { ConfigError } from "../shared/config/config-error.ts";
/** The zod Sluice validates with: schemas for `defineStep` without a second copy of zod. */
export { z } from "zod";
