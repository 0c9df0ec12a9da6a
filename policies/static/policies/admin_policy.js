// The policy change page's criteria and award builder (plain JS and the browser's own form
// controls: no widget framework). Rows of conditions and nested 全部满足 / 满足其一 groups
// are kept in step with the JSON textareas the form posts (the "advanced" view, which
// round-trips: the builder rewrites the JSON only when a row is edited). Every change is
// validated and rendered in Chinese by the admin's preview view; its errors are shown on the
// row they concern. The preview button adds the reach in the registry.
(function () {
  "use strict";

  var VOCAB = null;
  var FIELDS = {};
  var builders = {};

  // ---------- small helpers ----------
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else if (k === "className") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function select(options, value, attrs) {
    var s = h("select", attrs);
    options.forEach(function (o) {
      if (o.group) {
        var g = h("optgroup", { label: o.group });
        o.options.forEach(function (p) { g.appendChild(h("option", { value: p[0], text: p[1] })); });
        s.appendChild(g);
      } else {
        s.appendChild(h("option", { value: o[0], text: o[1] }));
      }
    });
    s.value = value === undefined || value === null ? "" : String(value);
    return s;
  }
  function csrf() {
    var el = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (el) return el.value;
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function debounce(fn, ms) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }
  function joinPath(base, key) { return base ? base + "." + key : key; }
  function round2(n) { return Math.round(n * 100) / 100; }
  function numText(n) { return String(Number(Number(n).toFixed(8))); }
  function isPlainNumber(s) { return typeof s === "number" || (typeof s === "string" && /^\s*\d+(\.\d+)?\s*$/.test(s)); }

  // Money: stored in 元, typed in 元 / 万元 / 亿元.
  function unitFor(yuan) {
    var n = Number(yuan);
    if (n && n % 100000000 === 0) return 100000000;
    if (n && n % 10000 === 0) return 10000;
    return n && n < 10000 ? 1 : 10000;
  }
  function moneyInput(yuan, onChange, label) {
    var factor = yuan === undefined || yuan === null || yuan === "" ? 10000 : unitFor(yuan);
    var input = h("input", { type: "number", step: "any", min: "0", className: "pb-number", "aria-label": label,
      value: yuan === undefined || yuan === null || yuan === "" ? "" : numText(Number(yuan) / factor) });
    var unit = select(VOCAB.money_units.map(function (u) { return [String(u[1]), u[0]]; }), String(factor),
      { "aria-label": label + "的单位", className: "pb-unit" });
    function fire() {
      if (input.value === "") { onChange(null); return; }
      onChange(round2(Number(input.value) * Number(unit.value)));
    }
    input.addEventListener("input", fire);
    unit.addEventListener("change", fire);
    return h("span", { className: "pb-money" }, [input, unit]);
  }

  // ---------- the criteria model: groups and conditions ----------
  function fromTree(node) {
    if (!node || typeof node !== "object" || Array.isArray(node)) throw new Error("条件节点应为对象");
    var keys = Object.keys(node);
    if (!keys.length) return { kind: "group", mode: "all", items: [], empty: true };
    if (keys.length === 1 && (keys[0] === "all" || keys[0] === "any")) {
      if (!Array.isArray(node[keys[0]])) throw new Error(keys[0] + " 的值应为列表");
      return { kind: "group", mode: keys[0], items: node[keys[0]].map(fromTree) };
    }
    if (keys.length === 1 && keys[0] === "not") {
      var inner = fromTree(node.not);
      if (inner.kind === "group" && !inner.not && !inner.bare && !inner.empty) { inner.not = true; return inner; }
      return { kind: "group", mode: "all", not: true, bare: true, items: [inner] };
    }
    return { kind: "cond", data: node };
  }
  function toTree(item) {
    if (item.kind === "cond") return item.data;
    var items = item.items.map(toTree);
    var out;
    if (item.bare && items.length === 1) out = items[0];
    else if (item.empty && !items.length && !item.not) return {};
    else { out = {}; out[item.mode] = items; }
    return item.not ? { not: out } : out;
  }
  function rootGroup(tree) {
    var g = fromTree(tree || {});
    if (g.kind === "cond") return { kind: "group", mode: "all", bare: true, items: [g] };
    return g;
  }
  function childPath(group, base, i) {
    var p = group.not ? joinPath(base, "not") : base;
    if (group.bare && group.items.length === 1) return p;
    return joinPath(p, group.mode) + "[" + i + "]";
  }
  function fieldName(data) {
    var spec = FIELDS[data.field];
    return spec ? spec.name : String(data.field || "");
  }

  // ---------- rendering a group ----------
  function renderGroup(group, base, ctx, isRoot) {
    var box = h("fieldset", { className: "pb-group" + (isRoot ? " pb-root" : ""), "data-path": base });
    var mode = select([["all", "全部满足"], ["any", "满足其一"]], group.mode,
      { "aria-label": "以下条件的组合方式", onchange: function () { group.mode = mode.value; group.bare = false; ctx.changed(true); } });
    var neg = h("input", { type: "checkbox", checked: !!group.not,
      onchange: function () { group.not = neg.checked; ctx.changed(true); } });
    box.appendChild(h("legend", {}, [
      mode, " 以下条件 ",
      h("label", { className: "pb-not" }, [neg, " 取反（均不满足）"]),
      isRoot ? null : h("button", { type: "button", className: "pb-remove", "aria-label": "删除此条件组", text: "删除组",
        onclick: function () { ctx.remove(group); } }),
    ]));
    var list = h("ol", { className: "pb-items" });
    if (!group.items.length) list.appendChild(h("li", { className: "pb-empty", text: isRoot ? "不限（所有企业）：请添加条件" : "（空组）" }));
    group.items.forEach(function (item, i) {
      var path = childPath(group, base, i);
      var li;
      if (item.kind === "group") li = h("li", {}, [renderGroup(item, path, subCtx(ctx, group, i), false)]);
      else li = renderCondition(item, path, subCtx(ctx, group, i));
      list.appendChild(li);
    });
    box.appendChild(list);
    box.appendChild(h("div", { className: "pb-group-actions" }, [
      h("button", { type: "button", className: "button pb-add", text: "＋ 添加条件", onclick: function () {
        group.items.push({ kind: "cond", data: { field: "", op: "", value: null }, fresh: true });
        group.empty = false; ctx.changed(false, true);
      } }),
      h("button", { type: "button", className: "button pb-add-group", text: "＋ 添加条件组", onclick: function () {
        group.items.push({ kind: "group", mode: "any", items: [{ kind: "cond", data: { field: "", op: "", value: null }, fresh: true }] });
        group.empty = false; group.bare = false; ctx.changed(false, true);
      } }),
    ]));
    return box;
  }
  function subCtx(ctx, group, i) {
    return {
      changed: ctx.changed,
      remove: function (item) {
        var at = group.items.indexOf(item);
        if (at >= 0) group.items.splice(at, 1);
        if (group.bare && group.items.length !== 1) group.bare = false;
        ctx.changed(true);
      },
      move: function (item, delta) {
        var at = group.items.indexOf(item), to = at + delta;
        if (at < 0 || to < 0 || to >= group.items.length) return;
        group.items.splice(at, 1); group.items.splice(to, 0, item); group.bare = false;
        ctx.changed(true);
      },
      index: i,
    };
  }

  // ---------- rendering one condition ----------
  function fieldOptions() {
    var groups = {};
    var order = [];
    VOCAB.fields.forEach(function (f) {
      if (!groups[f.group]) { groups[f.group] = []; order.push(f.group); }
      groups[f.group].push([f.code, f.name]);
    });
    return [["", "选择条件项…"]].concat(order.map(function (g) { return { group: g, options: groups[g] }; }));
  }
  function builderOp(data) {
    if (data.op === "has" && data.first_time) return "first_time";
    return data.op;
  }
  function renderCondition(item, path, ctx) {
    var data = item.data;
    var spec = FIELDS[data.field];
    var row = h("li", { className: "pb-cond" + (item.drafted ? " pb-drafted" : ""), "data-path": path });
    if (data.field && !spec) {
      row.appendChild(h("code", { text: JSON.stringify(data) }));
      row.appendChild(h("span", { className: "help", text: " 条件项「" + data.field + "」不在指标库中：请在高级视图中修改" }));
      row.appendChild(removeButton(item, ctx, data.field));
      row.appendChild(h("div", { className: "pb-row-error", role: "alert" }));
      return row;
    }
    function changed(rebuild) { item.drafted = false; ctx.changed(rebuild); }
    var fieldSel = select(fieldOptions(), data.field, { "aria-label": "条件项", className: "pb-field", onchange: function () {
      var next = FIELDS[fieldSel.value];
      data.field = fieldSel.value;
      data.op = next ? next.ops[0][0] === "first_time" ? "has" : next.ops[0][0] : "";
      data.value = next && (next.kind === "division" || next.kind === "industry") ? [] : null;
      delete data.period; delete data.recognized; delete data.first_time;
      changed(true);
    } });
    row.appendChild(fieldSel);
    if (spec && spec.periodic) row.appendChild(periodPicker(data, function () { changed(false); }));
    if (spec) {
      var opSel = select(spec.ops, builderOp(data), { "aria-label": "「" + spec.name + "」的比较方式", className: "pb-op", onchange: function () {
        var wasList = Array.isArray(data.value), op = opSel.value;
        if (op === "first_time") { data.op = "has"; data.first_time = true; } else { data.op = op; delete data.first_time; }
        if (data.op !== "has") delete data.recognized;
        var wantList = listOp(data.op) || data.op === "between";
        if (wantList !== wasList) data.value = wantList ? (data.value === null || data.value === undefined ? [] : [data.value]) : (wasList ? data.value[0] : data.value);
        if (data.op === "between" && Array.isArray(data.value)) data.value = data.value.slice(0, 2);
        changed(true);
      } });
      row.appendChild(opSel);
      row.appendChild(valueControl(spec, data, function () { changed(false); }));
      if (spec.kind === "tags" && data.op === "has") row.appendChild(recognizedPicker(data, function () { changed(false); }));
    }
    row.appendChild(h("span", { className: "pb-row-tools" }, [
      h("button", { type: "button", className: "pb-move", "aria-label": "上移", title: "上移", text: "↑", onclick: function () { ctx.move(item, -1); } }),
      h("button", { type: "button", className: "pb-move", "aria-label": "下移", title: "下移", text: "↓", onclick: function () { ctx.move(item, 1); } }),
      removeButton(item, ctx, spec ? spec.name : ""),
    ]));
    if (item.drafted) row.appendChild(h("span", { className: "pb-badge", text: "拟稿·待核对" }));
    row.appendChild(h("div", { className: "pb-row-error", role: "alert" }));
    return row;
  }
  function removeButton(item, ctx, name) {
    return h("button", { type: "button", className: "pb-remove", "aria-label": "删除条件" + (name ? "「" + name + "」" : ""),
      title: "删除", text: "×", onclick: function () { ctx.remove(item); } });
  }
  function listOp(op) { return ["in", "not_in", "within", "not_within", "has_any", "has_all", "has_none"].indexOf(op) >= 0; }

  function periodPicker(data, changed) {
    var known = VOCAB.periods.map(function (p) { return p[0]; });
    var current = data.period || "latest";
    var custom = known.indexOf(current) < 0;
    var sel = select(VOCAB.periods.concat([["custom", "指定期间…"]]), custom ? "custom" : current,
      { "aria-label": "统计期间", className: "pb-period" });
    var text = h("input", { type: "text", size: 8, placeholder: "2025 / 2025H1 / 2025Q2", "aria-label": "指定期间",
      value: custom ? current : "", hidden: !custom });
    function fire() {
      text.hidden = sel.value !== "custom";
      var v = sel.value === "custom" ? text.value.trim() : sel.value;
      if (!v || v === "latest") delete data.period; else data.period = v;
      changed();
    }
    sel.addEventListener("change", fire);
    text.addEventListener("input", fire);
    return h("span", { className: "pb-period-box" }, [sel, text]);
  }

  function recognizedPicker(data, changed) {
    var rec = data.recognized;
    var mode = rec === undefined ? "" : (rec === "this_year" || rec === "last_year") ? rec : typeof rec === "number" ? "year" : "range";
    var sel = select([["", "认定时间不限"], ["this_year", "本年度认定"], ["last_year", "上年度认定"], ["year", "指定年份认定"], ["range", "认定日期在…之间"]],
      mode, { "aria-label": "认定时间", className: "pb-recognized" });
    var year = h("input", { type: "number", min: "1900", max: "2999", className: "pb-year", "aria-label": "认定年份",
      value: typeof rec === "number" ? rec : "" });
    var from = h("input", { type: "date", "aria-label": "认定日期起", value: rec && rec.from ? rec.from : "" });
    var to = h("input", { type: "date", "aria-label": "认定日期止", value: rec && rec.to ? rec.to : "" });
    function show() { year.hidden = sel.value !== "year"; from.hidden = to.hidden = sel.value !== "range"; }
    function fire() {
      show();
      var m = sel.value;
      if (!m) delete data.recognized;
      else if (m === "year") data.recognized = year.value ? Number(year.value) : "";
      else if (m === "range") { var r = {}; if (from.value) r.from = from.value; if (to.value) r.to = to.value; data.recognized = r; }
      else data.recognized = m;
      changed();
    }
    [sel, year, from, to].forEach(function (c) { c.addEventListener("change", fire); });
    year.addEventListener("input", fire);
    show();
    return h("span", { className: "pb-recognized-box" }, [sel, year, from, to]);
  }

  function choicesFor(spec) {
    if (spec.kind === "division") return VOCAB.divisions;
    if (spec.kind === "industry") return VOCAB.industries;
    if (spec.kind === "tags") return VOCAB.tags.map(function (t) { return [t, t]; });
    if (spec.code === "zone") return VOCAB.zones;
    return spec.choices && spec.choices.length ? spec.choices : null;
  }

  function valueControl(spec, data, changed) {
    var op = data.op;
    var choices = choicesFor(spec);
    if (listOp(op)) return chips(spec, data, choices, changed);
    if (op === "between") {
      var pair = Array.isArray(data.value) ? data.value : [null, null];
      data.value = pair;
      return h("span", { className: "pb-between" }, [
        scalarControl(spec, pair[0], function (v) { pair[0] = v; changed(); }, "下限"), " 至 ",
        scalarControl(spec, pair[1], function (v) { pair[1] = v; changed(); }, "上限"),
      ]);
    }
    if (choices && spec.kind !== "tags") {
      var sel = select([["", "请选择…"]].concat(choices), data.value, { "aria-label": spec.name + "的取值", onchange: function () {
        data.value = sel.value; changed();
      } });
      return sel;
    }
    if (spec.kind === "tags") {
      return textWithList(spec, data.value, choices, function (v) { data.value = v; changed(); }, spec.name + "名称");
    }
    return scalarControl(spec, data.value, function (v) { data.value = v; changed(); }, spec.name + "的取值");
  }

  function scalarControl(spec, value, set, label) {
    if (spec.type === "money") return moneyInput(value, set, label);
    if (spec.kind === "numeric") {
      var n = h("input", { type: "number", step: "any", className: "pb-number", "aria-label": label,
        value: value === null || value === undefined ? "" : value });
      n.addEventListener("input", function () { set(n.value === "" ? null : Number(n.value)); });
      var unit = spec.type === "percent" ? "%" : spec.unit;
      return h("span", {}, [n, unit ? h("span", { className: "pb-unit-label", text: unit }) : null]);
    }
    if (spec.kind === "date") {
      var d = h("input", { type: "date", "aria-label": label, value: value || "" });
      d.addEventListener("change", function () { set(d.value || null); });
      return d;
    }
    if (spec.kind === "flag") {
      var f = select([["true", "是"], ["false", "否"]], value === false ? "false" : "true", { "aria-label": label });
      f.addEventListener("change", function () { set(f.value === "true"); });
      if (value !== true && value !== false) setTimeout(function () { set(true); }, 0);
      return f;
    }
    var t = h("input", { type: "text", "aria-label": label, value: value === null || value === undefined ? "" : value });
    t.addEventListener("input", function () { set(t.value); });
    return t;
  }

  var listCounter = 0;
  function datalist(choices) {
    var id = "pb-list-" + (++listCounter);
    var dl = h("datalist", { id: id });
    (choices || []).forEach(function (c) { dl.appendChild(h("option", { value: c[1] })); });
    return { id: id, node: dl };
  }
  function codeFor(text, choices) {
    var t = text.trim();
    if (!t) return "";
    for (var i = 0; choices && i < choices.length; i++) {
      if (choices[i][1] === t || choices[i][0] === t) return choices[i][0];
    }
    return t;  // a deeper industry code, a name the validator knows: it decides
  }
  function labelFor(code, choices) {
    for (var i = 0; choices && i < choices.length; i++) if (String(choices[i][0]) === String(code)) return choices[i][1];
    return String(code);
  }
  function textWithList(spec, value, choices, set, label) {
    var dl = datalist(choices);
    var input = h("input", { type: "text", list: dl.id, "aria-label": label, className: "pb-text-wide",
      value: value ? labelFor(value, choices) : "" });
    input.addEventListener("change", function () { set(codeFor(input.value, choices) || null); });
    return h("span", {}, [input, dl.node]);
  }
  // A list of values (divisions, industries, tags, codes) as removable chips, added from a
  // text box with the reference list as suggestions (Enter or the 添加 button).
  function chips(spec, data, choices, changed) {
    if (!Array.isArray(data.value)) data.value = data.value === null || data.value === undefined ? [] : [data.value];
    var values = data.value;
    var box = h("span", { className: "pb-chips" });
    var ul = h("ul", { className: "pb-chip-list", "aria-label": spec.name + "的取值" });
    function draw() {
      ul.textContent = "";
      values.forEach(function (v, i) {
        ul.appendChild(h("li", { className: "pb-chip" }, [
          labelFor(v, choices),
          h("button", { type: "button", "aria-label": "移除" + labelFor(v, choices), text: "×", onclick: function () {
            values.splice(i, 1); draw(); changed();
          } }),
        ]));
      });
    }
    var dl = datalist(choices);
    var input = h("input", { type: "text", list: dl.id, className: "pb-text-wide",
      placeholder: spec.kind === "division" ? "区县名称或代码" : spec.kind === "industry" ? "行业名称或代码，如 C34" : "输入后回车添加",
      "aria-label": "添加" + spec.name });
    function add() {
      var code = codeFor(input.value, choices);
      if (!code) return;
      if (spec.kind === "enum" || spec.kind === "code") code = String(code);
      if (values.indexOf(code) < 0) values.push(code);
      input.value = ""; draw(); changed(); input.focus();
    }
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); add(); } });
    draw();
    box.appendChild(ul);
    box.appendChild(input);
    box.appendChild(dl.node);
    box.appendChild(h("button", { type: "button", className: "button pb-chip-add", text: "添加", onclick: add }));
    return box;
  }

  // ---------- the award ----------
  var SHARE_RE = /^\s*(\d+(?:\.\d+)?)\s*\*\s*([A-Za-z_][A-Za-z0-9_]*)(?:@([A-Za-z0-9_-]+))?\s*$/;
  var SHARE_MIN_RE = /^\s*min\(\s*(\d+(?:\.\d+)?)\s*\*\s*([A-Za-z_][A-Za-z0-9_]*)(?:@([A-Za-z0-9_-]+))?\s*,\s*(\d+(?:\.\d+)?)\s*\)\s*$/;

  function awardMode(award) {
    if (award === null || award === undefined) return { mode: "none" };
    if (typeof award !== "object" || Array.isArray(award)) return { mode: "advanced" };
    var keys = Object.keys(award).sort().join(",");
    if (keys === "amount" && isPlainNumber(award.amount)) return { mode: "fixed", amount: Number(award.amount) };
    if ((keys === "amount" || keys === "amount,cap") && typeof award.amount === "string" && (keys === "amount" || isPlainNumber(award.cap))) {
      var m = award.amount.match(SHARE_RE);
      if (m) return { mode: "share", rate: Number(numText(Number(m[1]) * 100)), field: m[2], period: m[3] || "", cap: keys === "amount,cap" ? Number(award.cap) : null };
      m = keys === "amount" && award.amount.match(SHARE_MIN_RE);
      if (m) return { mode: "share", rate: Number(numText(Number(m[1]) * 100)), field: m[2], period: m[3] || "", cap: Number(m[4]), style: "min" };
    }
    if (Array.isArray(award.cases) && award.cases.length) {
      var tiers = tiersOf(award);
      if (tiers) return tiers;
      var ok = award.cases.every(function (c) { return c && typeof c === "object" && "amount" in c; });
      if (ok) {
        try {
          return { mode: "cases", cap: award.cap, cases: award.cases.map(function (c) {
            return { when: rootGroup(c.when || {}), amount: c.amount, whenEmpty: !("when" in c) };
          }) };
        } catch (e) { return { mode: "advanced" }; }
      }
    }
    return { mode: "advanced" };
  }
  function tiersOf(award) {
    if ("cap" in award) return null;
    var field = null, period = null, rows = [], rest = null, last = -Infinity;
    for (var i = 0; i < award.cases.length; i++) {
      var c = award.cases[i], w = c.when;
      if (!isPlainNumber(c.amount) || Object.keys(c).sort().join(",") !== "amount,when") return null;
      if (i === award.cases.length - 1 && w && (Object.keys(w).length === 0 || (w.all && !w.all.length))) { rest = Number(c.amount); continue; }
      if (!w || w.op !== ">=" || typeof w.value !== "number" || Object.keys(w).some(function (k) { return ["field", "op", "value", "period"].indexOf(k) < 0; })) return null;
      if (field !== null && (w.field !== field || (w.period || "") !== period)) return null;
      if (rows.length && w.value >= last) return null;
      field = w.field; period = w.period || ""; last = w.value;
      rows.push({ threshold: w.value, amount: Number(c.amount) });
    }
    if (!rows.length || !FIELDS[field] || FIELDS[field].kind !== "numeric") return null;
    return { mode: "tiers", field: field, period: period, rows: rows, rest: rest };
  }
  function awardFrom(state) {
    if (state.mode === "none") return null;
    if (state.mode === "fixed") return { amount: state.amount === null || state.amount === undefined ? "" : numText(state.amount) };
    if (state.mode === "share") {
      var expr = numText((state.rate || 0) / 100) + " * " + (state.field || "") + (state.period ? "@" + state.period : "");
      if (state.style === "min" && state.cap !== null && state.cap !== undefined) return { amount: "min(" + expr + ", " + numText(state.cap) + ")" };
      var out = { amount: expr };
      if (state.cap !== null && state.cap !== undefined) out.cap = numText(state.cap);
      return out;
    }
    if (state.mode === "tiers") {
      var rows = state.rows.slice().sort(function (a, b) { return b.threshold - a.threshold; });
      var cases = rows.map(function (r) {
        var w = { field: state.field, op: ">=", value: r.threshold };
        if (state.period) w.period = state.period;
        return { when: w, amount: numText(r.amount || 0) };
      });
      if (state.rest !== null && state.rest !== undefined) cases.push({ when: {}, amount: numText(state.rest) });
      return { cases: cases };
    }
    if (state.mode === "cases") {
      var out2 = { cases: state.cases.map(function (c) { return { when: toTree(c.when), amount: typeof c.amount === "number" ? numText(c.amount) : c.amount }; }) };
      if (state.cap !== undefined && state.cap !== null && state.cap !== "") out2.cap = state.cap;
      return out2;
    }
    return state.raw;
  }

  function amountFields() {
    return VOCAB.fields.filter(function (f) { return f.kind === "numeric" && (f.indicator || f.code === "registered_capital"); });
  }
  function renderAward(b) {
    var st = b.state;
    var root = h("div", { className: "pb-award", "data-path": "award" });
    var modeSel = select([["none", "无奖补金额"], ["fixed", "定额"], ["share", "按比例（可设上限）"], ["tiers", "分档"],
      ["cases", "按情形（从高不重复）"], ["advanced", "其他写法（高级视图）"]], st.mode, { "aria-label": "奖补方式", className: "pb-award-mode" });
    modeSel.addEventListener("change", function () {
      var m = modeSel.value;
      if (m === "fixed") b.state = { mode: "fixed", amount: null };
      else if (m === "share") b.state = { mode: "share", rate: 10, field: "rd_expense", period: "last_year", cap: null };
      else if (m === "tiers") b.state = { mode: "tiers", field: "revenue", period: "last_year", rows: [{ threshold: 100000000, amount: 500000 }, { threshold: 20000000, amount: 200000 }], rest: null };
      else if (m === "cases") b.state = { mode: "cases", cases: [{ when: rootGroup({ all: [] }), amount: "" }] };
      else if (m === "advanced") { b.state = { mode: "advanced", raw: b.current() }; openAdvanced(b); }
      else b.state = { mode: "none" };
      b.changed(true);
    });
    root.appendChild(h("p", {}, [h("label", { text: "奖补方式 " }, [modeSel])]));
    var set = function () { b.changed(false); };
    if (st.mode === "fixed") {
      root.appendChild(h("p", { "data-path": "award.amount" }, ["给予 ", moneyInput(st.amount, function (v) { st.amount = v; set(); }, "定额金额"), " 奖补"]));
    } else if (st.mode === "share") {
      var fields = amountFields().map(function (f) { return [f.code, f.name]; });
      var fsel = select(fields, st.field, { "aria-label": "按哪项指标", onchange: function () { st.field = fsel.value; set(); } });
      var psel = select(VOCAB.periods.map(function (p) { return [p[0] === "latest" ? "" : p[0], p[1]]; }), st.period || "",
        { "aria-label": "指标期间", onchange: function () { st.period = psel.value; set(); } });
      var rate = h("input", { type: "number", step: "any", min: "0", className: "pb-number", "aria-label": "比例（%）", value: st.rate });
      rate.addEventListener("input", function () { st.rate = rate.value === "" ? 0 : Number(rate.value); set(); });
      root.appendChild(h("p", { "data-path": "award.amount" }, ["按 ", psel, fsel, " 的 ", rate, " % 给予奖补"]));
      root.appendChild(h("p", { "data-path": "award.cap" }, ["最高不超过 ", moneyInput(st.cap, function (v) { st.cap = v; set(); }, "上限"), h("span", { className: "help", text: " 留空表示不设上限" })]));
    } else if (st.mode === "tiers") {
      root.appendChild(renderTiers(b, st));
    } else if (st.mode === "cases") {
      root.appendChild(renderCases(b, st));
    } else if (st.mode === "advanced") {
      root.appendChild(h("p", { className: "help", text: "此奖补写法无法在构建器中表示，请在下方高级视图中编辑 JSON；中文表述与校验照常显示。" }));
    }
    root.appendChild(h("div", { className: "pb-row-error", role: "alert" }));
    return root;
  }
  function renderTiers(b, st) {
    var box = h("div", { className: "pb-tiers" });
    var fsel = select(amountFields().map(function (f) { return [f.code, f.name]; }), st.field, { "aria-label": "分档依据的指标" });
    var psel = select(VOCAB.periods.map(function (p) { return [p[0] === "latest" ? "" : p[0], p[1]]; }), st.period, { "aria-label": "指标期间" });
    fsel.addEventListener("change", function () { st.field = fsel.value; b.changed(true); });
    psel.addEventListener("change", function () { st.period = psel.value; b.changed(false); });
    box.appendChild(h("p", {}, ["按 ", psel, fsel, " 分档（从高到低，取第一个达到的档次）："]));
    var spec = FIELDS[st.field] || { type: "money", kind: "numeric", name: "" };
    var ol = h("ol", { className: "pb-tier-rows" });
    st.rows.forEach(function (r, i) {
      ol.appendChild(h("li", { "data-path": "award.cases[" + i + "].when" }, [
        scalarControl(spec, r.threshold, function (v) { r.threshold = v; b.changed(false); }, "第" + (i + 1) + "档门槛"),
        "（含）以上，给予 ",
        moneyInput(r.amount, function (v) { r.amount = v; b.changed(false); }, "第" + (i + 1) + "档金额"),
        h("button", { type: "button", className: "pb-remove", "aria-label": "删除第" + (i + 1) + "档", text: "×", onclick: function () {
          st.rows.splice(i, 1); b.changed(true);
        } }),
        h("div", { className: "pb-row-error", role: "alert" }),
      ]));
    });
    box.appendChild(ol);
    box.appendChild(h("p", {}, [
      h("button", { type: "button", className: "button", text: "＋ 添加一档", onclick: function () {
        st.rows.push({ threshold: null, amount: null }); b.changed(true);
      } }), " 其余企业给予 ",
      moneyInput(st.rest, function (v) { st.rest = v; b.changed(false); }, "其余企业的金额"),
      h("span", { className: "help", text: " 留空表示不给予" }),
    ]));
    return box;
  }
  function renderCases(b, st) {
    var box = h("div", { className: "pb-cases" });
    box.appendChild(h("p", { className: "help", text: "按顺序适用第一个符合的情形（从高不重复）：金额高的情形请排在前面；最后一个情形不加条件即为「其他情形」。" }));
    var ol = h("ol", { className: "pb-case-list" });
    st.cases.forEach(function (c, i) {
      var base = "award.cases[" + i + "]";
      var ctx = { changed: b.changed, remove: function () {}, move: function () {} };
      var amount = isPlainNumber(c.amount) || c.amount === "" || c.amount === null
        ? moneyInput(c.amount, function (v) { c.amount = v; b.changed(false); }, "第" + (i + 1) + "种情形的金额")
        : (function () {
          var t = h("input", { type: "text", className: "pb-text-wide", "aria-label": "第" + (i + 1) + "种情形的金额表达式", value: c.amount || "" });
          t.addEventListener("input", function () { c.amount = t.value; b.changed(false); });
          return t;
        })();
      ol.appendChild(h("li", { className: "pb-case", "data-path": base }, [
        h("p", {}, [h("strong", { text: "第" + (i + 1) + "种情形" }), "：金额 ", h("span", { "data-path": base + ".amount" }, [amount]),
          h("button", { type: "button", className: "pb-move", "aria-label": "上移第" + (i + 1) + "种情形", text: "↑", onclick: function () {
            if (i > 0) { st.cases.splice(i - 1, 0, st.cases.splice(i, 1)[0]); b.changed(true); }
          } }),
          h("button", { type: "button", className: "pb-remove", "aria-label": "删除第" + (i + 1) + "种情形", text: "×", onclick: function () {
            st.cases.splice(i, 1); b.changed(true);
          } })]),
        renderGroup(c.when, base + ".when", ctx, true),
      ]));
    });
    box.appendChild(ol);
    box.appendChild(h("p", {}, [
      h("button", { type: "button", className: "button", text: "＋ 添加情形", onclick: function () {
        st.cases.push({ when: rootGroup({ all: [] }), amount: "" }); b.changed(true);
      } }), " ",
      h("button", { type: "button", className: "button", text: "按金额从高到低排序", onclick: function () {
        st.cases.sort(function (a, c) { return (isPlainNumber(c.amount) ? Number(c.amount) : -1) - (isPlainNumber(a.amount) ? Number(a.amount) : -1); });
        b.changed(true);
      } }),
    ]));
    return box;
  }

  // ---------- a builder bound to its textarea ----------
  function Builder(container) {
    var self = this;
    this.part = container.dataset.part;
    this.container = container;
    this.textarea = document.getElementById(container.dataset.target);
    this.host = document.getElementById(container.dataset.target + "-builder");
    this.advanced = document.getElementById(container.dataset.target + "-advanced");
    this.changed = function (rebuild, focusNew) {
      self.write();
      if (rebuild) self.render();
      if (focusNew) self.render(true);
      schedulePreview();
    };
    this.textarea.addEventListener("input", debounce(function () { self.load(); schedulePreview(); }, 400));
    this.load();
  }
  Builder.prototype.current = function () {
    var raw = this.textarea.value.trim();
    if (!raw) return this.part === "criteria" ? {} : null;
    return JSON.parse(raw);
  };
  Builder.prototype.load = function () {
    var value;
    this.problem = "";
    try { value = this.current(); } catch (e) { this.problem = "JSON 格式错误，请在高级视图中修正：" + e.message; }
    if (!this.problem) {
      try {
        if (this.part === "criteria") this.root = rootGroup(value);
        else { this.state = awardMode(value); if (this.state.mode === "advanced") this.state.raw = value; }
      } catch (e) { this.problem = "构建器无法表示这段 JSON（" + e.message + "），请在高级视图中编辑。"; }
    }
    this.render();
  };
  // The JSON is rewritten only when its meaning changed: the text the server sent (key order
  // included) stays as it was until a row is edited.
  Builder.prototype.write = function () {
    var value = this.part === "criteria" ? toTree(this.root) : awardFrom(this.state);
    try { if (sameJson(value, this.current())) return; } catch (e) { /* unparsable: replace it */ }
    this.textarea.value = value === null || value === undefined ? "" : JSON.stringify(value, null, 2);
  };
  function sameJson(a, b) {
    if (a === b) return true;
    if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    var ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every(function (k) { return Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k], b[k]); });
  }
  Builder.prototype.render = function (focusLast) {
    this.host.textContent = "";
    if (this.problem) { this.host.appendChild(h("p", { className: "errornote", text: this.problem })); openAdvanced(this); return; }
    var self = this;
    if (this.part === "criteria") {
      this.host.appendChild(renderGroup(this.root, "", { changed: this.changed, remove: function () {}, move: function () {} }, true));
    } else {
      this.host.appendChild(renderAward(this));
    }
    if (focusLast) {
      var fields = self.host.querySelectorAll(".pb-field");
      if (fields.length) fields[fields.length - 1].focus();
    }
    showErrors();
  };
  function openAdvanced(b) { if (b.advanced) b.advanced.open = true; }

  // ---------- live validation, rendering and reach ----------
  var lastErrors = [];
  var previewSeq = 0;
  function postPreview(withReach) {
    var body = new FormData();
    var stored = document.getElementById("policy-preview");  // a read-only page: the saved rules
    body.append("criteria", builders.criteria ? builders.criteria.textarea.value : (stored && stored.dataset.criteria) || "");
    body.append("award", builders.award ? builders.award.textarea.value : (stored && stored.dataset.award) || "");
    if (withReach) body.append("reach", "1");
    var saved = location.pathname.match(/\/policy\/(\d+)\/change\/$/);
    if (saved) body.append("policy", saved[1]);
    var basis = document.getElementById("id_award_basis");
    if (basis) body.append("award_basis", basis.value);
    var url = document.getElementById("policy-preview").dataset.url;
    var seq = ++previewSeq;
    return fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (seq !== previewSeq && !withReach) return data;
        var c = document.getElementById("criteria-rendered");
        var a = document.getElementById("award-rendered");
        // A part with errors has no rendering: never show an older tree's text beside them.
        if (c) c.textContent = data.criteria_text === null ? "（条件有误，修正标红的条件后显示）" : data.criteria_text;
        if (a) a.textContent = data.award_text === null ? "（金额有误，修正后显示）" : data.award_text;
        lastErrors = data.errors || [];
        showErrors();
        return data;
      });
  }
  var schedulePreview = debounce(function () { postPreview(false).catch(function () {}); }, 350);

  function showErrors() {
    Array.prototype.forEach.call(document.querySelectorAll(".pb-invalid"), function (n) { n.classList.remove("pb-invalid"); });
    Array.prototype.forEach.call(document.querySelectorAll(".pb-row-error"), function (n) { n.textContent = ""; });
    var summary = document.getElementById("policy-builder-errors");
    if (summary) summary.textContent = "";
    lastErrors.forEach(function (e) {
      var b = builders[e.field];
      var row = null;
      if (b && b.host) {
        var rows = b.host.querySelectorAll("[data-path]");
        for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute("data-path") === e.row) row = rows[i];
      }
      var text = (e.where ? e.where + "：" : "") + e.message;
      if (row) {
        row.classList.add("pb-invalid");
        var slot = row.querySelector(":scope > .pb-row-error") || row.querySelector(".pb-row-error");
        if (slot) slot.textContent = (slot.textContent ? slot.textContent + "；" : "") + text;
      }
      if (summary) {
        var item = h("p", {}, [(e.field === "award" ? "奖补金额 · " : "申报条件 · ") + text + " "]);
        if (row) item.appendChild(h("button", { type: "button", className: "pb-goto", text: "定位", onclick: function () {
          var control = row.querySelector("select, input, button");
          row.scrollIntoView({ block: "center" });
          if (control) control.focus();
        } }));
        summary.appendChild(item);
      }
    });
  }

  function runReach() {
    var out = document.getElementById("policy-preview-result");
    if (!out) return;
    out.textContent = "计算中…";
    postPreview(true).then(function (data) {
      if (data.errors && data.errors.length) { out.textContent = "请先修正标红的条件或金额。"; return; }
      out.innerHTML = data.reach_html + (data.examples_html || "");
    }).catch(function () { out.textContent = "预览失败，请稍后重试。"; });
  }

  // ---------- drafting from the policy text (the criteria/draft API) ----------
  function runDraft() {
    var text = document.getElementById("policy-draft-text");
    var out = document.getElementById("policy-draft-result");
    var url = document.querySelector(".policy-builder[data-draft-url]").dataset.draftUrl;
    if (!text.value.trim()) { out.textContent = "请先粘贴政策原文。"; return; }
    out.textContent = "正在拟稿…";
    fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept-Language": "zh-hans" },
      body: JSON.stringify({ text: text.value }) })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
      .then(function (res) {
        if (!res.ok) { out.textContent = (res.data.text || res.data.detail || ["拟稿失败"]).toString(); return; }
        applyDraft(text.value, res.data, out);
      })
      .catch(function () { out.textContent = "拟稿失败，请稍后重试。"; });
  }
  function applyDraft(source, draft, out) {
    var cb = builders.criteria, ab = builders.award;
    cb.textarea.value = JSON.stringify(draft.criteria || {}, null, 2);
    cb.load();
    markDrafted(cb.root);
    if (ab) { ab.textarea.value = draft.award ? JSON.stringify(draft.award, null, 2) : ""; ab.load(); }
    var basis = document.getElementById("id_award_basis");
    if (basis && draft.award_basis !== undefined) basis.value = draft.award_basis || "";
    cb.render();
    out.textContent = "";
    var spans = (draft.spans || []).slice().sort(function (a, b) { return a.start - b.start; });
    var p = h("p", { className: "policy-draft-source" });
    var at = 0;
    spans.forEach(function (s) {
      if (s.start < at) return;
      p.appendChild(document.createTextNode(source.slice(at, s.start)));
      var isAward = s.path.indexOf("award") === 0;
      p.appendChild(h("button", { type: "button", className: "pb-mark", "data-target-path": s.path,
        title: isAward ? "奖补金额" : "对应的条件", text: source.slice(s.start, s.end), onclick: function () {
          var b = isAward ? ab : cb;
          var row = b && b.host.querySelector('[data-path="' + s.path + '"]');
          if (row) { row.scrollIntoView({ block: "center" }); row.classList.add("pb-flash"); var c = row.querySelector("select, input"); if (c) c.focus(); }
        } }));
      at = s.end;
    });
    p.appendChild(document.createTextNode(source.slice(at)));
    out.appendChild(h("p", { className: "help", text: "高亮处为拟出条件的出处，点击可定位到条件；请逐条核对后保存。" }));
    out.appendChild(p);
    if (draft.unparsed && draft.unparsed.length) {
      out.appendChild(h("p", { text: "以下句子未能识别，请人工补充：" }));
      var ul = h("ul", { className: "policy-draft-unparsed" });
      draft.unparsed.forEach(function (s) { ul.appendChild(h("li", { text: s })); });
      out.appendChild(ul);
    }
    schedulePreview();
  }
  function markDrafted(group) {
    group.items.forEach(function (it) { if (it.kind === "cond") it.drafted = true; else markDrafted(it); });
  }

  // ---------- start ----------
  function start() {
    var containers = document.querySelectorAll(".policy-builder");
    if (!containers.length) return;
    fetch(containers[0].dataset.vocabularyUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (vocab) {
        VOCAB = vocab;
        vocab.fields.forEach(function (f) { FIELDS[f.code] = f; });
        Array.prototype.forEach.call(containers, function (c) { builders[c.dataset.part] = new Builder(c); });
        // The award's rendering joins the criteria's beside the builder.
        var awardText = document.getElementById("award-rendered");
        var heading = document.getElementById("award-rendered-heading");
        if (awardText && heading) heading.parentNode.insertBefore(awardText, heading.nextSibling);
        document.documentElement.classList.add("policy-builder-ready");
        postPreview(false).catch(function () {});
      });
  }
  document.addEventListener("click", function (ev) {
    var id = ev.target && ev.target.id;
    if (id === "policy-preview-button") { ev.preventDefault(); runReach(); }
    if (id === "policy-draft-button") { ev.preventDefault(); runDraft(); }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.policyBuilder = { builders: builders, toTree: toTree, fromTree: fromTree, awardMode: awardMode, awardFrom: awardFrom };
})();
