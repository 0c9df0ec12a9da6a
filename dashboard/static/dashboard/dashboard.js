/* Draw the dashboard's charts from the figures the page embeds (json_script). */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    if (!window.echarts) return;
    var data = JSON.parse(document.getElementById("dashboard-data").textContent);
    var lang = document.documentElement.lang === "en" ? "en" : "zh";
    var t = lang === "en"
      ? {empty: "No data", collected: "Collected", resolved: "Resolved", rate: "Coverage %", received: "Received", approved: "Approved", rejected: "Rejected", overdue: "Overdue", amount: "Amount (yuan)", cases: "Cases", outstanding: "Outstanding (yuan)"}
      : {empty: "暂无数据", collected: "收集", resolved: "解决", rate: "覆盖率%", received: "受理", approved: "批准", rejected: "驳回", overdue: "超期", amount: "金额(元)", cases: "件数", outstanding: "未还金额(元)"};
    var charts = [];
    function draw(id, option) {
      var el = document.getElementById(id);
      if (!el) return;
      var chart = echarts.init(el, null, {renderer: "svg"});
      option.tooltip = option.tooltip || {trigger: "axis"};
      option.grid = option.grid || {left: 48, right: 16, top: 36, bottom: 64, containLabel: true};
      chart.setOption(option);
      charts.push(chart);
      if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(el);
    }
    // A chart with nothing to show says so instead of drawing empty axes.
    function empty(id, rows, keys) {
      var el = document.getElementById(id);
      if (!el) return true;
      var any = (rows || []).some(function (r) { return keys.some(function (k) { return Number(r[k] || 0) !== 0; }); });
      if (any) return false;
      var p = document.createElement("p");
      p.className = "empty-chart";
      p.setAttribute("data-empty", "");
      p.textContent = t.empty;
      el.replaceWith(p);
      return true;
    }
    function bars(id, rows, labelKey, series) {
      if (empty(id, rows, series.map(function (s) { return s[0]; }))) return;
      draw(id, {
        legend: {top: 0},
        xAxis: {type: "category", data: rows.map(function (r) { return r[labelKey]; }), axisLabel: {hideOverlap: true}},
        yAxis: {type: "value"},
        series: series.map(function (s) { return {name: s[1], type: "bar", data: rows.map(function (r) { return Number(r[s[0]] || 0); })}; })
      });
    }
    // Long names (departments, districts) on horizontal bars: one row each, wrapped, never overlapping.
    function hbars(id, rows, labelKey, series, keys) {
      if (empty(id, rows, keys || series.map(function (s) { return s[0]; }))) return;
      var el = document.getElementById(id);
      el.style.height = Math.max(300, 60 + rows.length * 22 * Math.max(2, series.length)) + "px";
      draw(id, {
        legend: {top: 0},
        grid: {left: 8, right: 24, top: 36, bottom: 8, containLabel: true},
        yAxis: {type: "category", inverse: true, data: rows.map(function (r) { return r[labelKey]; }),
          axisLabel: {interval: 0, width: el.clientWidth < 480 ? 96 : 150, overflow: "break", lineHeight: 17}},
        xAxis: {type: "value"},
        series: series.map(function (s) { return {name: s[1], type: "bar", data: rows.map(function (r) { return Number(r[s[0]] || 0); })}; })
      });
    }
    function pie(id, rows, labelKey, valueKey) {
      if (empty(id, rows, [valueKey])) return;
      draw(id, {tooltip: {trigger: "item"}, legend: {bottom: 0, type: "scroll"},
        series: [{type: "pie", radius: ["35%", "65%"], data: rows.map(function (r) { return {name: r[labelKey], value: Number(r[valueKey] || 0)}; })}]});
    }
    hbars("chart-dept", data.cases_by_department, "label", [["collected", t.collected], ["resolved", t.resolved]]);
    pie("chart-category", data.cases_by_category, "label", "collected");
    hbars("chart-district", data.cases_by_district, "label", [["collected", t.collected], ["resolved", t.resolved]]);
    hbars("chart-coverage", data.coverage_by_district, "name", [["rate", t.rate]], ["total"]);
    pie("chart-debtor", data.arrears.by_debtor_type, "label", "amount");
    bars("chart-age", data.arrears.by_age, "bucket", [["cases", t.cases], ["outstanding", t.outstanding]]);
    var apps = data.applications || {};
    if (apps.by_department) {
      hbars("chart-apps", apps.by_department, "department", [["received", t.received], ["approved", t.approved], ["rejected", t.rejected], ["overdue", t.overdue]]);
    }
    if (apps.grants_by_month) {
      bars("chart-grants", apps.grants_by_month, "label", [["paid", t.amount]]);
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
