// The Review queue: jobs of every tenant waiting for a human decision, approved or rejected here.

import { api, main } from "../api.js";
import { esc, json } from "../html.js";

export async function reviewsPage() {
  const { reviews } = await api("/v1/ops/reviews");
  main.innerHTML = `<h1>Review queue</h1>${reviews.length === 0 ? "<p class='muted' data-testid='no-reviews'>nothing waiting for review</p>" : ""}
    ${reviews
      .map(
        (r, i) => `<div class="card" data-testid="review" data-job="${esc(r.jobId)}">
      <b>${esc(r.tenant)}</b> · <a href="#/job/${encodeURIComponent(r.tenant)}/${encodeURIComponent(r.jobId)}">${esc(r.jobId)}</a> · ${esc(r.workflow)} · state ${esc(r.stateName)} · since ${esc(r.requestedAt)}
      <pre>${json(r.data)}</pre>
      <div class="row"><div><label>output (JSON)<br/><textarea id="out-${i}" rows="4" cols="50">${json(r.data)}</textarea></label><br/><button data-i="${i}" class="approve" data-testid="approve">Approve</button></div>
      <div><label>error <input id="err-${i}" value="Sluice.Rejected"/></label><br/><label>cause <input id="cause-${i}" size="40" value="rejected by an operator"/></label><br/><button data-i="${i}" class="reject" data-testid="reject">Reject</button></div></div>
      <p id="res-${i}" data-testid="review-result"></p></div>`,
      )
      .join("")}`;
  const decide = async (i, body) => {
    const r = reviews[i];
    const out = document.getElementById(`res-${i}`);
    try {
      const res = await api(
        `/v1/ops/tenants/${encodeURIComponent(r.tenant)}/jobs/${encodeURIComponent(r.jobId)}/review`,
        { method: "POST", body },
      );
      out.innerHTML = `<span class="ok">${esc(body.decision)}d: job is now ${esc(res.status)}</span>`;
    } catch (err) {
      out.innerHTML = `<span class="error">${esc(err.message)}</span>`;
    }
  };
  for (const b of main.querySelectorAll("button.approve")) {
    b.addEventListener("click", () => {
      const i = Number(b.dataset.i);
      let output;
      try {
        output = JSON.parse(document.getElementById(`out-${i}`).value);
      } catch (err) {
        document.getElementById(`res-${i}`).innerHTML =
          `<span class="error">output is not JSON: ${esc(err.message)}</span>`;
        return;
      }
      void decide(i, { decision: "approve", output });
    });
  }
  for (const b of main.querySelectorAll("button.reject")) {
    b.addEventListener("click", () => {
      const i = Number(b.dataset.i);
      void decide(i, {
        decision: "reject",
        error: document.getElementById(`err-${i}`).value,
        cause: document.getElementById(`cause-${i}`).value,
      });
    });
  }
}
