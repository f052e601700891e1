/**
 * The runtime of a `sluice` command that talks to the fleet's MongoDB and AWS: the configuration
 * from the environment (invalid → exit 2 with one line per problem), a quiet logger (warnings and
 * errors only, on stderr), and the same `Runtime` the services build (tenant-scoped stores through
 * `rt.jobsOf`, the SQS port, queue URLs), closed when the command ends.
 */
import type { Runtime } from "../shared/runtime/runtime.ts";
import { EXIT, type CliIo } from "./context.ts";

export async function withRuntime(
  io: CliIo,
  name: string,
  fn: (rt: Runtime) => Promise<number>,
): Promise<number> {
  const { loadConfig } = await import("../shared/config/config.ts");
  const { ConfigError } = await import("../shared/config/config-error.ts");
  let config;
  try {
    config = loadConfig(io.env ?? process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`sluice: invalid configuration\n${err.problems.map((p) => `  ${p}\n`).join("")}`);
    return EXIT.usage;
  }
  const { createLogger } = await import("../shared/log/logger.ts");
  const { createRuntime } = await import("../shared/runtime/runtime.ts");
  const { pino } = await import("pino");
  const log = createLogger({
    level: config.log.level === "info" ? "warn" : config.log.level,
    service: `${name}-cli`,
    destination: pino.destination(2),
  });
  const rt = await createRuntime(config, log);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}
