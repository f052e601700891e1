export { loadConfig, type SluiceConfig, type Env, type LogLevel } from "./config.ts";
export { ConfigError } from "./config-error.ts";
export { loadConfigOrExit, CONFIG_EXIT_CODE } from "./exit.ts";
export { configDocs, configDocsMarkdown, type ConfigDocRow } from "./docs.ts";
export { SETTINGS, type SettingName } from "./settings.ts";
