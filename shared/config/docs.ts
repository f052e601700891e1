import { SETTINGS, type SettingName } from "./settings.ts";

export interface ConfigDocRow {
  readonly name: SettingName;
  /** The raw default, `(required)` or `(unset)`. */
  readonly default: string;
  readonly description: string;
}

/** One row per setting, in declaration order, generated from the schema table. */
export function configDocs(): ConfigDocRow[] {
  return (Object.keys(SETTINGS) as SettingName[]).map((name) => {
    const s = SETTINGS[name];
    const def = "default" in s ? s.default : "required" in s && s.required ? "(required)" : "(unset)";
    return { name, default: def, description: s.description };
  });
}

/** The rows as a Markdown table, ready to embed in the README. */
export function configDocsMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const lines = ["| Variable | Default | Description |", "| --- | --- | --- |"];
  for (const r of configDocs()) {
    const def = r.default.startsWith("(") ? r.default : `\`${r.default}\``;
    lines.push(`| \`${r.name}\` | ${esc(def)} | ${esc(r.description)} |`);
  }
  return lines.join("\n");
}
