// Sources: list and create; one source's settings (schema editor, signature scheme, ingest URL, secret rotation),
// its subscriptions, and the filter tester (POST /v1/event-sources/{id}/explain).
import { api, APIError } from "/console/api.js";
import { h, field, notice, replace, table, updateRows, time, badge, jsonBlock, announce } from "/console/dom.js";
import { input, onSubmit, readJSON, secretNotice, select, textarea, showError } from "/console/forms.js";

const schemes = [["", "(none chosen: ingest refused)"], ["none", "none (unsigned)"], ["hmac", "HMAC"],
  ["standard-webhooks", "Standard Webhooks"], ["stripe", "Stripe"], ["slack", "Slack"]];
const algorithms = ["hmac-sha256", "hmac-sha512", "hmac-sha1"];
const encodings = ["hex", "base64"];

function signatureFields(source = {}) {
  return [
    field("Signature scheme", select("signature_scheme", schemes, source.signature_scheme ?? ""),
      "How webhooks sent to the ingest URL are verified."),
    field("Signature header", input("signature_header", { value: source.signature_header ?? "" }),
      "HMAC only: the header carrying the signature, e.g. X-Hub-Signature-256."),
    field("Algorithm", select("signature_algorithm", algorithms, source.signature_algorithm ?? "hmac-sha256")),
    field("Encoding", select("signature_encoding", encodings, source.signature_encoding ?? "hex")),
  ];
}

function readSignature(form, body) {
  const scheme = form.elements.namedItem("signature_scheme").value;
  if (scheme) body.signature_scheme = scheme;
  const header = form.elements.namedItem("signature_header").value.trim();
  body.signature_header = header || null;
  if (scheme === "hmac" || header) {
    body.signature_algorithm = form.elements.namedItem("signature_algorithm").value;
    body.signature_encoding = form.elements.namedItem("signature_encoding").value;
  }
  return body;
}

