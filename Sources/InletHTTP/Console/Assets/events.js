// Events: a filtered list (source, time range, way of arrival) and one event with its payload, recorded headers,
// runs, and a replay with a dry-run preview.
import { api, APIError } from "/console/api.js";
import { setQuery } from "/console/route.js";
import { h, field, notice, replace, table, updateRows, time, badge, jsonBlock, shortID, announce } from "/console/dom.js";
import { select } from "/console/forms.js";
import { renderExplanation } from "/console/sources.js";

/** `datetime-local` (local time, no zone) → RFC 3339 UTC for the API. */
function toRFC3339(local) {
  if (!local) return "";
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export async function eventsPage(container, { query }) {
  const sources = await api("GET", "/v1/event-sources", { query: { limit: 1000 } });
  const sourceName = (id) => sources.find((source) => source.id === id)?.name ?? shortID(id);
  const filters = h("form", { class: "filters", "aria-label": "Filter events" },
    field("Source", select("source", [["", "All sources"], ...sources.map((source) => [source.name, source.name])],
      query.get("source") ?? "")),
    field("Arrived via", select("via", [["", "Any way"], ["api", "API (dispatch)"], ["ingest", "Webhook (ingest)"],
      ["replay", "Replay"]], query.get("via") ?? "")),
    field("Received from", h("input", { type: "datetime-local", name: "from", value: query.get("from") ?? "" })),
    field("Received before", h("input", { type: "datetime-local", name: "to", value: query.get("to") ?? "" })));
  const list = table({ text: "Events, newest first", hidden: true }, ["Event", "Source", "Via", "Runs", "Received"]);
  const message = h("div");
  const empty = h("p", { class: "empty", hidden: true }, "No events match.");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Show more");
  replace(container, h("h1", {}, "Events"), filters, message, empty, list.table, more);

  let limit = 50;
  const values = () => Object.fromEntries(["source", "via", "from", "to"].map((name) => [name, filters.elements.namedItem(name).value]));
  async function refresh() {
    const chosen = values();
    const events = await api("GET", "/v1/events", { query: {
      source: chosen.source, via: chosen.via, from: toRFC3339(chosen.from), to: toRFC3339(chosen.to), limit: limit + 1,
    } });
    more.hidden = events.length <= limit;
    const shown = events.slice(0, limit);
    empty.hidden = shown.length > 0;
    list.table.hidden = shown.length === 0;
    updateRows(list.tbody, shown, (event) => event.id, (event) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/events/${event.id}`, "aria-label": `Event ${event.id}` }, shortID(event.id))),
      h("td", {}, sourceName(event.source_id)),
      h("td", {}, event.via),
      h("td", { class: "number" }, event.dispatched),
      h("td", {}, time(event.received_at))));
  }
  filters.addEventListener("change", async () => {
    const chosen = values();
    const next = new URLSearchParams(Object.entries(chosen).filter(([, value]) => value));
    setQuery(next);
    limit = 50;
    replace(message);
    try { await refresh(); } catch (error) {
      replace(message, notice("error", error instanceof APIError ? error.explanation : String(error)));
    }
  });
  filters.addEventListener("submit", (submitEvent) => submitEvent.preventDefault());
  more.addEventListener("click", async () => { limit += 50; await refresh(); });
  await refresh();
  return { refresh };
}

export async function eventPage(container, context, id) {
  const [event, sources, jobs] = await Promise.all([
    api("GET", `/v1/events/${id}`), api("GET", "/v1/event-sources", { query: { limit: 1000 } }),
    api("GET", "/v1/jobs", { query: { limit: 1000 } }),
  ]);
  const source = sources.find((candidate) => candidate.id === event.source_id);
  const jobName = (jobID) => jobs.find((job) => job.id === jobID)?.name ?? shortID(jobID);
  const headers = Object.entries(event.headers ?? {});
  const headerTable = table({ text: "Recorded headers", hidden: true }, ["Header", "Value"]);
  for (const [name, value] of headers) {
    headerTable.tbody.append(h("tr", {}, h("th", { scope: "row", dataset: { label: "Header" } }, name),
      h("td", { class: "header-value", dataset: { label: "Value" } }, String(value))));
  }
  const runsTable = table({ text: "Runs of this event", hidden: true }, ["Run", "Job", "Status", "Attempt", "Updated"]);
  const noRuns = h("p", { class: "empty", hidden: true }, "This event started no run.");
  const replayArea = h("div", { id: "replay-result", "aria-live": "polite" });
  const replayButtons = h("div", { class: "actions" },
    h("button", { type: "button", class: "secondary", onclick: async () => {
      try {
        const preview = await api("POST", `/v1/events/${id}/replay`, { query: { dry_run: "true", explain: "true" } });
        const area = h("div");
        replace(replayArea, h("p", {}, `A replay would start ${preview.matches.length} run${preview.matches.length === 1 ? "" : "s"}`,
          preview.matches.length ? `: ${preview.matches.map((match) => jobName(match.job_id)).join(", ")}.` : "."), area);
        renderExplanation(area, preview.explain ?? [], jobName, false);
      } catch (error) { replace(replayArea, notice("error", error instanceof APIError ? error.explanation : String(error))); }
    } }, "Preview replay (dry run)"),
    h("button", { type: "button", onclick: async () => {
      if (!window.confirm("Replay this event? Matching subscriptions start new runs.")) return;
      try {
        const replay = await api("POST", `/v1/events/${id}/replay`);
        replace(replayArea, notice("success", `Replayed: ${replay.dispatched} run${replay.dispatched === 1 ? "" : "s"} started.`));
        announce("Event replayed");
        await refresh();
      } catch (error) { replace(replayArea, notice("error", error instanceof APIError ? error.explanation : String(error))); }
    } }, "Replay"));

  replace(container,
    h("p", { class: "breadcrumb" }, h("a", { href: "#/events" }, "Events"), " / "),
    h("h1", {}, `Event ${shortID(event.id)}`),
    h("dl", { class: "facts" },
      h("dt", {}, "Id"), h("dd", {}, h("code", {}, event.id)),
      h("dt", {}, "Source"), h("dd", {}, source ? h("a", { href: `#/sources/${source.id}` }, source.name) : event.source_id),
      h("dt", {}, "Via"), h("dd", {}, event.via),
      h("dt", {}, "Verification"), h("dd", {}, event.verification ?? "—"),
      h("dt", {}, "Idempotency key"), h("dd", {}, event.idempotency_key ?? "—"),
      h("dt", {}, "Received"), h("dd", {}, time(event.received_at))),
    h("div", { class: "columns" },
      h("section", { class: "card", "aria-labelledby": "payload-heading" }, h("h2", { id: "payload-heading" }, "Payload"),
        jsonBlock(event.payload, "Payload")),
      h("section", { class: "card", "aria-labelledby": "headers-heading" }, h("h2", { id: "headers-heading" }, "Recorded headers"),
        headers.length ? headerTable.table : h("p", { class: "empty" }, "No headers were recorded (dispatched through the API)."))),
    h("section", { class: "card", "aria-labelledby": "runs-heading" }, h("h2", { id: "runs-heading" }, "Runs"),
      noRuns, runsTable.table),
    h("section", { class: "card", "aria-labelledby": "replay-heading" }, h("h2", { id: "replay-heading" }, "Replay"),
      h("p", {}, "Re-evaluates the source's current subscriptions against this event."), replayButtons, replayArea));

  async function refresh() {
    const runs = await api("GET", "/v1/runs", { query: { event_id: id, limit: 1000 } });
    noRuns.hidden = runs.length > 0;
    runsTable.table.hidden = runs.length === 0;
    updateRows(runsTable.tbody, runs, (run) => run.id, (run) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/runs/${run.id}`, "aria-label": `Run ${run.id}` }, shortID(run.id))),
      h("td", {}, jobName(run.job_id)), h("td", {}, badge(run.status)),
      h("td", { class: "number" }, `${run.attempt} / ${run.max_attempts}`), h("td", {}, time(run.updated_at))));
  }
  await refresh();
  return { refresh };
}
