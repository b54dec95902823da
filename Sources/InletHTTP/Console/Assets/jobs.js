// Jobs: list and create; one job's config (URL, method, timeout, attempts), enable/disable, secret rotation.
import { api, APIError } from "/console/api.js";
import { h, field, notice, replace, table, updateRows, time, badge, announce } from "/console/dom.js";
import { input, onSubmit, secretNotice, select } from "/console/forms.js";
import { circuitBadge } from "/console/overview.js";

function httpFields(config = {}) {
  return [
    field("URL", input("url", { type: "url", value: config.url ?? "", placeholder: "https://example.com/hooks/inlet" }),
      "HTTP jobs: where the worker POSTs each run."),
    field("Method", select("method", ["POST", "PUT", "PATCH"], config.method ?? "POST")),
    field("Timeout (ms)", input("timeout_ms", { type: "number", min: 1, value: config.timeout_ms ?? 10000 })),
  ];
}

function readConfig(form) {
  const timeout = Number(form.elements.namedItem("timeout_ms").value);
  return {
    url: form.elements.namedItem("url").value.trim(),
    method: form.elements.namedItem("method").value,
    timeout_ms: Number.isFinite(timeout) ? timeout : form.elements.namedItem("timeout_ms").value,
  };
}

export async function jobsPage(container, { navigate }) {
  const list = table({ text: "Jobs", hidden: true }, ["Name", "Kind", "Target", "Attempts", "State", "Created"]);
  const empty = h("p", { class: "empty", hidden: true }, "No jobs yet.");
  const message = h("div");
  const kind = select("kind", [["http", "http: POST to a URL"], ["noop", "noop: succeed at once"]], "http");
  const httpSection = h("div", {}, httpFields());
  const form = h("form", { class: "card", "aria-labelledby": "new-job-heading", novalidate: true },
    h("h2", { id: "new-job-heading" }, "New job"),
    field("Name", input("name", { required: true })),
    field("Kind", kind),
    httpSection,
    field("Max attempts", input("max_attempts", { type: "number", min: 1, max: 100, value: 10 })),
    message,
    h("button", { type: "submit" }, "Create job"));
  kind.addEventListener("change", () => { httpSection.hidden = kind.value !== "http"; });
  replace(container, h("h1", {}, "Jobs"), h("div", { class: "columns" },
    h("section", { "aria-label": "Job list" }, empty, list.table), form));
  onSubmit(form, message, async () => {
    const body = {
      name: form.elements.namedItem("name").value.trim(), kind: kind.value,
      max_attempts: Number(form.elements.namedItem("max_attempts").value),
    };
    if (kind.value === "http") body.config = readConfig(form);
    const job = await api("POST", "/v1/jobs", { body, project: "body" });
    sessionStorage.setItem("inlet.flash", JSON.stringify({ secret: job.signing_secret ?? null }));
    navigate(`#/jobs/${job.id}`);
  });
  async function refresh() {
    const jobs = await api("GET", "/v1/jobs", { query: { limit: 1000 } });
    empty.hidden = jobs.length > 0;
    list.table.hidden = jobs.length === 0;
    updateRows(list.tbody, jobs, (job) => job.id, (job) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/jobs/${job.id}` }, job.name), " ", circuitBadge(job)),
      h("td", {}, job.kind),
      h("td", { class: "target" }, job.kind === "http" ? `${job.config?.method ?? "POST"} ${job.config?.url ?? ""}` : "—"),
      h("td", { class: "number" }, job.max_attempts),
      h("td", {}, badge(job.enabled ? "enabled" : "disabled")),
      h("td", {}, time(job.created_at))));
  }
  await refresh();
  return { refresh };
}

export async function jobPage(container, context, id) {
  const job = await api("GET", `/v1/jobs/${id}`);
  const flash = JSON.parse(sessionStorage.getItem("inlet.flash") ?? "null");
  sessionStorage.removeItem("inlet.flash");
  const top = h("div");
  if (flash?.secret) replace(top, secretNotice("Job created", flash.secret));
  else if (flash) replace(top, notice("success", "Job created."));
  const message = h("div");
  const stateArea = h("p", { class: "job-state" });
  const form = h("form", { class: "card", "aria-labelledby": "config-heading", novalidate: true },
    h("h2", { id: "config-heading" }, "Configuration"),
    field("Name", input("name", { value: job.name, required: true })),
    job.kind === "http" ? httpFields(job.config) : h("p", {}, `Kind: ${job.kind}`),
    job.kind === "http" && job.config?.header_names?.length
      ? h("p", { class: "hint" }, `Headers sent (values hidden): ${job.config.header_names.join(", ")}`) : null,
    field("Max attempts", input("max_attempts", { type: "number", min: 1, max: 100, value: job.max_attempts })),
    message,
    h("button", { type: "submit" }, "Save changes"));
  onSubmit(form, message, async () => {
    const body = {
      name: form.elements.namedItem("name").value.trim(),
      max_attempts: Number(form.elements.namedItem("max_attempts").value),
    };
    if (job.kind === "http") body.config = readConfig(form);
    Object.assign(job, await api("PATCH", `/v1/jobs/${id}`, { body }));
    replace(message, notice("success", "Saved."));
    renderState();
  });
  const toggle = h("button", { type: "button", class: "secondary" });
  toggle.addEventListener("click", async () => {
    try {
      Object.assign(job, await api("PATCH", `/v1/jobs/${id}`, { body: { enabled: !job.enabled } }));
      announce(job.enabled ? "Job enabled" : "Job disabled");
      renderState();
    } catch (error) { replace(message, notice("error", error instanceof APIError ? error.explanation : String(error))); }
  });
  const secretArea = h("div");
  const rotate = h("button", { type: "button", class: "secondary", hidden: job.kind !== "http", onclick: async () => {
    if (!window.confirm("Rotate this job's signing secret? The previous one stays valid for 24 hours.")) return;
    try {
      const rotated = await api("POST", `/v1/jobs/${id}/rotate-secret`, { body: {} });
      replace(secretArea, secretNotice("Secret rotated", rotated.signing_secret));
    } catch (error) { replace(secretArea, notice("error", error instanceof APIError ? error.explanation : String(error))); }
  } }, "Rotate signing secret");
  function renderState() {
    replace(stateArea, badge(job.enabled ? "enabled" : "disabled"), " ", circuitBadge(job));
    toggle.textContent = job.enabled ? "Disable job" : "Enable job";
  }
  renderState();
  replace(container, h("p", { class: "breadcrumb" }, h("a", { href: "#/jobs" }, "Jobs"), " / "),
    h("h1", {}, job.name), top, stateArea,
    h("div", { class: "actions" }, toggle, rotate,
      h("a", { class: "button secondary", href: `#/runs?job_id=${id}` }, "Runs of this job"),
      h("a", { class: "button secondary", href: `#/runs?job_id=${id}&status=dead` }, "Dead runs")),
    secretArea, form,
    h("p", { class: "hint" }, `Created `, time(job.created_at), `, updated `, time(job.updated_at)));
  async function refresh() {
    const fresh = await api("GET", `/v1/jobs/${id}`);
    if (fresh.enabled !== job.enabled || JSON.stringify(fresh.circuit) !== JSON.stringify(job.circuit)) {
      job.enabled = fresh.enabled;
      job.circuit = fresh.circuit;
      renderState();
    }
  }
  return { refresh };
}