export async function sourcesPage(container, { navigate }) {
  const list = table({ text: "Event sources", hidden: true }, ["Name", "Scheme", "State", "Created"]);
  const message = h("div");
  const form = h("form", { class: "card", "aria-labelledby": "new-source-heading", novalidate: true },
    h("h2", { id: "new-source-heading" }, "New source"),
    field("Name", input("name", { required: true }), "1–128 characters: letters, digits, . _ : -"),
    field("Description", input("description")),
    field("Schema (JSON Schema)", textarea("schema", "{}"), "{} accepts every payload."),
    signatureFields(),
    message,
    h("button", { type: "submit" }, "Create source"));
  const empty = h("p", { class: "empty", hidden: true }, "No sources yet.");
  replace(container, h("h1", {}, "Sources"), h("div", { class: "columns" },
    h("section", { "aria-label": "Source list" }, empty, list.table), form));

  onSubmit(form, message, async () => {
    const schema = readJSON(form, "schema", { allowEmpty: true });
    if (schema === undefined) return;
    const body = readSignature(form, {
      name: form.elements.namedItem("name").value.trim(),
      description: form.elements.namedItem("description").value.trim() || null,
      schema,
    });
    if (body.signature_header === null) delete body.signature_header;
    const source = await api("POST", "/v1/event-sources", { body, project: "body" });
    sessionStorage.setItem("inlet.flash", JSON.stringify({ kind: "created", secret: source.signing_secret ?? null }));
    navigate(`#/sources/${source.id}`);
  });

  async function refresh() {
    const sources = await api("GET", "/v1/event-sources", { query: { limit: 1000 } });
    empty.hidden = sources.length > 0;
    updateRows(list.tbody, sources, (source) => source.id, (source) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/sources/${source.id}` }, source.name)),
      h("td", {}, source.signature_scheme ?? "—"),
      h("td", {}, badge(source.enabled ? "enabled" : "disabled")),
      h("td", {}, time(source.created_at))));
  }
  await refresh();
  return { refresh };
}

export async function sourcePage(container, { navigate }, id) {
  const [source, jobs] = await Promise.all([
    api("GET", `/v1/event-sources/${id}`), api("GET", "/v1/jobs", { query: { limit: 1000 } }),
  ]);
  const jobName = (jobID) => jobs.find((job) => job.id === jobID)?.name ?? jobID;
  const flash = JSON.parse(sessionStorage.getItem("inlet.flash") ?? "null");
  sessionStorage.removeItem("inlet.flash");
  const top = h("div");
  if (flash?.secret) replace(top, secretNotice("Source created", flash.secret));
  else if (flash) replace(top, notice("success", "Source created."));

  // Settings
  const settingsMessage = h("div");
  const settings = h("form", { class: "card", "aria-labelledby": "settings-heading", novalidate: true },
    h("h2", { id: "settings-heading" }, "Settings"),
    field("Name", input("name", { value: source.name, required: true })),
    field("Description", input("description", { value: source.description ?? "" })),
    field("Schema (JSON Schema)", textarea("schema", JSON.stringify(source.schema, null, 2), { rows: 10 }),
      "Payloads that do not validate are refused with 422."),
    signatureFields(source),
    h("div", { class: "field checkbox" }, h("input", { type: "checkbox", name: "enabled", id: "source-enabled",
      checked: source.enabled }), h("label", { for: "source-enabled" }, "Enabled (accepts events)")),
    settingsMessage,
    h("button", { type: "submit" }, "Save changes"));
  onSubmit(settings, settingsMessage, async () => {
    const schema = readJSON(settings, "schema");
    if (schema === undefined) return;
    const body = readSignature(settings, {
      name: settings.elements.namedItem("name").value.trim(),
      description: settings.elements.namedItem("description").value.trim() || null,
      schema, enabled: settings.elements.namedItem("enabled").checked,
    });
    const saved = await api("PATCH", `/v1/event-sources/${id}`, { body });
    Object.assign(source, saved);
    replace(settingsMessage, notice("success", "Saved."));
  });

  // Ingest URL and secret rotation
  const ingestURL = `${window.location.origin}/v1/ingest/${source.id}`;
  const urlField = h("input", { type: "text", readOnly: true, value: ingestURL, id: "ingest-url", class: "code" });
  const secretArea = h("div");
  const ingest = h("section", { class: "card", "aria-labelledby": "ingest-heading" },
    h("h2", { id: "ingest-heading" }, "Ingest"),
    field("Ingest URL (webhooks are POSTed here)", urlField),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: async () => {
        urlField.select();
        try { await navigator.clipboard.writeText(ingestURL); announce("Ingest URL copied"); }
        catch { document.execCommand?.("copy"); announce("Ingest URL selected: press Ctrl+C to copy"); }
      } }, "Copy URL"),
      h("button", { type: "button", class: "secondary", onclick: async (clickEvent) => {
        if (!window.confirm("Rotate the signing secret? The previous one stays valid for 24 hours.")) return;
        clickEvent.target.disabled = true;
        try {
          const rotated = await api("POST", `/v1/event-sources/${id}/rotate-secret`, { body: {} });
          replace(secretArea, secretNotice("Secret rotated", rotated.signing_secret));
        } catch (error) {
          replace(secretArea, notice("error", error instanceof APIError ? error.explanation : String(error)));
        } finally { clickEvent.target.disabled = false; }
      } }, "Rotate signing secret")),
    secretArea,
    h("p", {}, h("a", { href: `#/events?source=${encodeURIComponent(source.name)}` }, "Events of this source")));

  // Subscriptions
  const subscriptionsTable = table({ text: "Subscriptions", hidden: true }, ["Job", "Filter", "State", "Actions"]);
  const subscriptionMessage = h("div");
  const noSubscriptions = h("p", { class: "empty", hidden: true }, "No subscriptions: events of this source start no job.");
  const subscribe = h("form", { class: "inline-form", "aria-labelledby": "subscribe-heading", novalidate: true },
    h("h3", { id: "subscribe-heading" }, "Subscribe a job"),
    field("Job", select("target_id", jobs.map((job) => [job.id, job.name]), jobs[0]?.id)),
    field("Filter (EventBridge pattern)", textarea("filter_expr", "{}", { rows: 4 }), "{} matches every event."),
    subscriptionMessage,
    h("button", { type: "submit", disabled: !jobs.length }, "Subscribe"));
  onSubmit(subscribe, subscriptionMessage, async () => {
    const filter = readJSON(subscribe, "filter_expr", { allowEmpty: true });
    if (filter === undefined) return;
    await api("POST", `/v1/event-sources/${id}/subscribe`, { project: "none", body: {
      target_type: "job", target_id: subscribe.elements.namedItem("target_id").value, filter_expr: filter,
    } });
    replace(subscriptionMessage, notice("success", "Subscribed."));
    await refreshSubscriptions();
  });
  let subscriptions = [];
  async function refreshSubscriptions() {
    subscriptions = await api("GET", `/v1/event-sources/${id}/subscriptions`, { project: "none" });
    noSubscriptions.hidden = subscriptions.length > 0;
    updateRows(subscriptionsTable.tbody, subscriptions, (subscription) => subscription.id, (subscription) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/jobs/${subscription.target_id}` }, jobName(subscription.target_id))),
      h("td", {}, h("code", { class: "filter" }, JSON.stringify(subscription.filter_expr))),
      h("td", {}, badge(subscription.enabled ? "enabled" : "disabled")),
      h("td", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: async () => {
          try {
            await api("PATCH", `/v1/event-sources/${id}/subscriptions/${subscription.id}`, { project: "none",
              body: { enabled: !subscription.enabled } });
            announce(subscription.enabled ? "Subscription disabled" : "Subscription enabled");
            await refreshSubscriptions();
          } catch (error) { showError(null, subscriptionMessage, error); }
        } }, subscription.enabled ? `Disable` : `Enable`, h("span", { class: "visually-hidden" }, ` subscription of ${jobName(subscription.target_id)}`)),
        h("button", { type: "button", class: "danger", onclick: async () => {
          if (!window.confirm(`Delete the subscription of ${jobName(subscription.target_id)}?`)) return;
          try {
            await api("DELETE", `/v1/event-sources/${id}/subscriptions/${subscription.id}`, { project: "none" });
            await refreshSubscriptions();
          } catch (error) { showError(null, subscriptionMessage, error); }
        } }, "Delete", h("span", { class: "visually-hidden" }, ` subscription of ${jobName(subscription.target_id)}`)))));
    updateTesterChoices();
  }

  // Filter tester
  const testerResult = h("div", { id: "tester-result", "aria-live": "polite" });
  const testerMessage = h("div");
  const subscriptionChoice = select("subscription_id", [["", "All subscriptions"]], "");
  let offered = "";
  function updateTesterChoices() {
    const names = JSON.stringify(subscriptions.map((subscription) => [subscription.id, subscription.target_id]));
    if (names === offered) return; // leave the control alone while nothing changed
    offered = names;
    const chosen = subscriptionChoice.value;
    replace(subscriptionChoice, h("option", { value: "" }, "All subscriptions"),
      subscriptions.map((subscription) => h("option", { value: subscription.id, selected: subscription.id === chosen },
        jobName(subscription.target_id))));
  }
  const tester = h("form", { class: "card", "aria-labelledby": "tester-heading", novalidate: true },
    h("h2", { id: "tester-heading" }, "Filter tester"),
    h("p", {}, "Try a payload against this source's filters: see which subscriptions match and, for the others, why not. Nothing is dispatched."),
    field("Payload (JSON)", textarea("payload", '{\n  "type": "order.created"\n}', { rows: 6 })),
    field("Headers (JSON object, optional)", textarea("headers", "", { rows: 2, placeholder: '{"x-github-event": "push"}' }),
      "For filters on $headers."),
    field("Subscriptions to test", subscriptionChoice),
    testerMessage,
    h("button", { type: "submit" }, "Test filters"),
    testerResult);
  onSubmit(tester, testerMessage, async () => {
    const payload = readJSON(tester, "payload");
    const headers = readJSON(tester, "headers", { allowEmpty: true });
    if (payload === undefined || headers === undefined) return;
    const body = { payload, headers };
    if (subscriptionChoice.value) body.subscription_id = subscriptionChoice.value;
    const result = await api("POST", `/v1/event-sources/${id}/explain`, { project: "none", body });
    renderExplanation(testerResult, result.subscriptions, jobName, result.truncated);
  });

  replace(container,
    h("p", { class: "breadcrumb" }, h("a", { href: "#/sources" }, "Sources"), " / "),
    h("h1", {}, source.name), top,
    h("div", { class: "columns" }, settings, h("div", {}, ingest, tester)),
    h("section", { class: "card", "aria-labelledby": "subscriptions-heading" },
      h("h2", { id: "subscriptions-heading" }, "Subscriptions"), noSubscriptions, subscriptionsTable.table, subscribe));
  await refreshSubscriptions();
  return { refresh: refreshSubscriptions };
}

/** The explain endpoint's answer as a list: matches, or the first failing path with expected and actual values. */
export function renderExplanation(container, explanations, jobName, truncated) {
  const matched = explanations.filter((explanation) => explanation.matched).length;
  replace(container,
    h("p", { class: "summary" }, `${matched} of ${explanations.length} subscription${explanations.length === 1 ? "" : "s"} match.`),
    h("ul", { class: "explanations" }, explanations.map((explanation) => h("li", {
      class: explanation.matched ? "match" : "no-match", dataset: { subscription: explanation.subscription_id },
    },
    h("strong", {}, jobName(explanation.target_id)), ": ",
    explanation.matched ? "matches" : "does not match",
    explanation.enabled === false ? " (subscription disabled)" : null,
    explanation.failure ? h("div", { class: "why" },
      h("span", {}, explanation.failure.reason), " ",
      h("span", {}, "at "), h("code", {}, explanation.failure.path || "/"),
      h("span", {}, ` (${explanation.failure.operator}): expected `), h("code", {}, JSON.stringify(explanation.failure.expected)),
      h("span", {}, ", got "), h("code", {}, explanation.failure.actual === null ? "nothing" : JSON.stringify(explanation.failure.actual)))
      : null))),
    truncated ? notice("info", "Only the first subscriptions were explained.") : null);
}
