// Inbox and case pages, progressive enhancement: new household messages arrive over Server-Sent
// Events (GET /cases/events, /cases/:id/events). On a case page they are added to the thread; on the
// inbox a line says which case has a new message. The waiting counter in the header follows. Text is
// set with textContent only: a household's message is never read as HTML. Without this script the
// pages work as they are, with a reload.
const thread = document.getElementById("thread");
const live = document.getElementById("live");
const source = thread?.dataset.events ?? live?.dataset.events;

if (source && "EventSource" in window) {
  const events = new EventSource(source);
  events.addEventListener("message", (event) => {
    const m = JSON.parse(event.data);
    if (thread) {
      if (thread.querySelector(`[data-message="${Number(m.messageId)}"]`)) return;
      document.getElementById("no-messages")?.remove();
      const box = document.createElement("div");
      box.className = "msg bot";
      box.dataset.message = String(m.messageId);
      const meta = document.createElement("span");
      meta.className = "meta";
      const who = [thread.dataset.household, m.firstName].filter(Boolean).join(" · ");
      meta.textContent = `${who} · ${m.at}`;
      const text = document.createElement("div");
      text.className = "text";
      text.textContent = m.text;
      box.append(meta, text);
      thread.append(box);
    } else if (live) {
      const link = document.createElement("a");
      link.href = `/cases/${Number(m.caseId)}`;
      link.textContent = (live.dataset.new ?? "").replace("%ID%", String(Number(m.caseId)));
      live.replaceChildren(link);
    }
  });
  events.addEventListener("waiting", (event) => {
    const { count } = JSON.parse(event.data);
    const counter = document.querySelector("#waiting-count [data-count]");
    if (counter) counter.textContent = String(Number(count));
  });
}

// A saved reply: the same page with ?saved=ID is fetched and its filled reply box copied here, so
// nothing else typed on the page is lost. Without this script the form loads that page.
const savedForm = document.querySelector("form[data-saved]");
const replyBox = document.getElementById("reply");
if (savedForm && replyBox && "fetch" in window && "DOMParser" in window) {
  savedForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const url = new URL(savedForm.getAttribute("action") ?? "", window.location.href);
    url.hash = "";
    url.search = new URLSearchParams(new FormData(savedForm)).toString();
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const filled = page.getElementById("reply");
      if (!filled) throw new Error("no reply box");
      replyBox.value = filled.value;
      const warning = page.getElementById("saved-missing");
      const current = document.getElementById("saved-missing");
      if (current) current.remove();
      if (warning) savedForm.after(document.adoptNode(warning));
      replyBox.focus();
    } catch {
      savedForm.submit();
    }
  });
}
