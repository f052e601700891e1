/**
 * The step SDK: what a step is written with. Sluice's own steps use it, and so do users' steps
 * (`import { defineStep, StepError } from "sluice"`). See README "Write your own step".
 */
export type { StepContext, StepSettings } from "./context.ts";
export {
  defineStep,
  describeIssues,
  isStep,
  type Step,
  type StepDefinition,
  type StepHandler,
} from "./define-step.ts";
export type { OutboundLimiter, ScheduleOptions } from "./limiter.ts";
export { SDK_ERRORS, StepError } from "./step-error.ts";
export type { BlobInfo, BlobReadOptions, KeyParts, TenantBlobs } from "./tenant-blobs.ts";
