/* ssot-lint report: draws the charts of the page with Chart.js (inlined above), from the specs the page holds
   in <script id="ssot-charts" type="application/json">. Each spec: id (the canvas), kind ("line", "area" or
   "bars": the last two stacked), labels (one per commit), titles (the tooltip's title per commit), datasets
   [{label, data, color}], xTitle, yTitle, percent (the y axis is 0-100 %), total (a tooltip footer summing the
   series), ends (the first and last values written on the line). */
(function () {
  "use strict";
  var holder = document.getElementById("ssot-charts");
  if (!holder) { return; }
  var specs = JSON.parse(holder.textContent);
  if (typeof Chart === "undefined") {
    specs.forEach(function (spec) {
      document.getElementById(spec.id).parentNode.textContent = "The chart could not be drawn; the tables have the figures.";
    });
    return;
  }
  var style = getComputedStyle(document.body);
  Chart.defaults.font.family = style.fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#424a53";

  function formatted(spec, value) {
    return spec.percent ? value.toFixed(1) + "%" : String(value);
  }

  // The first and last values, written beside their points: the change reads off the chart without hovering.
  function endValues(spec) {
    return { id: "ssotEndValues", afterDatasetsDraw: function (chart) {
      if (!spec.ends) { return; }
      var ctx = chart.ctx, meta = chart.getDatasetMeta(0), data = chart.data.datasets[0].data;
      if (!meta.data.length) { return; }
      var last = meta.data.length - 1;
      ctx.save();
      ctx.font = "600 12px " + Chart.defaults.font.family;
      ctx.fillStyle = "#1f2328";
      [0, last].forEach(function (index) {
        var point = meta.data[index], text = formatted(spec, data[index]);
        var width = ctx.measureText(text).width;
        var x = Math.min(Math.max(point.x - width / 2, chart.chartArea.left), chart.chartArea.right - width);
        var above = point.y - 8 > chart.chartArea.top + 12;
        ctx.textAlign = "left";
        ctx.textBaseline = above ? "bottom" : "top";
        ctx.fillText(text, x, above ? point.y - 8 : point.y + 8);
      });
      ctx.restore();
    } };
  }

  window.ssotCharts = {};
  specs.forEach(function (spec) {
    var stacked = spec.kind !== "line";
    var datasets = spec.datasets.map(function (set) {
      return {
        label: set.label, data: set.data, borderColor: set.color,
        backgroundColor: spec.kind === "line" ? set.color : set.color + (spec.kind === "area" ? "cc" : ""),
        fill: spec.kind === "area" ? (set === spec.datasets[0] ? "origin" : "-1") : false,
        borderWidth: spec.kind === "bars" ? 0 : 2,
        pointRadius: spec.labels.length > 40 ? 0 : 3, pointHoverRadius: 5, tension: 0
      };
    });
    var y = {
      stacked: stacked, beginAtZero: true,
      title: { display: true, text: spec.yTitle },
      ticks: { precision: 0, callback: function (value) { return spec.percent ? value + "%" : value; } }
    };
    if (spec.percent) { y.min = 0; y.max = 100; }
    window.ssotCharts[spec.id] = new Chart(document.getElementById(spec.id), {
      type: spec.kind === "bars" ? "bar" : "line",
      data: { labels: spec.labels, datasets: datasets },
      plugins: [endValues(spec)],
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: stacked, title: { display: true, text: spec.xTitle },
               ticks: { autoSkip: true, maxRotation: 0 } },
          y: y
        },
        plugins: {
          legend: { display: spec.datasets.length > 1, position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            filter: function (item) { return spec.kind === "line" || item.raw !== 0; },  // (a stack's empty layers)
            callbacks: {
              title: function (items) { return spec.titles[items[0].dataIndex]; },
              label: function (item) { return " " + item.dataset.label + ": " + formatted(spec, item.raw); },
              footer: function (items) {
                if (!spec.total) { return ""; }
                var sum = items.reduce(function (all, item) { return all + item.raw; }, 0);
                return spec.total + ": " + sum;
              }
            }
          }
        }
      }
    });
  });
})();
