// Batch printing: fetch the streamed PDF, show how much has arrived, then save it.
// Without this script the form still works: the browser downloads the PDF itself.
"use strict";

(function () {
  const form = document.getElementById("print-queue-form");
  if (!form || !window.ReadableStream) return;
  const progress = document.getElementById("print-progress");
  const message = (id, done) =>
    document.getElementById(id).content.textContent.trim().replace("{done}", done);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new FormData(form);
    body.set("layout", event.submitter ? event.submitter.value : "card");
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    progress.hidden = false;
    try {
      const response = await fetch(form.action || location.href, { method: "POST", body });
      if (!response.ok || !response.body) throw new Error(String(response.status));
      const reader = response.body.getReader();
      const parts = [];
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        received += value.length;
        progress.textContent = message("msg-progress", `${(received / 1048576).toFixed(1)} MB`);
      }
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob(parts, { type: "application/pdf" }));
      link.download = `cards-${body.get("layout")}.pdf`;
      link.click();
      progress.textContent = message("msg-done");
    } catch (error) {
      progress.textContent = message("msg-failed");
      for (const button of form.querySelectorAll("button")) button.disabled = false;
    }
  });
})();
