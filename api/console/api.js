// The console's calls to the API's /v1/ops/* routes. The token (sluice/operator scope) lives in
// sessionStorage; every call sends it as a bearer token, and a 401 shows the login form again.

export const TOKEN_KEY = "sluice.token";
/** Where every page renders. */
export const main = document.getElementById("main");

export async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, {
    ...options,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) {
    showLogin(body.error?.message ?? "log in again");
    throw new Error(body.error?.message ?? "unauthorized");
  }
  if (!res.ok) throw new Error(`${body.error?.code ?? res.status}: ${body.error?.message ?? res.statusText}`);
  return body;
}

export function showLogin(message) {
  document.getElementById("login").hidden = false;
  main.hidden = true;
  document.getElementById("login-error").textContent = message ?? "";
}
