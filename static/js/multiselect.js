// A people select searched as you type, the chosen shown as chips (ARIA combobox + listbox).
// Progressive enhancement of a [data-multiselect] block: its <select multiple> stays the
// form's value (hidden, kept in sync), so the POST is what it is without JavaScript. A name
// not in the directory goes into the form's free-text field, which the server checks.
// Every string comes from the block's data-* attributes (translated by the template).
(function () {
  "use strict";

  // Case, accents and "ß" do not matter; "Mueller" finds "Müller" too.
  function fold(text) {
    return text.toLowerCase().replace(/ß/g, "ss").normalize("NFD").replace(/\p{M}/gu, "");
  }

  function spelledOut(text) {
    const umlauts = { ä: "ae", ö: "oe", ü: "ue", ß: "ss" };
    return text.toLowerCase().replace(/[äöüß]/g, (c) => umlauts[c]);
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function enhance(root) {
    const select = root.querySelector("select[multiple]");
    const ui = root.querySelector("[data-multiselect-ui]");
    const plain = root.querySelector("[data-multiselect-plain]");
    if (!select || !ui || !plain) return;
    const input = ui.querySelector("[role=combobox]");
    const listbox = ui.querySelector("[role=listbox]");
    const chips = ui.querySelector(".chips");
    const status = ui.querySelector("[role=status]");
    const free = document.getElementById(root.dataset.freeText || "");
    const strings = root.dataset;
    const people = Array.from(select.options).map((option) => {
      const department = option.dataset.department || "";
      const email = option.dataset.email || "";
      const searched = [option.text, department, email].map(fold);
      searched.push(spelledOut(option.text));
      return {
        option: option,
        name: option.text,
        key: fold(option.text),
        words: (fold(option.text) + " " + spelledOut(option.text)).split(/\s+/),
        meta: [department, email].filter(Boolean).join(" · "),
        haystack: searched.join("\n"),
      };
    });
    let chosen = []; // in the order picked
    let shown = []; // the listbox's entries: {person} or {guest: name}
    let active = -1;

    function matches(query) {
      const terms = fold(query).split(/\s+/).filter(Boolean);
      const open = people.filter((person) => !chosen.includes(person));
      if (!terms.length) return open;
      const found = open.filter((person) => terms.every((term) => person.haystack.includes(term)));
      // Names with a word starting as typed first; otherwise the directory's order.
      const early = (person) => person.words.some((word) => word.startsWith(terms[0]));
      return found.filter(early).concat(found.filter((person) => !early(person)));
    }

    function openList() {
      const query = input.value.trim();
      shown = matches(query).map((person) => ({ person: person }));
      if (query && free && !people.some((person) => person.key === fold(query))) {
        shown.push({ guest: query });
      }
      active = -1;
      listbox.replaceChildren(
        ...shown.map((entry, index) => {
          const option = element("li", entry.guest === undefined ? "" : "option-guest");
          option.id = listbox.id + "-" + index;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          if (entry.guest !== undefined) {
            option.textContent = format(strings.addGuest, { name: entry.guest });
          } else {
            option.append(entry.person.name);
            const meta = entry.person.meta;
            if (meta) option.append(" ", element("span", "option-meta", meta));
          }
          option.addEventListener("click", () => pick(index));
          return option;
        }),
      );
      listbox.hidden = !shown.length;
      input.setAttribute("aria-expanded", String(shown.length > 0));
      input.removeAttribute("aria-activedescendant");
    }

    function closeList() {
      shown = [];
      active = -1;
      listbox.hidden = true;
      listbox.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function move(index) {
      if (!shown.length) return;
      active = (index + shown.length) % shown.length;
      Array.from(listbox.children).forEach((option, i) => {
        option.setAttribute("aria-selected", String(i === active));
      });
      const option = listbox.children[active];
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function pick(index) {
      const entry = shown[index];
      if (!entry) return;
      if (entry.guest === undefined) choose(entry.person);
      else addGuest(entry.guest);
      input.value = "";
      closeList();
      input.focus();
    }

    // Enter without an option: the one person of exactly that name, else a further participant.
    function pickTyped() {
      const query = input.value.trim();
      if (!query) return;
      const same = people.filter((person) => person.key === fold(query));
      if (same.length > 1) {
        openList(); // namesakes: the person picks which one
        return;
      }
      if (same.length === 1) choose(same[0]);
      else if (free) addGuest(query);
      else return;
      input.value = "";
      closeList();
    }

    function choose(person) {
      if (!chosen.includes(person)) chosen.push(person);
      person.option.selected = true;
      update();
    }

    // From a chip the focus goes to the next chip (the last one, the search box).
    function remove(person, fromChip) {
      const index = chosen.indexOf(person);
      chosen = chosen.filter((other) => other !== person);
      person.option.selected = false;
      update();
      const buttons = chips.querySelectorAll("button");
      if (fromChip) (buttons[Math.min(index, buttons.length - 1)] || input).focus();
    }

    function addGuest(typed) {
      const names = free.value.split(",").map((name) => name.trim()).filter(Boolean);
      const added = typed.split(",").map((name) => name.trim()).filter(Boolean);
      for (const name of added) {
        if (!names.some((other) => fold(other) === fold(name))) names.push(name);
      }
      free.value = names.join(", ");
      update(format(strings.guestAdded, { name: added.join(", ") }));
    }

    function chip(person) {
      const item = element("li");
      const button = element("button", "chip-remove");
      button.type = "button";
      const cross = element("span", "", "×");
      cross.setAttribute("aria-hidden", "true");
      const label = format(strings.remove, { name: person.name });
      button.append(cross, element("span", "visually-hidden", label));
      button.addEventListener("click", () => remove(person, true));
      button.addEventListener("keydown", (event) => {
        if (event.key === "Backspace" || event.key === "Delete") {
          event.preventDefault();
          remove(person, true);
        }
      });
      item.append(element("span", "", person.name), button);
      return item;
    }

    function update(news) {
      chips.replaceChildren(...chosen.map(chip));
      chips.hidden = !chosen.length;
      const n = chosen.length;
      const count = n === 0 ? strings.none : n === 1 ? strings.one : format(strings.many, { n: n });
      status.textContent = news ? news + " " + count : count;
    }

    input.addEventListener("input", () => (input.value.trim() ? openList() : closeList()));
    input.addEventListener("blur", closeList);
    listbox.addEventListener("mousedown", (event) => event.preventDefault()); // keeps the focus
    input.addEventListener("keydown", (event) => {
      const open = !listbox.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const down = event.key === "ArrowDown";
        if (!open) openList();
        move(active < 0 ? (down ? 0 : -1) : active + (down ? 1 : -1));
      } else if (event.key === "Enter") {
        event.preventDefault(); // never submits the form from here
        if (open && active >= 0) pick(active);
        else pickTyped();
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          closeList();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
        }
      } else if (event.key === "Backspace" && !input.value && chosen.length) {
        remove(chosen[chosen.length - 1], false);
      }
    });

    // Enhanced: the search replaces the select (its errors stay visible and describe it).
    for (const child of plain.children) {
      if (!child.classList.contains("errorlist")) child.hidden = true;
    }
    const errors = plain.querySelector(".errorlist[id]");
    if (errors) {
      const described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described + " " + errors.id);
      input.setAttribute("aria-invalid", "true");
    }
    // The select is the truth: a form shown again, or restored by the browser, keeps its
    // people. Filled while hidden, so the count is not announced on load.
    chosen = people.filter((person) => person.option.selected);
    update();
    ui.hidden = false;
  }

  document.querySelectorAll("[data-multiselect]").forEach(enhance);
})();
