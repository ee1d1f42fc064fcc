// Layout checks run in Chromium on one report page (see test_report_demo.py). Returns a list of
// problems: two table cells' text boxes overlap or touch, a table wider than its container
// without a scroll wrapper, two chart labels colliding, or the page scrolling sideways.
() => {
  const problems = [];
  const textBox = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    if (!rects.length) return null;
    return {
      left: Math.min(...rects.map((r) => r.left)), right: Math.max(...rects.map((r) => r.right)),
      top: Math.min(...rects.map((r) => r.top)), bottom: Math.max(...rects.map((r) => r.bottom)),
    };
  };
  const overlap = (a, b, gap) => a.left < b.right + gap && b.left < a.right + gap &&
    a.top < b.bottom && b.top < a.bottom;
  const name = (el) => (el.closest("[id]") || {}).id || el.tagName;
  for (const d of document.querySelectorAll("details")) d.open = true;
  for (const table of document.querySelectorAll("main table")) {
    for (const row of table.rows) {
      const boxes = [...row.cells].map(textBox);
      for (let i = 0; i + 1 < boxes.length; i++) {
        if (boxes[i] && boxes[i + 1] && overlap(boxes[i], boxes[i + 1], 4)) {
          problems.push(`cells run together in ${name(table)}: "${row.cells[i].innerText}" | "${row.cells[i + 1].innerText}"`);
        }
      }
    }
    const wrap = table.closest(".table-wrap");
    const container = table.parentElement;
    const scrolls = wrap && getComputedStyle(wrap).overflowX !== "visible";
    if (!scrolls && table.getBoundingClientRect().right > container.getBoundingClientRect().right + 1) {
      problems.push(`table ${name(table)} overflows its container without a scroll wrapper`);
    }
  }
  for (const svg of document.querySelectorAll("main svg")) {
    const labels = [...svg.querySelectorAll("text")].map((t) => [t, t.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0);
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        if (overlap(labels[i][1], labels[j][1], 0)) {
          const a = labels[i][1], b = labels[j][1];
          const area = (Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
            (Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
          if (area > 4) {
            problems.push(`chart labels collide in ${name(svg)}: "${labels[i][0].textContent}" and "${labels[j][0].textContent}"`);
          }
        }
      }
    }
  }
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) problems.push("the page scrolls sideways");
  return problems;
}
