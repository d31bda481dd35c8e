// Data tables on small screens: each row becomes a card of "column / value" lines (the CSS
// is in portal.css). The column names come from the header row; rows that htmx swaps in
// later are labelled as they arrive. The roles keep the table a table for screen readers
// when the CSS changes its display.
(function () {
  "use strict";

  function columnNames(table) {
    const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return null;
    const names = [];
    Array.from(head.cells).forEach(function (cell) {
      for (let i = 0; i < (cell.colSpan || 1); i++) names.push(cell.textContent.trim());
      cell.setAttribute("role", "columnheader");
    });
    return names;
  }

  function label(table) {
    const names = columnNames(table);
    if (!names) return;
    table.setAttribute("role", "table");
    Array.from(table.rows).forEach(function (row) {
      row.setAttribute("role", "row");
      if (row.parentElement === table.tHead) return;
      // One cell over all columns heads a group of rows: a heading, not a card.
      if (row.cells.length === 1 && (row.cells[0].colSpan || 1) >= names.length && names.length > 1) {
        row.classList.add("group-row");
        row.cells[0].setAttribute("role", row.cells[0].tagName === "TH" ? "columnheader" : "cell");
        return;
      }
      let column = 0;
      Array.from(row.cells).forEach(function (cell) {
        const name = names[column];
        if (name && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", name);
        if (!cell.hasAttribute("role")) {
          cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
        }
        column += cell.colSpan || 1;
      });
    });
    table.classList.add("stackable");
  }

  function labelAll() {
    document.querySelectorAll("table.data").forEach(label);
  }

  document.addEventListener("DOMContentLoaded", labelAll);
  document.addEventListener("htmx:afterSettle", labelAll);
})();
