/* The sign-up survey page: shows questions as they apply, loads cascading lists, keeps a draft,
   sends the answers with the LIFF ID token. The server checks everything again; this is for comfort. */
(function () {
  "use strict";
  var spec = JSON.parse(document.getElementById("spec").textContent);
  var ui = JSON.parse(document.getElementById("ui").textContent);
  var form = document.getElementById("survey");
  var send = document.getElementById("send");
  var statusLine = document.getElementById("status");
  var banner = document.getElementById("banner");
  var draftKey = "boktor-survey-" + spec.form;
  var byName = {};
  spec.fields.forEach(function (f) { byName[f.name] = f; });

  /* The XPath subset, interpreting the trees boktor/survey/xpath.py makes (same rules as the server). */
  function num(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    v = String(v).trim();
    return v === "" ? NaN : Number(v);
  }
  function str(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return isNaN(v) ? "NaN" : String(v);
    return v;
  }
  function bool(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return !(v === 0 || isNaN(v));
    return v !== "";
  }
  function words(v) { return str(v).split(/\s+/).filter(Boolean); }
  var FN = {
    "selected": function (a) { return words(a[0]).indexOf(str(a[1]).trim()) >= 0; },
    "count-selected": function (a) { return words(a[0]).length; },
    "string-length": function (a) { return Array.from(str(a[0])).length; },
    "regex": function (a) { return new RegExp(str(a[1])).test(str(a[0])); },
    "not": function (a) { return !bool(a[0]); },
    "contains": function (a) { return str(a[0]).indexOf(str(a[1])) >= 0; },
    "starts-with": function (a) { return str(a[0]).indexOf(str(a[1])) === 0; },
    "true": function () { return true; },
    "false": function () { return false; },
    "number": function (a) { return num(a[0]); },
    "string": function (a) { return str(a[0]); }
  };
  function ev(n, vals, dot) {
    switch (n[0]) {
      case "num": case "str": return n[1];
      case "ref": return vals[n[1]] === undefined ? "" : vals[n[1]];
      case "dot": return dot;
      case "col": return "";
      case "neg": return -num(ev(n[1], vals, dot));
      case "fn": return FN[n[1]](n[2].map(function (a) { return ev(a, vals, dot); }));
    }
    var op = n[1];
    if (op === "and") return bool(ev(n[2], vals, dot)) && bool(ev(n[3], vals, dot));
    if (op === "or") return bool(ev(n[2], vals, dot)) || bool(ev(n[3], vals, dot));
    var l = ev(n[2], vals, dot), r = ev(n[3], vals, dot);
    if (op === "=" || op === "!=") {
      var eq;
      if (typeof l === "boolean" || typeof r === "boolean") eq = bool(l) === bool(r);
      else if (typeof l === "number" || typeof r === "number") eq = num(l) === num(r);
      else eq = l === r;
      return op === "=" ? eq : !eq;
    }
    var a = num(l), b = num(r);
    switch (op) {
      case "<": return a < b;
      case "<=": return a <= b;
      case ">": return a > b;
      case ">=": return a >= b;
      case "+": return a + b;
      case "-": return a - b;
      case "*": return a * b;
      case "div": return a / b;
      case "mod": return a % b;
    }
    return "";
  }
  function holds(rule, vals, dot) { return !rule || bool(ev(rule, vals, dot === undefined ? "" : dot)); }

  /* Reading the answers from the page. */
  function el(name) { return document.getElementById("f-" + name); }
  function block(name) { return form.querySelector('.q[data-name="' + name + '"]'); }
  function raw(f) {
    if (f.widget === "checkbox" || f.widget === "radio") {
      var picked = Array.prototype.map.call(
        form.querySelectorAll('input[name="' + f.name + '"]:checked'), function (i) { return i.value; });
      return f.widget === "radio" ? (picked[0] || "") : picked;
    }
    if (f.widget === "consent") return el(f.name).checked ? "OK" : "";
    return el(f.name) ? el(f.name).value.trim() : "";
  }
  function thaiDigits(s) { return s.replace(/[๐-๙]/g, function (d) { return "๐๑๒๓๔๕๖๗๘๙".indexOf(d); }); }
  function xval(f, v) {
    if (Array.isArray(v)) return v.join(" ");
    if ((f.type === "integer" || f.type === "decimal") && v !== "") {
      var n = Number(thaiDigits(v).replace(/,/g, ""));
      return isNaN(n) ? v : n;
    }
    return v;
  }
  /* Answers of the questions that apply now ({raw, vals}); hides the rest. */
  function collect() {
    var out = { raw: {}, vals: {}, shown: [] };
    spec.fields.forEach(function (f) {
      var on = holds(f.relevant, out.vals);
      var b = block(f.name);
      if (b) b.hidden = !on;
      if (f.type === "note") return;
      var v = raw(f);
      out.vals[f.name] = on ? xval(f, v) : "";
      if (on) { out.raw[f.name] = v; out.shown.push(f); }
    });
    return out;
  }

  /* Cascading lists: fetched when what they depend on changes, cached by the browser and here. */
  var cache = {}, lastDeps = {};
  function fill(select, choices, placeholder, want) {
    select.options.length = 0;
    select.add(new Option(placeholder, ""));
    choices.forEach(function (c) { select.add(new Option(c[1], c[0])); });
    select.value = want && choices.some(function (c) { return c[0] === want; }) ? want : "";
    select.disabled = !choices.length;
  }
  function cascade(vals) {
    spec.fields.forEach(function (f) {
      if (!f.deps) return;
      var select = el(f.name);
      var key = f.deps.map(function (d) { return vals[d]; }).join("|");
      if (lastDeps[f.name] === key) return;
      lastDeps[f.name] = key;
      var first = select.options[0] ? select.options[0].text : ui.choose;
      if (f.deps.some(function (d) { return vals[d] === ""; })) {
        fill(select, [], first, "");  /* a restored answer waits in data-want for its list */
        return;
      }
      var want = select.dataset.want || select.value;
      delete select.dataset.want;
      var url = "/api/survey/forms/" + spec.form + "/choices/" + encodeURIComponent(f.name) + "?" +
        f.deps.map(function (d) { return encodeURIComponent(d) + "=" + encodeURIComponent(vals[d]); }).join("&");
      var done = function (choices) {
        if (lastDeps[f.name] !== key) return;
        fill(select, choices, ui.choose, want);
        changed();
      };
      if (cache[url]) { done(cache[url]); return; }
      fill(select, [], ui.loading, "");
      fetch(url).then(function (r) { if (!r.ok) throw r; return r.json(); })
        .then(function (body) { cache[url] = body.choices; done(body.choices); })
        .catch(function () { lastDeps[f.name] = null; setError(f.name, ui.load_failed); });
    });
  }

  /* A draft in the phone, so a reload or a dropped connection loses nothing. */
  function saveDraft(state) {
    try { localStorage.setItem(draftKey, JSON.stringify(state.raw)); } catch (e) { /* private mode */ }
  }
  function restoreDraft() {
    var draft;
    try { draft = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { draft = null; }
    if (!draft) return;
    spec.fields.forEach(function (f) {
      var v = draft[f.name];
      if (v === undefined || f.type === "note") return;
      if (f.widget === "checkbox" || f.widget === "radio") {
        var chosen = [].concat(v);
        form.querySelectorAll('input[name="' + f.name + '"]').forEach(function (i) {
          i.checked = chosen.indexOf(i.value) >= 0;
        });
      } else if (f.widget === "consent") {
        el(f.name).checked = v === "OK";
      } else if (f.deps) {
        el(f.name).dataset.want = v;
      } else {
        el(f.name).value = v;
      }
    });
  }

  function setError(name, message) {
    var b = block(name), e = document.getElementById("e-" + name);
    if (b) b.classList.toggle("bad", !!message);
    if (e) e.textContent = message || "";
  }
  function showErrors(errors) {
    var first = null;
    spec.fields.forEach(function (f) {
      setError(f.name, errors[f.name]);
      if (errors[f.name] && !first) first = block(f.name);
    });
    if (first) {
      first.scrollIntoView({ block: "center" });
      var input = first.querySelector("input,select,textarea");
      if (input) input.focus({ preventScroll: true });
    }
  }
  function check(state) {
    var errors = {};
    state.shown.forEach(function (f) {
      var v = state.vals[f.name];
      if (v === "") { if (f.required) errors[f.name] = f.msg.required; return; }
      try {
        if (!holds(f.constraint, state.vals, v)) errors[f.name] = f.msg.constraint;
      } catch (e) { /* a rule the browser cannot run: the server decides */ }
    });
    return errors;
  }
  function showBanner(message, isError) {
    banner.textContent = message;
    banner.className = "banner" + (isError ? " error" : "");
    banner.hidden = !message;
    if (message) window.scrollTo(0, 0);
  }

  function changed(event) {
    var state = collect();
    cascade(state.vals);
    if (event && event.target && event.target.name) {
      setError(event.target.name, "");
      statusLine.textContent = "";
    }
    saveDraft(state);
  }

  function liffCall(name) {
    try { return window.liff && window.liff[name] ? window.liff[name]() : null; } catch (e) { return null; }
  }

  function finish() {
    try { localStorage.removeItem(draftKey); } catch (e) { /* private mode */ }
    form.hidden = true;
    showBanner("");
    document.getElementById("thanks").hidden = false;
    window.scrollTo(0, 0);
    if (liffCall("isInClient")) setTimeout(function () { liffCall("closeWindow"); }, 2500);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var state = collect();
    var errors = check(state);
    showErrors(errors);
    if (Object.keys(errors).length) { statusLine.textContent = ""; return; }
    send.disabled = true;
    statusLine.textContent = ui.sending;
    var invite = new URLSearchParams(location.search).get("invite");
    fetch("/api/survey/responses", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id_token: liffCall("getIDToken"), form: spec.form, answers: state.raw, invite: invite })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      statusLine.textContent = "";
      if (res.status === 200) return finish();
      if (res.status === 422 && res.body.errors) {
        showErrors(res.body.errors);
        statusLine.textContent = res.body.message || "";
        return;
      }
      showBanner(res.body.message || ui.network, true);
    }).catch(function () {
      statusLine.textContent = "";
      showBanner(ui.network, true);
    }).then(function () { send.disabled = false; });
  });

  restoreDraft();
  changed();
  if (window.liff) {
    window.liff.init({ liffId: form.dataset.liffId }).then(function () {
      if (!window.liff.isInClient() && !window.liff.isLoggedIn()) window.liff.login();
    }).catch(function () { /* the server will say the identity is missing when the member sends */ });
  }
})();
