// The header: on small screens the navigation folds behind a menu button; group menus
// and the account menu (<details>) close on a click elsewhere and on Escape, one at a time.
(function () {
  "use strict";
  const header = document.querySelector(".site-header");
  const toggle = header && header.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (toggle && nav) {
    header.classList.add("nav-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      header.classList.toggle("nav-open", open);
    });
  }
  const menus = header ? Array.from(header.querySelectorAll("details")) : [];
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) {
        menus.forEach(function (other) { if (other !== menu) other.open = false; });
      }
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const open = menus.filter(function (menu) { return menu.open; });
    if (open.length) {
      open.forEach(function (menu) { menu.open = false; });
      open[0].querySelector("summary").focus();
      return;
    }
    if (toggle && toggle.getAttribute("aria-expanded") === "true" && nav.contains(document.activeElement)) {
      toggle.click();
      toggle.focus();
    }
  });
})();
