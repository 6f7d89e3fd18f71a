// Small charts drawn by hand in SVG: a sparkline of a series per minute. A
// chart is an image with a label that says what it shows in words, so a
// screen reader gets the same figures.
"use strict";
const Charts = (function () {
  const NS = "http://www.w3.org/2000/svg";

  // An SVG sparkline of `values` (oldest first), `label` read out.
  function sparkline(values, label, kind) {
    const width = 120, height = 28, pad = 2;
    const max = Math.max(1, ...values);
    const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
    const points = values.map((v, i) =>
      `${(pad + i * step).toFixed(1)},${(height - pad - (v / max) * (height - 2 * pad)).toFixed(1)}`);
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    svg.classList.add("spark", `spark-${kind}`);
    const title = document.createElementNS(NS, "title");
    title.textContent = label;
    svg.appendChild(title);
    const line = document.createElementNS(NS, "polyline");
    line.setAttribute("points", points.join(" "));
    line.setAttribute("fill", "none");
    svg.appendChild(line);
    return svg;
  }

  return { sparkline };
})();
