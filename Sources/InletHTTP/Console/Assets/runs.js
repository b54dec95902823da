// Runs: a list by status and job (with bulk retry of a job's dead runs) and one run with every attempt, retry
// and cancel.
import { api, APIError } from "/console/api.js";
import { setQuery } from "/console/route.js";
import { h, field, notice, replace, table, updateRows, time, badge, shortID, announce } from "/console/dom.js";
import { select } from "/console/forms.js";

const statuses = ["scheduled", "queued", "running", "succeeded", "dead", "cancelled"];

function errorText(error) {
  return error instanceof APIError ? error.explanation : String(error);
}

export async function runsPage(container, { query }) {
  const jobs = await api("GET", "/v1/jobs", { query: { limit: 1000 } });
  const jobName = (id) => jobs.find((job) => job.id === id)?.name ?? shortID(id);
  const filters = h("form", { class: "filters", "aria-label": "Filter runs" },
    field("Status", select("status", [["", "Any status"], ...statuses.map((status) => [status, status])],
      query.get("status") ?? "")),
    field("Job", select("job_id", [["", "All jobs"], ...jobs.map((job) => [job.id, job.name])], query.get("job_id") ?? "")));
  const message = h("div");
  const bulk = h("button", { type: "button", class: "secondary", hidden: true }, "Retry all dead runs of this job");
  const list = table({ text: "Runs, newest first", hidden: true }, ["Run", "Job", "Status", "Attempt", "Last error", "Updated"]);
  const empty = h("p", { class: "empty", hidden: true }, "No runs match.");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Show more");
  replace(container, h("h1", {}, "Runs"), filters, h("div", { class: "actions" }, bulk), message, empty, list.table, more);

  let limit = 50;
  const chosen = () => ({ status: filters.elements.namedItem("status").value, job_id: filters.elements.namedItem("job_id").value });
  async function refresh() {
    const { status, job_id: jobID } = chosen();
    bulk.hidden = !jobID || (status !== "" && status !== "dead");
    const runs = await api("GET", "/v1/runs", { query: { status, job_id: jobID, limit: limit + 1 } });
    more.hidden = runs.length <= limit;
    const shown = runs.slice(0, limit);
    empty.hidden = shown.length > 0;
    list.table.hidden = shown.length === 0;
    updateRows(list.tbody, shown, (run) => run.id, (run) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/runs/${run.id}`, "aria-label": `Run ${run.id}` }, shortID(run.id))),
      h("td", {}, jobName(run.job_id)),
      h("td", {}, badge(run.status)),
      h("td", { class: "number" }, `${run.attempt} / ${run.max_attempts}`),
      h("td", { class: "error-text" }, run.last_error ?? "—"),
      h("td", {}, time(run.updated_at))));
  }
  filters.addEventListener("change", async () => {
    setQuery(new URLSearchParams(Object.entries(chosen()).filter(([, value]) => value)));
    limit = 50;
    replace(message);
    try { await refresh(); } catch (error) { replace(message, notice("error", errorText(error))); }
  });
  filters.addEventListener("submit", (submitEvent) => submitEvent.preventDefault());
  more.addEventListener("click", async () => { limit += 50; await refresh(); });
  bulk.addEventListener("click", async () => {
    const jobID = chosen().job_id;
    if (!window.confirm(`Queue every dead run of ${jobName(jobID)} again?`)) return;
    bulk.disabled = true;
    try {
      let total = 0;
      for (;;) {
        const result = await api("POST", `/v1/jobs/${jobID}/retry-dead`, { body: {} });
        total += result.requeued;
        if (!result.has_more) break;
      }
      replace(message, notice("success", `${total} dead run${total === 1 ? "" : "s"} queued again.`));
      await refresh();
    } catch (error) {
      replace(message, notice("error", errorText(error)));
    } finally {
      bulk.disabled = false;
    }
  });
  await refresh();
  return { refresh };
}

export async function runPage(container, context, id) {
  const jobs = await api("GET", "/v1/jobs", { query: { limit: 1000 } });
  const jobName = (jobID) => jobs.find((job) => job.id === jobID)?.name ?? shortID(jobID);
  const heading = h("h1", {}, `Run ${shortID(id)}`);
  const statusArea = h("p", { class: "run-status" });
  const facts = h("dl", { class: "facts" });
  const message = h("div");
  const retry = h("button", { type: "button", hidden: true }, "Retry run");
  const cancel = h("button", { type: "button", class: "danger", hidden: true }, "Cancel run");
  const attemptsTable = table({ text: "Attempts, oldest first", hidden: true },
    ["Attempt", "Outcome", "Status code", "Duration", "Error", "Response excerpt", "Finished"]);
  const noAttempts = h("p", { class: "empty", hidden: true }, "No attempt has finished yet.");
  replace(container, h("p", { class: "breadcrumb" }, h("a", { href: "#/runs" }, "Runs"), " / "), heading, statusArea,
    h("div", { class: "actions" }, retry, cancel), message, facts,
    h("section", { class: "card", "aria-labelledby": "attempts-heading" }, h("h2", { id: "attempts-heading" }, "Attempts"),
      noAttempts, attemptsTable.table));

  let run = null;
  async function act(action, done) {
    replace(message);
    try {
      run = await api("POST", `/v1/runs/${id}/${action}`);
      replace(message, notice("success", done));
      announce(done);
      await refresh();
    } catch (error) {
      replace(message, notice("error", errorText(error)));
    }
  }
  retry.addEventListener("click", () => act("retry", "The run is queued again."));
  cancel.addEventListener("click", () => {
    if (window.confirm("Cancel this run?")) act("cancel", "The run is cancelled.");
  });

  async function refresh() {
    run = await api("GET", `/v1/runs/${id}`);
    replace(statusArea, "Status: ", badge(run.status), run.dead_reason ? ` (${run.dead_reason})` : null);
    statusArea.dataset.status = run.status;
    retry.hidden = !["dead", "cancelled"].includes(run.status);
    cancel.hidden = !["queued", "scheduled"].includes(run.status);
    replace(facts,
      h("dt", {}, "Id"), h("dd", {}, h("code", {}, run.id)),
      h("dt", {}, "Job"), h("dd", {}, h("a", { href: `#/jobs/${run.job_id}` }, jobName(run.job_id))),
      h("dt", {}, "Event"), h("dd", {}, h("a", { href: `#/events/${run.event_id}` }, shortID(run.event_id))),
      h("dt", {}, "Attempt"), h("dd", {}, `${run.attempt} of ${run.max_attempts}`),
      h("dt", {}, "Next run at"), h("dd", {}, run.status === "queued" || run.status === "scheduled" ? time(run.run_at) : "—"),
      h("dt", {}, "Last error"), h("dd", { class: "error-text" }, run.last_error ?? "—"),
      h("dt", {}, "Created"), h("dd", {}, time(run.created_at)),
      h("dt", {}, "Finished"), h("dd", {}, time(run.finished_at)));
    const attempts = run.attempts ?? [];
    noAttempts.hidden = attempts.length > 0;
    attemptsTable.table.hidden = attempts.length === 0;
    updateRows(attemptsTable.tbody, attempts, (attempt) => String(attempt.attempt), (attempt) => h("tr", {},
      h("th", { scope: "row" }, attempt.attempt),
      h("td", {}, badge(attempt.outcome)),
      h("td", { class: "number" }, attempt.status_code ?? "—"),
      h("td", { class: "number" }, `${attempt.duration_ms} ms`),
      h("td", { class: "error-text" }, attempt.error ?? "—"),
      h("td", {}, attempt.response_excerpt ? h("pre", { class: "excerpt" }, attempt.response_excerpt) : "—"),
      h("td", {}, time(attempt.finished_at))));
  }
  await refresh();
  return { refresh };
}
