import { loadConfig, type Env, type SluiceConfig } from "./config.ts";
import { ConfigError } from "./config-error.ts";

/** Exit code for a bad or missing setting (distinct from 1, a crash). */
export const CONFIG_EXIT_CODE = 2;

/**
 * For entry points only: `loadConfig`, or print one line per problem to stderr and exit with code 2.
 * Other errors propagate unchanged.
 */
export function loadConfigOrExit(env: Env = process.env): SluiceConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    exitOnConfigError(err);
  }
}

/** Prints one line per problem to stderr and exits with code 2 (a configuration problem found later, e.g. SLUICE_STEPS). */
export function exitOnConfigError(err: ConfigError): never {
  process.stderr.write(`sluice: invalid configuration\n${err.problems.map((p) => `  ${p}\n`).join("")}`);
  process.exit(CONFIG_EXIT_CODE);
}
