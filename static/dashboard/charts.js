/* Draws each chart of a dashboard page from the JSON beside it ({{ data|json_script }}, shaped by
   dashboard/charts.py). Nothing is fetched: the numbers are the page's. An item with a `url` is a
   drill-down link. Loaded after the vendored ECharts (and, on the overview, the map of 三明). */
(function () {
  "use strict";

  const COLORS = ["#2f6db5", "#e08a2c", "#3a9a5b", "#b8413c", "#7a5cb3", "#6b7b8c", "#c4a000"];
  const escape = (text) => echarts.format.encodeHTML(String(text));

  function withUrls(data, urls) {
    return urls ? data.map((value, i) => ({ value: value, url: urls[i] })) : data;
  }

  // Vertical bars; several frames (one a year) get a timeline to step through them.
  function bars(spec) {
    const series = (frame) => frame.series.map((s) => ({
      name: s.name, type: "bar", barMaxWidth: 40, stack: spec.stack ? "total" : undefined, data: withUrls(s.data, spec.urls),
    }));
    const base = {
      color: spec.colors || COLORS,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: spec.frames.length > 1 ? 64 : 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 8 ? 40 : 0 } },
      yAxis: { type: "value", name: spec.unit },
    };
    if (spec.frames.length === 1) {
      return Object.assign(base, { series: series(spec.frames[0]) });
    }
    const labels = spec.frames.map((f) => f.label);
    base.timeline = { axisType: "category", data: labels, bottom: 0, autoPlay: false, left: 24, right: 24 };
    base.series = spec.frames[0].series.map((s) => ({ name: s.name, type: "bar" }));
    return {
      baseOption: base,
      options: spec.frames.map((f) => ({ title: { text: f.label, right: 8, top: 0, textStyle: { fontSize: 14 } }, series: series(f) })),
    };
  }

  // Horizontal bars of a percentage, with the 100% mark.
  function progress(spec) {
    const top = Math.max(100, ...spec.values.filter((v) => v !== null));
    return {
      color: COLORS,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v) => (v === null ? "—" : v + spec.unit) },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: Math.ceil(top / 10) * 10, axisLabel: { formatter: "{value}" + spec.unit } },
      yAxis: { type: "category", data: spec.categories, inverse: true, axisLabel: { interval: 0 } },
      series: [{
        type: "bar", name: "累计完成率", barMaxWidth: 24, data: withUrls(spec.values, spec.urls),
        label: { show: true, position: "right", formatter: (p) => p.value + spec.unit },
        markLine: { symbol: "none", silent: true, data: [{ xAxis: 100 }], label: { show: false }, lineStyle: { color: "#b8413c" } },
      }],
    };
  }

  // The counties coloured by a percentage; those without an item (not the user's) stay grey.
  function map(spec) {
    return {
      tooltip: {
        trigger: "item",
        formatter: (p) => p.data
          ? `${escape(p.name)}<br>${escape(spec.label)}：${p.data.value}%<br>累计净减贫 ${p.data.net} 人 / 2014年底未脱贫 ${p.data.remaining} 人`
          : `${escape(p.name)}：不在您的查看范围内`,
      },
      visualMap: {
        min: 0, max: 100, left: 8, bottom: 8, text: ["100%", "0%"], calculable: true,
        inRange: { color: ["#f3d9c4", "#e8a66b", "#7fbf7b", "#2f8f4e"] },
      },
      series: [{
        type: "map", map: spec.map, name: spec.label, roam: false, selectedMode: false,
        label: { show: true, fontSize: 11 }, emphasis: { label: { show: true } },
        itemStyle: { areaColor: "#e4e7eb", borderColor: "#fff" }, data: spec.items,
      }],
    };
  }

  const BUILDERS = { bars: bars, progress: progress, map: map };

  function draw(element) {
    const spec = JSON.parse(document.getElementById(element.dataset.chart).textContent);
    const chart = echarts.init(element);
    chart.setOption(BUILDERS[spec.type](spec));
    chart.on("click", (p) => {
      if (p.data && p.data.url) window.location.href = p.data.url;
    });
    return chart;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const charts = Array.from(document.querySelectorAll("[data-chart]"), draw);
    // Once the window has settled: a resize mid-change (a window dragged, a page captured whole)
    // can find the map half laid out.
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(() => charts.forEach((chart) => chart.resize()), 150);
    });
  });
})();
