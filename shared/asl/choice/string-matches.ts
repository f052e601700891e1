/**
 * The `StringMatches` pattern language: `*` matches any run of characters (including none and
 * line breaks); `\*` is a literal asterisk and `\\` a literal backslash. A backslash before any
 * other character stands for that character. Everything else matches itself.
 */

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;
const escapeRegex = (s: string): string => s.replace(REGEX_SPECIAL, "\\$&");

/** Compiles `pattern` once into a test on strings. */
export function compileStringMatches(pattern: string): (value: string) => boolean {
  let literal = "";
  let source = "";
  let hasWildcard = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === "\\" && i + 1 < pattern.length) {
      literal += pattern[++i] as string;
    } else if (ch === "*") {
      source += escapeRegex(literal) + "[\\s\\S]*";
      literal = "";
      hasWildcard = true;
    } else {
      literal += ch;
    }
  }
  if (!hasWildcard) return (value) => value === literal;
  const regex = new RegExp(`^${source}${escapeRegex(literal)}$`);
  return (value) => regex.test(value);
}
