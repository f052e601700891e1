export { createLogger, silentLogger, forTenant, forJob } from "./logger.ts";
export type { Logger, LoggerSettings, LogBindings, LogLevel } from "./logger.ts";
export {
  REDACT_PATHS,
  REDACTED,
  scrubSignedUrls,
  scrubText,
  scrubUrlCredentials,
  scrubValue,
} from "./redact.ts";
export { serializeError, type SerializedError } from "./error-serializer.ts";
