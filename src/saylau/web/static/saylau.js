/* saylau public pages: the little the browser does. Every page works without it. */
(function () {
  "use strict";

  /* Sortable tables: a button in each column heading; aria-sort tells assistive technology. */
  function sortValue(cell) {
    var raw = cell.getAttribute("data-sort");
    var number = raw === null ? NaN : Number(raw);
    return isNaN(number) ? (raw || cell.textContent).trim().toLowerCase() : number;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, column) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortValue(a.cells[column]), y = sortValue(b.cells[column]);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  /* Election night: ask every 30 s whether the audit chain has moved; offer a reload if so. */
  var head = document.body.getAttribute("data-head-url");
  var seen = document.body.getAttribute("data-head-seq");
  var banner = document.getElementById("update-banner");
  if (head && banner && window.fetch) {
    setInterval(function () {
      fetch(head, { cache: "no-store" }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (h) { if (h && String(h.seq) !== seen) banner.hidden = false; })
        .catch(function () {});
    }, 30000);
  }

  /* Polling-station search on a static host: the page has no server, so search the index here. */
  var hits = document.getElementById("hits");
  if (hits && hits.getAttribute("data-server") === "0" && window.fetch) {
    var query = new URLSearchParams(location.search).get("q") || "";
    var words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    if (words.length) {
      var lang = hits.getAttribute("data-lang");
      var column = { kk: 1, ru: 2, en: 3 }[lang] || 3;
      var limit = Number(hits.getAttribute("data-limit"));
      document.getElementById("q").value = query;
      document.getElementById("hits-h").classList.remove("visually-hidden");
      fetch(hits.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (rows) {
        var list = hits.querySelector("ul.hits"), shown = 0;
        rows.some(function (row) {
          var text = row.join(" ").toLocaleLowerCase();
          if (!words.every(function (w) { return text.indexOf(w) >= 0; })) return false;
          var item = document.createElement("li"), link = document.createElement("a");
          link.href = hits.getAttribute("data-election-url") + encodeURIComponent(row[0]) + "/";
          link.textContent = row[0] + " " + row[column];
          var where = document.createElement("span");
          where.className = "address";
          where.textContent = row[4] + (row[5] ? ", " + row[5] : "");
          item.appendChild(link); item.appendChild(document.createElement("br")); item.appendChild(where);
          list.appendChild(item);
          shown += 1;
          return shown >= limit;
        });
        if (!shown) hits.querySelector("p.none").hidden = false;
        if (shown >= limit) {
          var more = document.createElement("p");
          more.textContent = hits.getAttribute("data-more");
          hits.appendChild(more);
        }
      });
    }
  }

  /* Election-day turnout from check-ins (served site only: the API answers live). */
  var live = document.getElementById("live-turnout");
  if (live && window.fetch) {
    var showTurnout = function () {
      fetch(live.getAttribute("data-url"), { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (t) {
          if (!t || !t.registered || !t.hours.length) return;
          var lang = live.getAttribute("data-lang");
          var body = live.querySelector("tbody");
          body.textContent = "";
          t.hours.forEach(function (h) {
            var row = body.insertRow();
            var by = document.createElement("th");
            by.scope = "row";
            by.textContent = String((h.hour + 1) % 24).padStart(2, "0") + ":00";
            row.appendChild(by);
            var n = row.insertCell(), s = row.insertCell();
            n.className = s.className = "num";
            n.textContent = h.ballots.toLocaleString(lang);
            s.textContent = (h.share * 100).toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " %";
          });
          live.querySelector(".as-of").textContent = t.as_of.slice(0, 19).replace("T", " ") + " UTC";
          live.hidden = false;
        })
        .catch(function () {});
    };
    showTurnout();
    setInterval(showTurnout, 30000);
  }
})();
