// Inlet's public API with the signed-in key. The key lives in sessionStorage (this tab only, gone when it
// closes) and is sent only in the Authorization header: never in a URL, never in a cookie.

const storage = window.sessionStorage;

export const session = {
  get key() { return storage.getItem("inlet.key"); },
  get admin() { return storage.getItem("inlet.admin") === "true"; },
  get project() { return storage.getItem("inlet.project"); },
  set project(id) { storage.setItem("inlet.project", id); },
  get projectName() { return storage.getItem("inlet.project-name") ?? ""; },
  set projectName(name) { storage.setItem("inlet.project-name", name); },
  start(key, admin) {
    storage.setItem("inlet.key", key);
    storage.setItem("inlet.admin", String(admin));
  },
  end() {
    for (const name of ["inlet.key", "inlet.admin", "inlet.project", "inlet.project-name"]) storage.removeItem(name);
  },
};

/** An error answer of the API (or no answer at all: status 0). */
export class APIError extends Error {
  constructor(status, body, message) {
    super(message ?? body?.error?.message ?? `The API answered ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? null;
    this.details = body?.error?.details ?? [];
  }

  /** A sentence for a person. */
  get explanation() {
    if (this.status === 0) return this.message;
    if (this.status === 401) return "The key was not accepted: it is wrong, revoked or incomplete. Sign in again.";
    if (this.status === 404) return `Not found: ${this.message}`;
    return this.message;
  }
}

/**
 * Calls the API. `project` says where the admin key's project goes: "query" (default), "body" or "none".
 * A project key never needs it: it acts on its own project.
 */
export async function api(method, path, { query = {}, body, project = "query", key = session.key } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  let payload = body;
  if (session.admin && session.project && key === session.key) {
    if (project === "query") url.searchParams.set("project_id", session.project);
    if (project === "body") payload = { project_id: session.project, ...body };
  }
  const headers = { Accept: "application/json", Authorization: `Bearer ${key}` };
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method, headers, body: payload === undefined ? undefined : JSON.stringify(payload),
      cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer", redirect: "error",
    });
  } catch (error) {
    throw new APIError(0, null, `Inlet could not be reached (${error.message}). Is inlet-server running?`);
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    if (response.status === 401 && key === session.key) window.dispatchEvent(new CustomEvent("inlet:unauthorized"));
    throw new APIError(response.status, data);
  }
  return data;
}

/**
 * Works out what a key is: a project key (its project) or the admin key (every project). Throws APIError with
 * status 401 for a key Inlet does not accept.
 */
export async function identify(key) {
  try {
    await api("GET", "/v1/event-sources", { query: { limit: 1 }, key, project: "none" });
  } catch (error) {
    if (error.status === 422) {
      const projects = await api("GET", "/v1/projects", { query: { limit: 1000 }, key, project: "none" });
      return { admin: true, projects };
    }
    throw error;
  }
  const projects = await api("GET", "/v1/projects", { key, project: "none" });
  return { admin: false, projects };
}

/** Fetches every page of a list (up to `max` items) — for small lists such as jobs and sources. */
export async function listAll(path, query = {}, max = 1000) {
  return api("GET", path, { query: { ...query, limit: Math.min(max, 1000) } });
}
