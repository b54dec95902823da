// The console's shell: sign-in, the project switcher, hash routes and the live refresh of the page shown.
import { api, APIError, identify, session } from "/console/api.js";
import { h, field, notice, replace, announce } from "/console/dom.js";
import { currentRoute } from "/console/route.js";
import { overviewPage } from "/console/overview.js";
import { sourcesPage, sourcePage } from "/console/sources.js";
import { eventsPage, eventPage } from "/console/events.js";
import { runsPage, runPage } from "/console/runs.js";
import { jobsPage, jobPage } from "/console/jobs.js";

const main = document.getElementById("main");
const refreshMilliseconds = 2000;

const routes = [
  [/^\/overview$/, "overview", overviewPage],
  [/^\/sources$/, "sources", sourcesPage],
  [/^\/sources\/([0-9a-f-]{36})$/, "sources", sourcePage],
  [/^\/events$/, "events", eventsPage],
  [/^\/events\/([0-9a-f-]{36})$/, "events", eventPage],
  [/^\/runs$/, "runs", runsPage],
  [/^\/runs\/([0-9a-f-]{36})$/, "runs", runPage],
  [/^\/jobs$/, "jobs", jobsPage],
  [/^\/jobs\/([0-9a-f-]{36})$/, "jobs", jobPage],
];

let current = null; // { refresh, timer, generation }
let generation = 0;

function stop() {
  if (current?.timer) window.clearTimeout(current.timer);
  current = null;
}

let firstPage = true;

async function show() {
  if (window.location.hash && !window.location.hash.startsWith("#/")) return; // the skip link
  const moved = !firstPage;
  firstPage = false;
  stop();
  const mine = ++generation;
  if (!session.key) {
    signInPage();
    return;
  }
  renderSession();
  const { path, query } = currentRoute();
  const match = routes.map(([pattern, section, page]) => [path.match(pattern), section, page])
    .find(([found]) => found);
  if (!match) {
    window.location.hash = "#/overview";
    return;
  }
  const [[, ...parameters], section, page] = match;
  for (const link of document.querySelectorAll("#main-nav a")) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const container = h("div", { class: "page" });
  replace(main, container);
  const context = { query, isCurrent: () => mine === generation, navigate };
  try {
    const result = await page(container, context, ...parameters);
    if (mine !== generation) return;
    const heading = container.querySelector("h1");
    if (heading) {
      document.title = `${heading.textContent} · Inlet Console`;
      // After moving to another page, start keyboard and screen-reader users at its heading.
      heading.tabIndex = -1;
      if (moved && (!document.activeElement || document.activeElement === document.body
        || document.getElementById("main-nav").contains(document.activeElement))) {
        heading.focus({ preventScroll: true });
      }
    }
    if (result?.refresh) schedule(mine, result.refresh, result.interval ?? refreshMilliseconds);
  } catch (error) {
    if (mine !== generation) return;
    replace(container, h("h1", {}, "Something went wrong"),
      notice("error", error instanceof APIError ? error.explanation : String(error)));
  }
}

function schedule(mine, refresh, interval) {
  current = { refresh, generation: mine };
  const tick = async () => {
    if (mine !== generation) return;
    if (!document.hidden) {
      try {
        await refresh();
      } catch (error) {
        if (error instanceof APIError && error.status === 401) return;
      }
    }
    if (mine === generation) current.timer = window.setTimeout(tick, interval);
  };
  current.timer = window.setTimeout(tick, interval);
}

export function navigate(hash) {
  if (window.location.hash === hash) show();
  else window.location.hash = hash;
}

function renderSession() {
  document.getElementById("main-nav").hidden = false;
  document.getElementById("session").hidden = false;
  const switcher = document.getElementById("project-switcher");
  const label = document.getElementById("project-label");
  if (session.admin) {
    label.textContent = "Admin";
    switcher.hidden = false;
    document.getElementById("project-switcher-label").hidden = false;
    if (!switcher.options.length) loadProjects(switcher);
  } else {
    label.textContent = `Project ${session.projectName}`;
    switcher.hidden = true;
    document.getElementById("project-switcher-label").hidden = true;
  }
}

async function loadProjects(switcher) {
  const projects = await api("GET", "/v1/projects", { query: { limit: 1000 }, project: "none" });
  replace(switcher, projects.map((project) =>
    h("option", { value: project.id, selected: project.id === session.project }, `${project.name} (${project.id.slice(-8)})`)));
}

function signInPage(message) {
  document.getElementById("main-nav").hidden = true;
  document.getElementById("session").hidden = true;
  document.title = "Sign in · Inlet Console";
  const key = h("input", {
    type: "password", name: "key", autocomplete: "off", spellcheck: "false", required: true,
    placeholder: "inl_…",
  });
  const error = h("div", { id: "sign-in-error" });
  const form = h("form", { class: "card sign-in", "aria-labelledby": "sign-in-title", novalidate: true },
    h("h1", { id: "sign-in-title" }, "Sign in to Inlet"),
    h("p", {}, "Use a project API key (scripts/run prints one as INLET_KEY) or the admin token. The key stays in this ",
      "browser tab only and is sent to Inlet in the Authorization header."),
    field("API key or admin token", key),
    error,
    h("button", { type: "submit" }, "Sign in"));
  if (message) replace(error, notice("error", message));
  form.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    const value = key.value.trim();
    if (!value) {
      replace(error, notice("error", "Enter a key."));
      key.focus();
      return;
    }
    const button = form.querySelector("button");
    button.disabled = true;
    replace(error);
    try {
      const identity = await identify(value);
      if (!identity.projects.length) throw new APIError(0, null, "This admin key sees no project yet: create one first.");
      session.start(value, identity.admin);
      session.project = identity.projects[0].id;
      session.projectName = identity.projects[0].name;
      document.getElementById("project-switcher").replaceChildren();
      announce("Signed in");
      if (!window.location.hash.startsWith("#/")) window.location.hash = "#/overview";
      else show();
    } catch (failure) {
      const text = failure instanceof APIError && failure.status === 401
        ? "That key was not accepted. Check that you pasted the whole key, starting with inl_."
        : failure instanceof APIError ? failure.explanation : String(failure);
      replace(error, notice("error", text));
      key.setAttribute("aria-invalid", "true");
      key.focus();
    } finally {
      button.disabled = false;
    }
  });
  replace(main, form);
  key.focus();
}

function signOut(message) {
  stop();
  generation++;
  session.end();
  document.getElementById("project-switcher").replaceChildren();
  signInPage(message);
}

document.getElementById("sign-out").addEventListener("click", () => signOut());
document.getElementById("project-switcher").addEventListener("change", (changeEvent) => {
  session.project = changeEvent.target.value;
  session.projectName = changeEvent.target.selectedOptions[0]?.textContent ?? "";
  announce("Project switched");
  navigate("#/overview");
});
document.getElementById("skip-link").addEventListener("click", (clickEvent) => {
  clickEvent.preventDefault();
  main.focus();
});
window.addEventListener("inlet:unauthorized", () => signOut("Inlet no longer accepts this key. Sign in again."));
window.addEventListener("hashchange", show);
show();
