/* The PEC operators' check-in page: one IIN at a time to the check-in API, a verdict that can
   be read at arm's length, and a retry that can never give a second ballot.

   Each check-in gets its own client_id (crypto.randomUUID); a retry of the same check-in (the
   Retry button, or the same IIN and options sent again after a failure) reuses it, and the API
   answers a repeated client_id with the first answer instead of "already voted". The token and
   the PEC code are kept in this browser's localStorage, as the observers' form keeps its token;
   this session's check-ins are listed from sessionStorage, which the browser drops with the tab. */
(function () {
  "use strict";
  var form = document.getElementById("checkin");
  if (!form) return;
  var api = form.getAttribute("data-api");
  var lang = document.documentElement.lang || "en";
  var TOKEN = "saylau-operator-token", PEC = "saylau-operator-pec", LOG = "saylau-checkin-log";
  var $ = function (id) { return document.getElementById(id); };
  var token = $("token"), pec = $("pec"), iin = $("iin"), problem = $("iin-problem");
  var mobile = $("mobile"), supplementary = $("supplementary"), avc = $("avc");
  var verdict = $("verdict"), offline = $("offline");
  var pending = null; /* {key, body}: a check-in whose answer never arrived */
  var NEWCOMER = ["family_name", "given_names", "birth_date", "sex", "address"];
  var busy = false;

  function text(name) { return form.getAttribute("data-" + name) || ""; }

  /* The IIN's own check (domain/iin.py): 12 digits, a check digit from two weighted passes. */
  var FIRST = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], SECOND = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
  function iinProblem(value) {
    if (!/^\d{12}$/.test(value)) return text("iin-digits");
    var d = value.split("").map(Number);
    var weigh = function (w) { return w.reduce(function (s, x, i) { return s + x * d[i]; }, 0) % 11; };
    var check = weigh(FIRST);
    if (check === 10) check = weigh(SECOND);
    if (check === 10 || check !== d[11]) return text("iin-check");
    return null;
  }
  function showProblem(message) {
    problem.textContent = message || "";
    if (message) iin.setAttribute("aria-invalid", "true"); else iin.removeAttribute("aria-invalid");
  }
  iin.addEventListener("input", function () {
    var digits = iin.value.replace(/\D/g, "").slice(0, 12);
    if (digits !== iin.value) iin.value = digits;
    showProblem(digits.length === 12 ? iinProblem(digits) : null);
  });

  /* Operator settings: remembered on this device, folded away once filled. */
  function remember() {
    localStorage.setItem(TOKEN, token.value.trim());
    localStorage.setItem(PEC, pec.value.trim());
    $("operator-summary").textContent = pec.value.trim() ? "· " + pec.value.trim() : "";
  }
  token.value = localStorage.getItem(TOKEN) || "";
  pec.value = localStorage.getItem(PEC) || "";
  remember();
  if (token.value && pec.value) $("operator").open = false;
  token.addEventListener("change", remember);
  pec.addEventListener("change", remember);

  /* When an earlier ballot was issued: the time alone on the same day, else date and time. */
  function localTime(stamp) {
    if (!stamp) return "";
    try {
      var when = new Date(stamp);
      var today = when.toDateString() === new Date().toDateString();
      return today ? when.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" })
        : when.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
    } catch (e) { return stamp; }
  }
  function fill(template, answer) {
    return template.replace("{pec}", answer.earlier_pec || "").replace("{at}", localTime(answer.earlier_at));
  }

  function show(kind, head, detail) {
    verdict.className = "verdict " + kind;
    $("verdict-head").textContent = head;
    $("verdict-text").textContent = detail;
    verdict.hidden = false;
  }

  /* The session's list, newest first. */
  function log() { try { return JSON.parse(sessionStorage.getItem(LOG) || "[]"); } catch (e) { return []; } }
  function drawLog() {
    var rows = log(), body = document.querySelector("#log tbody");
    body.textContent = "";
    rows.slice().reverse().forEach(function (row) {
      var tr = document.createElement("tr");
      [[row.time, ""], [row.iin, "iin"], [row.answer, "outcome-" + row.kind]].forEach(function (cell) {
        var td = document.createElement("td");
        td.textContent = cell[0];
        if (cell[1]) td.className = cell[1];
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    $("log-none").hidden = rows.length > 0;
    $("log").hidden = rows.length === 0;
  }
  function record(number, kind, answer) {
    var rows = log();
    rows.push({ time: new Date().toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" }),
                iin: number, kind: kind, answer: answer });
    sessionStorage.setItem(LOG, JSON.stringify(rows));
    drawLog();
  }
  drawLog();

  function problemsOf(body) {
    if (Array.isArray(body.problems) && body.problems.length) { /* the API's refusal body */
      return body.problems.map(function (p) { return p.field ? p.field + ": " + p.rule : p.rule; }).join("; ");
    }
    return body.detail || JSON.stringify(body);
  }

  /* A definitive answer from the server: a verdict, or a request it would not take. */
  function answered(item, status, body) {
    pending = null;
    offline.hidden = true;
    var number = item.body.iin;
    if (body && body.outcome === "issue") {
      var kind = text("kind-" + (body.kind || "station"));
      show("issue", text("issue"), number + (kind ? " · " + kind : ""));
      record(number, "issue", text("issue") + (kind ? " (" + kind + ")" : ""));
    } else if (body && body.outcome === "refuse") {
      var template = text("reason-" + body.reason);
      var reason = template ? fill(template, body) : body.message;
      if (body.reason === "excluded" || body.reason === "superseded") {
        reason += " (" + body.message.split(": ").pop() + ")";
      }
      if (body.reason === "invalid_person") reason += ": " + body.message.split(": ").slice(1).join(": ");
      show("refuse", text("refuse"), reason + " · " + number);
      record(number, "refuse", text("refuse") + ": " + reason);
    } else {
      var why = status === 401 ? text("token-refused") : problemsOf(body || {});
      show("error", text("not-recorded"), why);
      record(number, "error", text("not-recorded") + ": " + why);
      if (status === 401 || status === 403 || status === 404) $("operator").open = true;
      return;
    }
    $("operator").open = false; /* the settings worked: room for the verdict on a phone */
    iin.value = "";
    mobile.checked = false; supplementary.checked = false; avc.value = "";
    NEWCOMER.forEach(function (id) { if (id !== "sex") $(id).value = ""; });
    $("newcomer").open = false;
    iin.focus();
  }

  function failed(item) {
    pending = item;
    verdict.hidden = true;
    $("offline-text").textContent = text("offline") + " (" + item.body.iin + ")";
    offline.hidden = false;
    $("retry").focus();
  }

  function send(item) {
    if (busy) return;
    busy = true;
    show("sending", text("sending"), item.body.iin);
    fetch(api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + item.token },
      body: JSON.stringify(item.body)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        busy = false;
        if (response.status >= 500) failed(item); /* the same client_id makes a retry safe */
        else answered(item, response.status, body);
      });
    }).catch(function () { busy = false; failed(item); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    remember();
    if (!token.value.trim() || !pec.value.trim()) {
      $("operator").open = true;
      show("error", text("not-recorded"), text("need-setup"));
      (token.value.trim() ? pec : token).focus();
      return;
    }
    var number = iin.value.trim();
    var bad = iinProblem(number);
    if (bad) { showProblem(bad); iin.focus(); return; }
    var body = { pec: pec.value.trim(), iin: number, mobile: mobile.checked, supplementary: supplementary.checked };
    if (avc.value.trim()) body.avc = avc.value.trim(); /* sent only when filled */
    if ($("newcomer").open && $("family_name").value.trim()) {
      body.person = {};
      NEWCOMER.forEach(function (id) { body.person[id] = $(id).value.trim(); });
    }
    var key = JSON.stringify(body);
    body.client_id = pending && pending.key === key ? pending.body.client_id
      : (window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2));
    send({ key: key, token: token.value.trim(), body: body });
  });

  $("retry").addEventListener("click", function () { if (pending) send(pending); });
  $("discard").addEventListener("click", function () {
    pending = null;
    offline.hidden = true;
    iin.focus();
  });
})();
