// Demo chat, progressive enhancement: fetches the transcript every second so the bot's replies appear
// without reloading. The page works without this script (reload to see new messages). The server
// renders and escapes the fragments; this only swaps them in.
const transcript = document.getElementById("transcript");
const keyboard = document.getElementById("reply-keyboard");
const status = document.getElementById("chat-status");

function scrollToEnd() {
  if (transcript) transcript.scrollTop = transcript.scrollHeight;
}

async function refresh() {
  if (!transcript) return;
  try {
    const response = await fetch(transcript.dataset.source, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    });
    if (response.status === 401) {
      window.location.assign("/login");
      return;
    }
    if (response.ok) {
      const data = await response.json();
      if (data.version !== transcript.dataset.version) {
        const nearEnd = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
        transcript.innerHTML = data.transcript;
        transcript.dataset.version = data.version;
        if (status && typeof data.status === "string") status.textContent = data.status;
        if (keyboard) {
          keyboard.innerHTML = data.keyboard;
          keyboard.hidden = data.keyboard === "";
        }
        if (nearEnd) scrollToEnd();
      }
    }
  } catch {
    // The sandbox or the network is briefly away: try again on the next tick.
  }
  setTimeout(refresh, 1000);
}

scrollToEnd();
setTimeout(refresh, 1000);
