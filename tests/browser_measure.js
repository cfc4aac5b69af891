/* Test-only: injected at the end of a copy of a report page (tests/browser.py), it measures the page as a
   person sees it and writes the measurements, as JSON, into a pre element (#ssot-measured) for --dump-dom.
   What it measures: that no text leaves its box or the page, that every table has a header, that the shim
   graph's labels sit inside their boxes and no two boxes overlap, that each chart is drawn inside the page
   with titled axes, and what its tooltip says at the first and last commit. */
(function () {
  "use strict";
  var SLACK = 1.5;  // px: sub-pixel rounding

  function describe(element) {
    var name = element.tagName.toLowerCase();
    if (element.id) { name += "#" + element.id; }
    if (element.getAttribute("class")) { name += "." + element.getAttribute("class").split(" ").join("."); }
    return name;
  }

  function boxOf(element) {  // the nearest element that is a box of its own (not an inline span)
    while (element && getComputedStyle(element).display.indexOf("inline") === 0 &&
           getComputedStyle(element).display !== "inline-block" && getComputedStyle(element).display !== "inline-flex") {
      element = element.parentElement;
    }
    return element;
  }

  function inside(inner, outer) {
    return inner.left >= outer.left - SLACK && inner.right <= outer.right + SLACK &&
           inner.top >= outer.top - SLACK && inner.bottom <= outer.bottom + SLACK;
  }

  function rect(r) { return [Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)]; }

  function texts(out, page) {
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    var node, count = 0;
    while ((node = walker.nextNode())) {
      var parent = node.parentElement;
      if (!node.textContent.trim() || parent.closest("script, style, svg, pre#ssot-measured")) {
        continue;
      }
      var box = boxOf(parent);
      var range = document.createRange();
      range.selectNodeContents(node);
      var own = box.getBoundingClientRect();
      Array.prototype.forEach.call(range.getClientRects(), function (r) {
        if (!r.width) { return; }
        count += 1;
        if (!inside(r, own)) {
          out.overflows.push({ text: node.textContent.trim().slice(0, 80), box: describe(box), text_rect: rect(r), box_rect: rect(own) });
        }
        if (r.left < -SLACK || r.right > page + SLACK) {
          out.outside.push({ text: node.textContent.trim().slice(0, 80), text_rect: rect(r) });
        }
      });
    }
    out.texts = count;
    // Boxes whose content is wider than they are, and cut off: text hidden from the reader (a box that
    // scrolls, as a wide shim graph does, shows all of it).
    Array.prototype.forEach.call(document.querySelectorAll("body *"), function (element) {
      if (element.closest("svg, script, style, pre#ssot-measured") || element instanceof HTMLCanvasElement) { return; }
      var scrolls = ["auto", "scroll"].indexOf(getComputedStyle(element).overflowX) >= 0;
      if (!scrolls && element.clientWidth && element.scrollWidth > element.clientWidth + SLACK) {
        out.overflows.push({ text: element.textContent.trim().slice(0, 80), box: describe(element),
                             scroll_width: element.scrollWidth, client_width: element.clientWidth });
      }
    });
  }

  function tables(out) {
    Array.prototype.forEach.call(document.querySelectorAll("table"), function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      var rows = Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (tr) {
        return { module: tr.dataset.module || null,
                 cells: Array.prototype.map.call(tr.cells, function (td) { return td.textContent.trim(); }) };
      });
      out.tables.push({ table: describe(table), header: heads, rows: rows });
    });
  }

  function graphs(out, page) {
    Array.prototype.forEach.call(document.querySelectorAll("svg.shim-graph"), function (svg) {
      var found = { label: svg.getAttribute("aria-label"), rect: rect(svg.getBoundingClientRect()), nodes: [], problems: [] };
      var boxes = [];
      Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
        var box = g.querySelector("rect").getBBox();
        var lines = Array.prototype.map.call(g.querySelectorAll("text"), function (text) {
          var b = text.getBBox();
          if (b.x < box.x - SLACK || b.x + b.width > box.x + box.width + SLACK ||
              b.y < box.y - SLACK || b.y + b.height > box.y + box.height + SLACK) {
            found.problems.push("text " + JSON.stringify(text.textContent) + " leaves the box of " + g.dataset.module);
          }
          return text.textContent;
        });
        boxes.push({ module: g.dataset.module, box: box });
        found.nodes.push({ module: g.dataset.module, lines: lines,
                           shown: inside(g.getBoundingClientRect(), svg.parentElement.getBoundingClientRect()) });
      });
      boxes.forEach(function (a, i) {
        boxes.slice(i + 1).forEach(function (b) {
          if (a.box.x < b.box.x + b.box.width && b.box.x < a.box.x + a.box.width &&
              a.box.y < b.box.y + b.box.height && b.box.y < a.box.y + a.box.height) {
            found.problems.push("the boxes of " + a.module + " and " + b.module + " overlap");
          }
        });
      });
      var r = svg.parentElement.getBoundingClientRect();  // what shows of it: its box (which may scroll)
      if (r.left < -SLACK || r.right > page + SLACK) { found.problems.push("the graph leaves the page"); }
      found.scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      out.graphs.push(found);
    });
  }

  function tooltipAt(chart, index) {
    var active = chart.data.datasets.map(function (_, datasetIndex) { return { datasetIndex: datasetIndex, index: index }; });
    var point = chart.getDatasetMeta(0).data[index];
    chart.setActiveElements(active);
    chart.tooltip.setActiveElements(active, { x: point.x, y: point.y });
    chart.update();
    var body = [];
    chart.tooltip.body.forEach(function (item) { body = body.concat(item.lines); });
    return { title: chart.tooltip.title, body: body, footer: chart.tooltip.footer };
  }

  function inked(canvas) {  // the share of the chart area's pixels that are drawn on
    var ctx = canvas.getContext("2d"), data = ctx.getImageData(0, 0, canvas.width, canvas.height).data, drawn = 0;
    for (var i = 3; i < data.length; i += 4) { if (data[i] > 0) { drawn += 1; } }
    return drawn / (data.length / 4);
  }

  function charts(out, page) {
    Array.prototype.forEach.call(document.querySelectorAll("figure.chart canvas"), function (canvas) {
      var chart = typeof Chart !== "undefined" ? Chart.getChart(canvas) : null;
      var r = canvas.getBoundingClientRect(), figure = canvas.closest("figure").getBoundingClientRect();
      var found = { id: canvas.id, kind: canvas.closest("figure").dataset.chart, drawn: !!chart, rect: rect(r),
                    inside_page: r.left >= -SLACK && r.right <= page + SLACK && r.width > 100 && r.height > 100,
                    inside_figure: inside(r, figure) };
      if (chart) {
        var x = chart.scales.x, y = chart.scales.y, last = chart.data.labels.length - 1;
        found.x_title = x.options.title.display ? x.options.title.text : null;
        found.y_title = y.options.title.display ? y.options.title.text : null;
        found.x_ticks = x.ticks.map(function (tick) { return x.getLabelForValue(tick.value); });
        found.y_ticks = y.ticks.map(function (tick) { return tick.label; });
        found.datasets = chart.data.datasets.map(function (set) { return { label: set.label, data: set.data }; });
        found.legend = chart.legend && chart.options.plugins.legend.display ?
          chart.legend.legendItems.map(function (item) { return item.text; }) : [];
        found.inked = inked(canvas);
        found.tooltip_first = tooltipAt(chart, 0);
        found.tooltip_last = tooltipAt(chart, last);
      }
      out.charts.push(found);
    });
  }

  function measure() {
    var page = document.documentElement.clientWidth;
    var out = { errors: window.__ssotErrors || [], viewport: [window.innerWidth, window.innerHeight],
                page_height: document.documentElement.scrollHeight,  // as it opens (a screenshot's height)
                overflows: [], outside: [], tables: [], graphs: [], charts: [] };
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });  // all of it
    out.page_width = document.documentElement.scrollWidth;
    try {
      texts(out, page);
      tables(out);
      graphs(out, page);
      charts(out, page);
    } catch (error) {
      out.errors.push("measuring: " + error + " " + error.stack);
    }
    var pre = document.createElement("pre");
    pre.id = "ssot-measured";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }

  if (document.readyState === "complete") { measure(); } else { window.addEventListener("load", measure); }
})();
