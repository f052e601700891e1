// The Sluice operators' console: a single page over the API's /v1/ops/* routes, no build step (ES
// modules: api.js calls the API, html.js escapes and formats, pages/ renders one page each). This
// module logs in and out and routes the location hash to a page.

import { TOKEN_KEY, main, showLogin } from "./api.js";
import { esc } from "./html.js";
import { dlqPage } from "./pages/dlq.js";
import { fleetPage } from "./pages/fleet.js";
import { jobPage } from "./pages/job.js";
import { jobsPage } from "./pages/jobs.js";
import { reviewsPage } from "./pages/reviews.js";
import { tenantsPage } from "./pages/tenants.js";

let timer;

document.getElementById("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
  document.getElementById("login").hidden = true;
  main.hidden = false;
  route();
});
document.getElementById("logout").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin("");
});

function whoAmI() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    document.getElementById("who").textContent = `operator ${claims.sub}`;
  } catch {
    document.getElementById("who").textContent = "";
  }
}

function fail(err) {
  main.insertAdjacentHTML("afterbegin", `<p class="error" data-testid="error">${esc(err.message)}</p>`);
}

async function route() {
  clearInterval(timer);
  if (!sessionStorage.getItem(TOKEN_KEY)) return showLogin("");
  whoAmI();
  const hash = location.hash || "#/tenants";
  const [path, query] = hash.slice(1).split("?");
  const params = new URLSearchParams(query ?? "");
  const parts = path.split("/").filter(Boolean);
  for (const a of document.querySelectorAll("header nav a"))
    a.classList.toggle(
      "active",
      a.getAttribute("href").slice(2) === (parts[0] === "job" ? "jobs" : parts[0]),
    );
  const pages = {
    tenants: () => tenantsPage(),
    jobs: () => jobsPage(params),
    job: () => jobPage(decodeURIComponent(parts[1]), decodeURIComponent(parts[2])),
    reviews: () => reviewsPage(),
    dlq: () => dlqPage(),
    fleet: () => fleetPage(),
  };
  const page = pages[parts[0]] ?? pages.tenants;
  main.innerHTML = "<p class='muted'>loading…</p>";
  try {
    await page();
    document.body.dataset.page = parts[0] ?? "tenants";
  } catch (err) {
    fail(err);
  }
  if ((parts[0] ?? "tenants") === "tenants") timer = setInterval(() => tenantsPage().catch(fail), 2000);
}

window.addEventListener("hashchange", route);
route();
