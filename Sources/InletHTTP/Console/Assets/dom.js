// Building the page without innerHTML: every value from the API becomes a text node, so a payload such as
// <img src=x onerror=alert(1)> is shown as text and never parsed as markup.

const properties = new Set(["value", "checked", "selected", "disabled", "hidden", "readOnly", "required"]);

/** Creates an element: h("a", {href: "#/runs"}, "Runs"). Strings and numbers among the children become text. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (properties.has(name)) element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces an element's children. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

let fieldCounter = 0;

/** A labelled form field; `hint` and errors are tied to it with aria-describedby. */
export function field(label, control, hint) {
  const id = control.id || `field-${++fieldCounter}`;
  control.id = id;
  const hintElement = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  control.setAttribute("aria-describedby", [hintElement?.id, error.id].filter(Boolean).join(" "));
  return h("div", { class: "field", dataset: { field: control.name || "" } }, h("label", { for: id }, label), control,
    hintElement, error);
}

/** Shows a message under a field (or clears it with null). */
export function setFieldError(form, name, message) {
  const control = form.elements.namedItem(name);
  if (!control || !control.id) return false;
  const error = document.getElementById(`${control.id}-error`);
  if (!error) return false;
  error.hidden = !message;
  error.textContent = message ?? "";
  if (message) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
  return true;
}

export function clearFieldErrors(form) {
  for (const control of form.elements) if (control.name) setFieldError(form, control.name, null);
}

/** A message box: kind is "error", "success" or "info". Errors are announced at once. */
export function notice(kind, ...children) {
  return h("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, ...children);
}

/** Pretty JSON as text. */
export function jsonBlock(value, label) {
  return h("pre", { class: "json", tabindex: "0", "aria-label": label }, JSON.stringify(value, null, 2));
}

export function time(value) {
  if (!value) return "—";
  const date = new Date(value);
  return h("time", { datetime: value, title: value }, date.toLocaleString());
}

export function relative(value) {
  if (!value) return "—";
  const seconds = Math.round((Date.now() - new Date(value).getTime()) / 1000);
  const text = Math.abs(seconds) < 60 ? `${Math.abs(seconds)} s` : Math.abs(seconds) < 3600
    ? `${Math.round(Math.abs(seconds) / 60)} min` : `${Math.round(Math.abs(seconds) / 3600)} h`;
  return h("time", { datetime: value, title: value }, seconds >= 0 ? `${text} ago` : `in ${text}`);
}

export function badge(status) {
  return h("span", { class: `badge status-${String(status).replace(/[^a-z_-]/gi, "")}` }, status);
}

export function shortID(id) {
  return String(id).slice(-8);
}

/** Updates a table body in place, row by row, so a refresh keeps focus, selection and scroll position. */
export function updateRows(tbody, items, key, renderRow) {
  const existing = new Map([...tbody.children].map((row) => [row.dataset.key, row]));
  let previous = null;
  for (const item of items) {
    const id = key(item);
    const signature = JSON.stringify(item);
    let row = existing.get(id);
    existing.delete(id);
    if (!row || row.dataset.signature !== signature) {
      const fresh = renderRow(item);
      labelCells(tbody, fresh);
      fresh.dataset.key = id;
      fresh.dataset.signature = signature;
      if (row) {
        const focused = row.contains(document.activeElement) ? document.activeElement : null;
        const focusIndex = focused ? [...row.querySelectorAll("a,button,input,select")].indexOf(focused) : -1;
        row.replaceWith(fresh);
        if (focusIndex >= 0) fresh.querySelectorAll("a,button,input,select")[focusIndex]?.focus();
      }
      row = fresh;
    }
    const expectedPosition = previous ? previous.nextElementSibling : tbody.firstElementChild;
    if (expectedPosition !== row) tbody.insertBefore(row, expectedPosition);
    previous = row;
  }
  for (const row of existing.values()) row.remove();
}

/** Gives each cell its column's name (`data-label`): narrow screens show rows as cards labelled this way. */
function labelCells(tbody, row) {
  const headers = tbody.parentElement?.tHead?.rows[0]?.cells ?? [];
  [...row.children].forEach((cell, index) => {
    if (headers[index]) cell.dataset.label = headers[index].textContent;
  });
}

/** A table with a caption and column headers; returns {table, tbody}. */
export function table(caption, headers) {
  const tbody = h("tbody");
  const element = h("table", {},
    h("caption", { class: caption.hidden ? "visually-hidden" : null }, caption.text ?? caption),
    h("thead", {}, h("tr", {}, headers.map((header) => h("th", { scope: "col" }, header)))), tbody);
  return { table: h("div", { class: "table-wrap" }, element), tbody };
}

export function announce(message) {
  const live = document.getElementById("live-status");
  if (live) live.textContent = message;
}
