// Anvil UI: the few things a script does better. Every page is complete without it.
"use strict";
(() => {
  const d = document, root = d.documentElement;

  // Theme toggle: flips the shown theme and remembers the choice (theme.js applies it on the next page).
  const toggle = d.getElementById("theme");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const shown = root.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
      root.dataset.theme = shown === "dark" ? "light" : "dark";
      try { localStorage.setItem("anvil-theme", root.dataset.theme); } catch (e) { }
    });
  }

  // Times are written in UTC; show them in the reader's time zone (the UTC text stays as a tooltip).
  const pad = n => String(n).padStart(2, "0");
  const localTimes = scope => scope.querySelectorAll("time[datetime]").forEach(el => {
    const t = new Date(el.getAttribute("datetime"));
    if (isNaN(t) || el.dataset.local) return;
    const clock = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
    el.title = el.getAttribute("datetime");
    // A bare time of day stays one (tables within a run); a full date stays a full date.
    el.textContent = el.textContent.length <= 8 ? clock : `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${clock}`;
    el.dataset.local = "1";
  });
  localTimes(d);

  // Live pages: the server says when what the page shows changed; the page fetches itself and swaps its live parts.
  const source = d.body.dataset.live;
  if (source && window.EventSource && window.fetch) {
    const badge = d.getElementById("live");
    if (badge) badge.hidden = false;
    const events = new EventSource(source);
    let busy = false, again = false;
    const refresh = async () => {
      if (busy) { again = true; return; }
      busy = true;
      try {
        const response = await fetch(location.href, { headers: { "X-Anvil-Live": "1" }, cache: "no-store" });
        if (response.ok) swap(new DOMParser().parseFromString(await response.text(), "text/html"));
      } catch (e) { /* the next change tries again */ }
      busy = false;
      if (again) { again = false; refresh(); }
    };
    const swap = doc => {
      const follow = innerHeight + scrollY >= d.body.scrollHeight - 40; // at the bottom: stay there as output grows
      d.querySelectorAll("[data-live]").forEach(el => {
        const fresh = doc.getElementById(el.id);
        if (fresh) el.replaceWith(d.adoptNode(fresh));
      });
      d.title = doc.title;
      localTimes(d);
      if (follow) scrollTo(0, d.body.scrollHeight);
    };
    events.addEventListener("change", refresh);
    events.addEventListener("done", () => {
      events.close();
      if (badge) badge.hidden = true;
      refresh();
    });
  }

  // Facts: filter the table while typing (the form also works without the script, on the server).
  const factsSearch = d.getElementById("facts-q");
  const facts = d.getElementById("facts");
  if (factsSearch && facts) {
    const rows = [...facts.querySelectorAll("tbody tr")];
    const count = d.getElementById("facts-count");
    factsSearch.addEventListener("input", () => {
      const q = factsSearch.value.trim().toLowerCase();
      let shown = 0;
      rows.forEach(r => { const hit = !q || r.textContent.toLowerCase().includes(q); r.hidden = !hit; if (hit) shown++; });
      if (count) count.textContent = `${shown} of ${rows.length}`;
    });
  }

  // Static exports have no server to filter results: filter the rows here.
  const filters = d.querySelectorAll("[data-filter]");
  if (filters.length) {
    const table = d.getElementById("results-table");
    const rows = table ? [...table.querySelectorAll("tbody tr")] : [];
    const apply = () => {
      const want = {};
      filters.forEach(f => { if (f.value) want[f.dataset.filter] = f.value; });
      rows.forEach(r => { r.hidden = Object.keys(want).some(k => r.dataset[k] !== want[k]); });
    };
    filters.forEach(f => { f.closest("[hidden]")?.removeAttribute("hidden"); f.addEventListener("change", apply); });
  }
})();
