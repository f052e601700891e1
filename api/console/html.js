// Small helpers of the console's pages: HTML escaping, JSON and number formats.

export const esc = (v) =>
  String(v ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
export const pct = (x) => `${(100 * (x ?? 0)).toFixed(0)}%`;
export const json = (v) => esc(JSON.stringify(v, null, 2));
export const ms = (n) =>
  n < 1000
    ? `${Math.round(n)} ms`
    : n < 60000
      ? `${(n / 1000).toFixed(1)} s`
      : `${(n / 60000).toFixed(1)} min`;
