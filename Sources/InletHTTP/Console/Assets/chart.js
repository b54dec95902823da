// Small SVG charts drawn by the page itself (no library). Built with createElementNS: no markup strings.

const svgNS = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}) {
  const element = document.createElementNS(svgNS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/**
 * Stacked bars per bucket: succeeded (bottom) and failed (top) attempts. `label` describes the chart to screen
 * readers, which also get the figures as a title per bar.
 */
export function attemptsChart(buckets, label) {
  const width = 180;
  const height = 40;
  const gap = 2;
  const barWidth = (width - gap * (buckets.length - 1)) / Math.max(1, buckets.length);
  const peak = Math.max(1, ...buckets.map((bucket) => bucket.succeeded + bucket.failed));
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label, class: "chart",
  });
  const title = svg("title");
  title.textContent = label;
  chart.append(title);
  chart.append(svg("line", { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: "axis" }));
  buckets.forEach((bucket, index) => {
    const x = index * (barWidth + gap);
    const succeeded = (bucket.succeeded / peak) * (height - 2);
    const failed = (bucket.failed / peak) * (height - 2);
    const group = svg("g");
    const tip = svg("title");
    tip.textContent = `${new Date(bucket.start).toLocaleTimeString()}: ${bucket.succeeded} succeeded, ${bucket.failed} failed`;
    group.append(tip);
    if (bucket.succeeded) {
      group.append(svg("rect", { x, y: height - 1 - succeeded, width: barWidth, height: succeeded, class: "ok" }));
    }
    if (bucket.failed) {
      group.append(svg("rect", { x, y: height - 1 - succeeded - failed, width: barWidth, height: failed, class: "bad" }));
    }
    if (!bucket.succeeded && !bucket.failed) {
      group.append(svg("rect", { x, y: height - 2, width: barWidth, height: 1, class: "none" }));
    }
    chart.append(group);
  });
  return chart;
}
