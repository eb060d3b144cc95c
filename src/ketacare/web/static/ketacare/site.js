// Site-wide behaviour without inline script (the Content-Security-Policy allows scripts from
// /static/ only, no onclick="..." attributes).
// - A button with data-action="print" prints the page.
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-action]") : null;
  if (target && target.getAttribute("data-action") === "print") {
    event.preventDefault();
    window.print();
  }
});
