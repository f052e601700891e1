import type { ProvisionReport } from "./provision.ts";

/** Human-readable lines: every created item, then every found one, then a summary. */
export function formatProvisionReport(report: ProvisionReport): string {
  const lines = [
    ...report.created.map((c) => `created  ${c}`),
    ...report.found.map((f) => `found    ${f}`),
    `provisioned: ${report.created.length} created, ${report.found.length} already present`,
  ];
  return lines.join("\n");
}
