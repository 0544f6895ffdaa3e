// Runs in the page (st.html with JavaScript): moves the clock every second between reruns.
(function () {
  if (!window.__gdClock) {
    window.__gdClock = window.setInterval(function () {
      const el = document.querySelector('.gd [data-role="clock"]');
      if (!el) return;
      const d = new Date();
      const t = String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
      if (el.textContent !== t) el.textContent = t;
    }, 1000);
  }
})();
