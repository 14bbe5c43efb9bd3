// A job's page follows the job: its state and progress from the API every second, and the page
// again once the job has ended (it then shows the outcome, the report or the file).
(function () {
  const box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  const bar = document.getElementById("job-bar");
  const state = document.getElementById("job-state");
  const stage = document.getElementById("job-stage");
  const count = document.getElementById("job-count");
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}, credentials: "same-origin"});
      if (response.ok) {
        const job = await response.json();
        if (job.state === "done" || job.state === "failed") {
          window.location.reload();
          return;
        }
        const progress = job.progress;
        if (progress.percent === null) bar.removeAttribute("value"); else bar.value = progress.percent;
        state.textContent = job.state === "running" ? "进行中" : "排队中";
        stage.textContent = progress.stage || "";
        count.textContent = progress.total ? progress.done + " / " + progress.total : "";
      }
    } catch (error) {
      // The network may drop for a moment: the next poll tries again.
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 1000);
})();
