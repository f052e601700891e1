/** Thrown by `loadConfig` with one human-readable line per problem (`NAME: expected …, got "x"`). */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = Object.freeze([...problems]);
  }
}
