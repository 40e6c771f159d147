// Broadcast pages, progressive enhancement. Compose: the count of recipients by language follows the
// audience as it is chosen (GET /broadcasts/count); without this script the confirm step shows it.
// A broadcast's page: its progress bar and counters follow the sending over Server-Sent Events
// (GET /broadcasts/:id/events); without this script the page shows them as of its load, with a link
// to reload. Text is set with textContent only.
const compose = document.getElementById("compose");
const count = document.getElementById("live-count");
if (compose && count && "fetch" in window) {
  let asked = 0;
  const update = async () => {
    const form = new FormData(compose);
    const query = new URLSearchParams();
    for (const name of ["kind", "municipality", "course", "amount"])
      query.set(name, String(form.get(name) ?? ""));
    const mine = ++asked;
    try {
      const response = await fetch(`${compose.dataset.count}?${query}`, {
        headers: { accept: "application/json" },
      });
      const answer = await response.json();
      if (mine === asked) count.textContent = String(answer.text ?? "");
    } catch {
      // The confirm step counts anyway.
    }
  };
  for (const name of ["kind", "municipality", "course"])
    compose.elements.namedItem(name)?.addEventListener("change", update);
  compose.elements.namedItem("amount")?.addEventListener("input", update);
  if (compose.elements.namedItem("kind")?.value) update();
}

const live = document.getElementById("live");
if (live?.dataset.events && "EventSource" in window) {
  const events = new EventSource(live.dataset.events);
  events.addEventListener("progress", (event) => {
    const p = JSON.parse(event.data);
    const bar = document.getElementById("progress-bar");
    if (bar) {
      bar.value = Number(p.percent);
      bar.textContent = `${Number(p.percent)}%`;
    }
    for (const key of [
      "total",
      "sent",
      "waiting",
      "failed",
      "unreachable",
      "uncertain",
      "cancelled",
      "percent",
    ]) {
      const cell = live.querySelector(`[data-counter="${key}"]`);
      if (cell) cell.textContent = String(Number(p[key] ?? 0));
    }
    const status = live.querySelector('[data-counter="status"]');
    if (status && p.label) status.textContent = String(p.label);
    if (p.finished && Number(p.waiting) === 0) {
      events.close();
      document.getElementById("cancel")?.closest("form")?.remove();
    }
  });
}
