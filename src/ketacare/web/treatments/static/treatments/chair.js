// The session at the chair. No inline script (a strict Content-Security-Policy): everything here
// is attached on load.
(function () {
  // The esketamine observation timer: counts down to the time the core's observation_window gave.
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

  // A "Now" button beside every date-time input: fills the current time in the clinic's zone
  // (data-utc-offset, minutes east of UTC, set by the server).
  function clinicNow(offsetMinutes) {
    var d = new Date(Date.now() + offsetMinutes * 60000);
    return d.toISOString().slice(0, 16);
  }
  function addNowButtons(root) {
    root.querySelectorAll("input[data-now]").forEach(function (input) {
      if (input.nextElementSibling && input.nextElementSibling.classList.contains("now")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "now";
      button.textContent = "Now";
      button.setAttribute("aria-label", "Set to now");
      button.addEventListener("click", function () {
        input.value = clinicNow(parseInt(input.getAttribute("data-utc-offset") || "0", 10));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      input.insertAdjacentElement("afterend", button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    addNowButtons(document);
    // the vitals section is swapped by htmx: give its new inputs their buttons too
    document.body.addEventListener("htmx:afterSwap", function (e) { addNowButtons(e.target); });
  });
})();
