// The esketamine observation timer: counts down to the time the core's observation_window gave.
(function () {
  function tick() {
    document.querySelectorAll("[data-until]").forEach(function (el) {
      var until = new Date(el.getAttribute("data-until"));
      var left = Math.round((until - new Date()) / 1000);
      var out = el.querySelector(".remaining");
      if (!out) return;
      if (left <= 0) { out.textContent = "Observation time reached"; el.classList.add("done"); return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      out.textContent = h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0") + " left";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
