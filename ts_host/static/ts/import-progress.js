// The import pages' progress: while the browser waits for the preview, ask
// the server how far it is (the form's data-ts-progress URL) and show it.
// Without this script the form works the same, without the progress bar.
// Loaded as a module; no inline script anywhere (CSP).

const POLL_MS = 1000;

function setupProgress(form) {
  const box = form.querySelector("[data-ts-progress-box]");
  const text = form.querySelector("[data-ts-progress-text]");
  const bar = form.querySelector("[data-ts-progress-bar]");
  const submit = form.querySelector("button[type=submit]");
  const poll = async () => {
    try {
      const response = await fetch(form.dataset.tsProgress, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const state = await response.json();
        if (state.etape) {
          bar.value = state.pourcent;
          text.textContent = `${state.etape} : ${state.pourcent} %`;
        }
      }
    } catch (error) {
      // A lost poll changes nothing: the next one tries again.
    }
    window.setTimeout(poll, POLL_MS);
  };
  form.addEventListener("submit", () => {
    box.hidden = false;
    submit.disabled = true;
    window.setTimeout(poll, POLL_MS);
  });
}

document.querySelectorAll("form[data-ts-progress]").forEach(setupProgress);
