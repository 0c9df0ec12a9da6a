// Policy change page: validate the criteria/award textareas, show their Chinese rendering
// and the reach preview without saving (POST to the admin's preview view).
(function () {
  "use strict";
  function csrf() {
    var el = document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function run() {
    var box = document.getElementById("policy-preview");
    var out = document.getElementById("policy-preview-result");
    var criteria = document.getElementById("id_criteria");
    var award = document.getElementById("id_award");
    if (!box || !out || !criteria) return;
    var body = new FormData();
    body.append("criteria", criteria.value);
    body.append("award", award ? award.value : "");
    out.textContent = "计算中…";
    fetch(box.dataset.url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.errors && data.errors.length) {
          out.innerHTML = '<ul class="policy-errors">' + data.errors.map(function (e) {
            return "<li>" + (e.field === "award" ? "奖补金额 " : "申报条件 ") + "<code>" + esc(e.path) + "</code>：" + esc(e.message) + "</li>";
          }).join("") + "</ul>";
          return;
        }
        var c = document.getElementById("criteria-rendered");
        var a = document.getElementById("award-rendered");
        if (c) c.textContent = data.criteria_text;
        if (a) a.textContent = data.award_text;
        out.innerHTML = data.reach_html;
      })
      .catch(function () { out.textContent = "预览失败，请稍后重试。"; });
  }
  document.addEventListener("click", function (ev) {
    if (ev.target && ev.target.id === "policy-preview-button") { ev.preventDefault(); run(); }
  });
})();
