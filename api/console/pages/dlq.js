// The Dead letters page: every dead-letter queue's messages with their reason, and redrive.

import { api, main } from "../api.js";
import { esc } from "../html.js";

export async function dlqPage() {
  const { queues } = await api("/v1/ops/dlq");
  main.innerHTML = `<h1>Dead letters</h1>${queues
    .map(
      (
        q,
      ) => `<div class="card" data-testid="dlq" data-queue="${esc(q.queue)}"><h2>${esc(q.queue)} <span class="muted">→ ${esc(q.source)}</span> · <span data-testid="dlq-count">${q.messages.length}</span> shown
      ${q.messages.length > 0 ? `<button class="redrive-all" data-queue="${esc(q.queue)}">Redrive all</button>` : ""}</h2>
      ${
        q.messages.length === 0
          ? "<p class='muted'>empty</p>"
          : `<table><thead><tr><th>message</th><th>reason</th><th>sent</th><th class="num">receives</th><th>body</th><th></th></tr></thead><tbody>
      ${q.messages
        .map(
          (
            m,
          ) => `<tr data-testid="dead-letter" data-message="${esc(m.messageId)}"><td>${esc(m.messageId)}</td><td data-testid="reason">${esc(m.reason)}</td><td>${esc(m.sentAt)}</td><td class="num">${m.receiveCount}</td><td><code>${esc(m.body.slice(0, 120))}</code></td>
          <td>${m.bodyRef ? "<span class='muted'>body in S3</span>" : `<button class="redrive" data-testid="redrive" data-queue="${esc(q.queue)}" data-message="${esc(m.messageId)}">Redrive</button>`}</td></tr>`,
        )
        .join("")}</tbody></table>`
      }</div>`,
    )
    .join("")}<p id="redrive-result" data-testid="redrive-result"></p>`;
  const run = async (queue, messageId) => {
    const out = document.getElementById("redrive-result");
    try {
      const r = await api(`/v1/ops/dlq/${encodeURIComponent(queue)}/redrive`, {
        method: "POST",
        body: messageId ? { messageId } : {},
      });
      out.innerHTML = `<span class="ok">moved ${r.moved} message(s) from ${esc(r.queue)} to ${esc(r.to)}${r.skipped.length ? `; ${r.skipped.length} left (${esc(r.skipped[0].why)})` : ""}</span>`;
    } catch (err) {
      out.innerHTML = `<span class="error">${esc(err.message)}</span>`;
    }
  };
  for (const b of main.querySelectorAll("button.redrive"))
    b.addEventListener("click", () => run(b.dataset.queue, b.dataset.message));
  for (const b of main.querySelectorAll("button.redrive-all"))
    b.addEventListener("click", () => run(b.dataset.queue));
}
