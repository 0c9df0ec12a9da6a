/* Draw the dashboard's charts from the figures the page embeds (json_script). */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    if (!window.echarts) return;
    var data = JSON.parse(document.getElementById("dashboard-data").textContent);
    var lang = document.documentElement.lang === "en" ? "en" : "zh";
    var t = lang === "en"
      ? {collected: "Collected", resolved: "Resolved", rate: "Coverage %", received: "Received", approved: "Approved", rejected: "Rejected", overdue: "Overdue", amount: "Amount (yuan)", cases: "Cases", outstanding: "Outstanding (yuan)"}
      : {collected: "收集", resolved: "解决", rate: "覆盖率%", received: "受理", approved: "批准", rejected: "驳回", overdue: "超期", amount: "金额(元)", cases: "件数", outstanding: "未还金额(元)"};
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
    function bars(id, rows, labelKey, series) {
      draw(id, {
        legend: {top: 0},
        xAxis: {type: "category", data: rows.map(function (r) { return r[labelKey]; }), axisLabel: {interval: 0, rotate: rows.length > 5 ? 30 : 0}},
        yAxis: {type: "value"},
        series: series.map(function (s) { return {name: s[1], type: "bar", data: rows.map(function (r) { return Number(r[s[0]] || 0); })}; })
      });
    }
    function pie(id, rows, labelKey, valueKey) {
      draw(id, {tooltip: {trigger: "item"}, legend: {bottom: 0, type: "scroll"},
        series: [{type: "pie", radius: ["35%", "65%"], data: rows.map(function (r) { return {name: r[labelKey], value: Number(r[valueKey] || 0)}; })}]});
    }
    bars("chart-dept", data.cases_by_department, "label", [["collected", t.collected], ["resolved", t.resolved]]);
    pie("chart-category", data.cases_by_category, "label", "collected");
    bars("chart-district", data.cases_by_district, "label", [["collected", t.collected], ["resolved", t.resolved]]);
    bars("chart-coverage", data.coverage_by_district, "name", [["rate", t.rate]]);
    pie("chart-debtor", data.arrears.by_debtor_type, "label", "amount");
    bars("chart-age", data.arrears.by_age, "bucket", [["cases", t.cases], ["outstanding", t.outstanding]]);
    var apps = data.applications || {};
    if (apps.by_department) {
      bars("chart-apps", apps.by_department, "department", [["received", t.received], ["approved", t.approved], ["rejected", t.rejected], ["overdue", t.overdue]]);
    }
    if (apps.grants_by_month) {
      bars("chart-grants", apps.grants_by_month, "label", [["paid", t.amount]]);
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
