// Progressive enhancement: draw each chart with vega-embed; the table and summary are already in the
// page. Without JavaScript the table stays open; with it, the table is one keyboard-reachable toggle away.
(function () {
  "use strict";
  function draw(figure) {
    var specNode = document.getElementById(figure.getAttribute("data-spec"));
    var target = figure.querySelector(".chart-canvas");
    if (!specNode || !target || typeof window.vegaEmbed !== "function") { return; }
    var spec = JSON.parse(specNode.textContent);
    window.vegaEmbed(target, spec, { actions: false, renderer: "svg", ariaLabel: figure.getAttribute("data-alt") })
      .then(function (result) {
        var svg = target.querySelector("svg");
        if (svg) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", figure.getAttribute("data-alt"));
          svg.removeAttribute("aria-roledescription");
          svg.querySelectorAll("[aria-roledescription], [role='graphics-symbol'], [role='graphics-object']").forEach(function (el) {
            el.removeAttribute("role"); el.removeAttribute("aria-roledescription"); el.removeAttribute("aria-label");
          });
        }
        figure.classList.add("chart-drawn");
        var details = figure.querySelector("details.chart-table");
        if (details) { details.open = false; }
        return result;
      })
      .catch(function (error) { target.textContent = ""; console.warn("chart", error); });
  }
  function init() { document.querySelectorAll("figure.chart[data-spec]").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
