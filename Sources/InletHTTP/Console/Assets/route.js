// The hash route (`#/runs?status=dead`): the page and its filters, bookmarkable, never holding the key.

/** The route's path and its query (`#/runs?status=dead`). */
export function currentRoute() {
  const hash = window.location.hash.startsWith("#/") ? window.location.hash.slice(1) : "/overview";
  const [path, query = ""] = hash.split("?");
  return { path, query: new URLSearchParams(query) };
}

/** Records a page's filters in the address without reloading it (bookmarkable, kept across refreshes). */
export function setQuery(query) {
  const { path } = currentRoute();
  const text = query.toString();
  window.history.replaceState(null, "", `#${path}${text ? `?${text}` : ""}`);
}
