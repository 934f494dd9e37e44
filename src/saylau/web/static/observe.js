/* The observers' checklist: skip logic, sending, and a queue for when the network is down. */
(function () {
  "use strict";
  var form = document.getElementById("checklist");
  if (!form) return;
  var api = form.getAttribute("data-api");
  var result = document.getElementById("result");
  var OUTBOX = "saylau-outbox";

  function answersSoFar() {
    var answers = {};
    form.querySelectorAll(".question").forEach(function (box) {
      if (box.hidden) return;
      var name = box.getAttribute("data-name");
      var kind = box.getAttribute("data-kind");
      var checked = box.querySelector("input[type=radio]:checked");
      var input = box.querySelector("input:not([type=radio]), textarea");
      var value = checked ? checked.value : input ? input.value : "";
      if (value === "") return;
      answers[name] = kind === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
    });
    return answers;
  }

  /* Evaluate a parsed XLSForm expression (the server parsed it; see saylau.web.observe). */
  function missing(v) { return v === undefined || v === null || v === ""; }
  function evaluate(node, answers) {
    switch (node.t) {
      case "lit": return node.v;
      case "ref": return answers[node.n];
      case "cur": return undefined;
      case "neg": return -evaluate(node.e, answers);
      case "call":
        if (node.n === "not") return !truthy(evaluate(node.a[0], answers));
        if (node.n === "true") return true;
        if (node.n === "false") return false;
        if (node.n === "selected") return String(evaluate(node.a[0], answers) || "").split(" ").indexOf(String(evaluate(node.a[1], answers))) >= 0;
        if (node.n === "string-length") return String(evaluate(node.a[0], answers) || "").length;
        return undefined;
      case "bin":
        var l = evaluate(node.l, answers);
        if (node.op === "and") return truthy(l) && truthy(evaluate(node.r, answers));
        if (node.op === "or") return truthy(l) || truthy(evaluate(node.r, answers));
        var r = evaluate(node.r, answers);
        if (["=", "!=", "<", "<=", ">", ">="].indexOf(node.op) >= 0) {
          if (missing(l) || missing(r)) return false;
          var numeric = typeof l === "number" || typeof r === "number";
          var a = numeric ? Number(l) : String(l), b = numeric ? Number(r) : String(r);
          return { "=": a === b, "!=": a !== b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b }[node.op];
        }
        if (missing(l) || missing(r)) return undefined;
        return { "+": l + r, "-": l - r, "*": l * r, "div": l / r, "mod": l % r }[node.op];
    }
    return undefined;
  }
  function truthy(v) { return !(v === false || missing(v) || v === 0); }

  /* Show only the questions whose conditions hold; a hidden question keeps no answer. */
  function applySkipLogic() {
    form.querySelectorAll(".question").forEach(function (box) {
      var rule = box.getAttribute("data-relevant");
      if (!rule) return;
      var show = truthy(evaluate(JSON.parse(rule), answersSoFar()));
      box.hidden = !show;
      box.querySelectorAll("input, textarea").forEach(function (el) {
        el.disabled = !show;
        if (!show) { if (el.type === "radio") el.checked = false; else el.value = ""; }
      });
    });
  }
  form.addEventListener("change", applySkipLogic);
  form.addEventListener("input", applySkipLogic);
  applySkipLogic();

  function localTime(value) {
    if (!value) return null;
    var offset = -new Date(value).getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    var hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
    var minutes = String(Math.abs(offset) % 60).padStart(2, "0");
    return value + ":00" + sign + hours + ":" + minutes;
  }

  function outbox() { try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; } }
  function keep(items) { localStorage.setItem(OUTBOX, JSON.stringify(items)); }

  function send(item) {
    return fetch(api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + item.token },
      body: JSON.stringify(item.body)
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    });
  }

  function report(text, good) {
    result.textContent = text;
    result.className = good ? "status-ok" : "status-flag";
  }

  function flush() {
    var pending = outbox();
    if (!pending.length) return;
    var left = [];
    var chain = Promise.resolve();
    pending.forEach(function (item) {
      chain = chain.then(function () {
        return send(item).then(function (answer) {
          if (answer.status >= 500) left.push(item);
        }).catch(function () { left.push(item); });
      });
    });
    chain.then(function () { keep(left); });
  }
  window.addEventListener("online", flush);
  flush();

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = form.querySelector("#token").value || localStorage.getItem("saylau-token") || "";
    localStorage.setItem("saylau-token", token);
    var body = {
      client_id: form.getAttribute("data-client-id") || (window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()),
      form: form.getAttribute("data-form"),
      unit: form.querySelector("#unit").value.trim(),
      team: form.querySelector("#team").value.trim() || null,
      arrived_at: localTime(form.querySelector("#arrived_at").value),
      departed_at: localTime(form.querySelector("#departed_at").value),
      answers: answersSoFar()
    };
    form.setAttribute("data-client-id", body.client_id); /* a retry of this form reuses its id */
    var item = { token: token, body: body };
    send(item).then(function (answer) {
      if (answer.status === 201 || answer.status === 200) {
        report(form.getAttribute("data-sent") + " #" + answer.body.id, true);
        form.removeAttribute("data-client-id");
      } else {
        /* the API's one refusal body: each problem a field and a rule */
        var problems = (answer.body.problems || []).map(function (p) {
          return p.field ? p.field + ": " + p.rule : p.rule;
        });
        if (!problems.length) { problems = [answer.body.detail]; }
        report(form.getAttribute("data-refused") + " " + problems.join("; "), false);
      }
    }).catch(function () {
      keep(outbox().concat([item]));
      report(form.getAttribute("data-queued"), false);
    });
  });
  var saved = localStorage.getItem("saylau-token");
  if (saved) form.querySelector("#token").value = saved;
})();
