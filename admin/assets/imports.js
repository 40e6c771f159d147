// Imports page, progressive enhancement: sends the upload form with XMLHttpRequest so the page can
// say how much of a large file has gone up, then that the server is checking it, and shows the
// server's answer as a normal submit would. Without this script the form posts as usual.
const form = document.querySelector("form[data-upload]");
const status = document.getElementById("upload-progress");

if (form && status && "FormData" in window) {
  const bar = status.querySelector("progress");
  const text = status.querySelector("span");
  const button = form.querySelector("button[type=submit]");
  const say = (message, percent) => {
    status.hidden = false;
    if (text) text.textContent = message;
    if (bar) {
      if (percent === null) bar.removeAttribute("value");
      else bar.value = percent;
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.floor((e.loaded / e.total) * 100);
      say(form.dataset.uploading.replace("%PERCENT%", String(percent)), percent);
    });
    request.upload.addEventListener("load", () => say(form.dataset.checking, null));
    request.addEventListener("load", () => {
      // Sent elsewhere (the session ended: the log-in page): go there as a browser would.
      if (request.responseURL && new URL(request.responseURL).pathname !== new URL(form.action).pathname) {
        window.location.assign(request.responseURL);
        return;
      }
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", () => {
      say(form.dataset.failed, 0);
      if (button) button.disabled = false;
    });
    if (button) button.disabled = true;
    say(form.dataset.uploading.replace("%PERCENT%", "0"), 0);
    request.send(new FormData(form));
  });
}

// A check still running (its page, /imports/check): the bar follows the server without reloading,
// and the page is reloaded, with the result, once the check is done. Without this script, a refresh
// shows the same. The words change every tenth, so a screen reader is not told every percent.
const check = document.querySelector("[data-check]");

if (check && "fetch" in window) {
  const bar = check.querySelector("progress");
  const text = check.querySelector("[data-check-text]");
  let tenth = -1;
  const poll = async () => {
    try {
      const response = await fetch(check.dataset.check, { headers: { accept: "application/json" } });
      const answer = response.ok ? await response.json() : null;
      if (answer?.state !== "checking") {
        window.location.reload();
        return;
      }
      if (bar) bar.value = answer.percent;
      if (text && Math.floor(answer.percent / 10) !== tenth) {
        tenth = Math.floor(answer.percent / 10);
        text.textContent =
          answer.percent >= 100
            ? text.dataset.database
            : text.dataset.read.replace("%PERCENT%", String(answer.percent));
      }
    } catch {
      // The connection dropped a moment: the next poll tries again.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}
