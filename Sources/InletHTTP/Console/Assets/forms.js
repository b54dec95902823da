// Form helpers shared by the pages: JSON fields checked before sending, and the API's validation details shown
// next to the fields they name.
import { APIError } from "/console/api.js";
import { clearFieldErrors, h, notice, replace, setFieldError } from "/console/dom.js";

/** Parses a JSON textarea; on a syntax error shows it in place and returns undefined. */
export function readJSON(form, name, { allowEmpty = false, fallback = {} } = {}) {
  const text = form.elements.namedItem(name).value.trim();
  if (!text && allowEmpty) return fallback;
  try {
    return JSON.parse(text);
  } catch (error) {
    setFieldError(form, name, `Not valid JSON: ${error.message}`);
    return undefined;
  }
}

/**
 * Shows an API error: each validation detail under the field its path names (`/schema/type` → "schema"), and
 * the rest in the form's message area. Focuses the first field in error.
 */
export function showError(form, messageArea, error) {
  if (!(error instanceof APIError)) {
    replace(messageArea, notice("error", String(error)));
    return;
  }
  const unplaced = [];
  let first = null;
  for (const detail of error.details) {
    const path = String(detail.path ?? "").replace(/^\//, "");
    const segments = path.split("/");
    // `/schema/type` belongs to the schema field; `/config/url` to the URL field of a job's config.
    const name = [segments[0], segments[segments.length - 1]].find((candidate) =>
      candidate && form?.elements.namedItem(candidate));
    const where = name === segments[0] && segments.length > 1 ? ` (at /${segments.slice(1).join("/")})` : "";
    if (name && setFieldError(form, name, `${detail.message}${where}`)) {
      first ??= form.elements.namedItem(name);
    } else {
      unplaced.push(detail);
    }
  }
  replace(messageArea, notice("error", error.explanation,
    unplaced.length ? h("ul", {}, unplaced.map((detail) => h("li", {}, `${detail.path || ""} ${detail.message}`))) : null));
  first?.focus();
}

/** Runs `action` for a submitted form: clears old errors, disables the submit button meanwhile. */
export function onSubmit(form, messageArea, action) {
  form.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    clearFieldErrors(form);
    replace(messageArea);
    const buttons = [...form.querySelectorAll("button[type=submit]")];
    for (const button of buttons) button.disabled = true;
    try {
      await action(submitEvent.submitter);
    } catch (error) {
      showError(form, messageArea, error);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  });
}

export function input(name, attributes = {}) {
  return h("input", { name, type: "text", autocomplete: "off", spellcheck: "false", ...attributes });
}

export function textarea(name, value, attributes = {}) {
  return h("textarea", { name, rows: 6, spellcheck: "false", autocomplete: "off", ...attributes, value });
}

export function select(name, options, selected, attributes = {}) {
  return h("select", { name, ...attributes }, options.map((option) => {
    const [value, label] = Array.isArray(option) ? option : [option, option];
    return h("option", { value, selected: value === selected }, label);
  }));
}

/** A secret shown once (after create or rotate), with a note that it cannot be shown again. */
export function secretNotice(what, secret) {
  return notice("success", h("p", {}, `${what}. Copy the signing secret now: Inlet shows it only once.`),
    h("code", { class: "secret", tabindex: "0", "aria-label": "Signing secret" }, secret));
}
