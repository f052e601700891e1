/**
 * Reads the Prometheus text exposition format (what `SluiceMetrics.text()` and every `/metrics`
 * endpoint serve) back into samples: the demo's excerpt of its scrapes and the tests' assertions on
 * them. Comment (`# HELP`, `# TYPE`) and blank lines are skipped; label values are unescaped.
 */

/** One sample line: `name{label="value",...} value [timestamp]`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The line as served. */
  readonly line: string;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

/** Every sample of `text`, in order; lines that are not samples are skipped. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    const s = parseSampleLine(line);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** One line as a sample, or undefined for a comment, a blank or a malformed line. */
export function parseSampleLine(line: string): Sample | undefined {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) return undefined;
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === "{") {
    at++;
    LABEL.lastIndex = at;
    for (let m = LABEL.exec(line); m !== null; m = LABEL.exec(line)) {
      labels[m[1]!] = unescape(m[2]!);
      at = LABEL.lastIndex;
    }
    if (line[at] !== "}") return undefined;
    at++;
  }
  const [raw] = line.slice(at).trim().split(/\s+/);
  if (raw === undefined || raw === "") return undefined;
  const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
  if (Number.isNaN(value) && raw !== "NaN") return undefined;
  return { name, labels, value, line };
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** The value of the first sample named `name` whose labels include `labels`, or undefined. */
export function sampleValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  return parseExposition(text).find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}
