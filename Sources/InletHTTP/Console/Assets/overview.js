// Overview: per-job queue depth, the last hour's attempts (chart, throughput, failure rate), circuit state where
// jobs have one, and the dead runs that need attention.
import { api, APIError } from "/console/api.js";
import { attemptsChart } from "/console/chart.js";
import { h, notice, replace, table, updateRows, relative, shortID, badge, announce } from "/console/dom.js";

/** The circuit state of a job, when the server reports one (`circuit` as a string or {state}); else null. */
export function circuitState(job) {
  const circuit = job?.circuit;
  if (!circuit) return null;
  return typeof circuit === "string" ? circuit : circuit.state ?? null;
}

export function circuitBadge(job) {
  const state = circuitState(job);
  return state ? h("span", { class: `badge circuit-${String(state).replace(/[^a-z_-]/gi, "")}` }, `circuit ${state}`) : null;
}

function percent(rate) {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(rate > 0 && rate < 0.01 ? 1 : 0)} %`;
}

export async function overviewPage(container) {
  const jobsTable = table({ text: "Jobs: runs waiting now and attempts in the last hour", hidden: true }, [
    "Job", "Queued", "Scheduled", "Running", "Dead", "Last hour", "Failure rate", "Attempts per 5 minutes",
  ]);
  const deadTable = table({ text: "Dead runs needing attention", hidden: true }, ["Run", "Job", "Error", "Finished", "Action"]);
  const message = h("div");
  const deadEmpty = h("p", { class: "empty", hidden: true }, "No dead runs. Nothing needs attention.");
  replace(container,
    h("h1", {}, "Overview"),
    message,
    h("section", { "aria-labelledby": "jobs-heading" }, h("h2", { id: "jobs-heading" }, "Jobs"), jobsTable.table),
    h("section", { "aria-labelledby": "dead-heading" }, h("h2", { id: "dead-heading" }, "Dead runs"), deadEmpty,
      deadTable.table));

  async function refresh() {
    const [stats, jobs, dead] = await Promise.all([
      api("GET", "/v1/stats"),
      api("GET", "/v1/jobs", { query: { limit: 1000 } }),
      api("GET", "/v1/runs", { query: { status: "dead", limit: 20 } }),
    ]);
    const jobsByID = new Map(jobs.map((job) => [job.id, job]));
    const rows = stats.jobs.map((figures) => ({ figures, job: jobsByID.get(figures.job_id) }))
      .filter((row) => row.job)
      .sort((a, b) => a.job.name.localeCompare(b.job.name));
    updateRows(jobsTable.tbody, rows, (row) => row.job.id, ({ figures, job }) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/jobs/${job.id}` }, job.name), " ",
        job.enabled ? null : badge("disabled"), " ", circuitBadge(job)),
      h("td", { class: "number" }, figures.queued),
      h("td", { class: "number" }, figures.scheduled),
      h("td", { class: "number" }, figures.running),
      h("td", { class: "number" }, figures.dead
        ? h("a", { href: `#/runs?status=dead&job_id=${job.id}` }, figures.dead) : "0"),
      h("td", { class: "number" }, `${figures.succeeded_last_hour} ok / ${figures.failed_last_hour} failed`),
      h("td", { class: "number" }, percent(figures.failure_rate)),
      h("td", {}, attemptsChart(figures.buckets,
        `${job.name}: ${figures.succeeded_last_hour} attempts succeeded and ${figures.failed_last_hour} failed in the last hour`))));
    if (!rows.length) {
      replace(message, notice("info", "No jobs yet. ", h("a", { href: "#/jobs" }, "Create a job"), ", then a ",
        h("a", { href: "#/sources" }, "source"), " that subscribes it."));
    } else {
      replace(message);
    }
    deadEmpty.hidden = dead.length > 0;
    deadTable.table.hidden = dead.length === 0;
    updateRows(deadTable.tbody, dead, (run) => run.id, (run) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/runs/${run.id}`, "aria-label": `Run ${run.id}` }, shortID(run.id))),
      h("td", {}, jobsByID.get(run.job_id)?.name ?? shortID(run.job_id)),
      h("td", { class: "error-text" }, run.last_error ?? "—"),
      h("td", {}, relative(run.finished_at)),
      h("td", {}, h("button", {
        type: "button", class: "secondary",
        onclick: async (clickEvent) => {
          clickEvent.target.disabled = true;
          try {
            await api("POST", `/v1/runs/${run.id}/retry`);
            announce("Run queued again");
            await refresh();
          } catch (error) {
            replace(message, notice("error", error instanceof APIError ? error.explanation : String(error)));
            clickEvent.target.disabled = false;
          }
        },
      }, "Retry"))));
  }
  await refresh();
  // GET /v1/stats reads the last hour's attempts: every 5 s is live enough for an overview.
  return { refresh, interval: 5000 };
}
