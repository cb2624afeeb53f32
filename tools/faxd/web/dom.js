// A small helper to build elements without innerHTML, so text from the server
// (names, CSIDs, error messages) is never parsed as HTML.

// h('tr', {class: 'x', dataset: {jobId: 3}, onclick: fn}, 'text', child, ...)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

// Replaces an element's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A table whose cells carry their column's label, so the phone layout can show
// each row as a card (style.css: td::before { content: attr(data-label) }).
export function table(columns, className) {
  const body = h('tbody');
  const el = h('table', {class: `grid ${className || ''}`},
               h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))), body);
  return {el, body, columns};
}

// The row's cells; each value in one element (the phone layout's second
// column), cells with nothing in them marked so that layout can leave them out.
export function cells(columns, values) {
  return values.map((v, i) => {
    const blank = v === '' || v === null || v === undefined || (Array.isArray(v) && !v.flat(Infinity).some((x) => x));
    return h('td', {'data-label': columns[i], class: blank ? 'blank' : undefined}, h('div', {class: 'cell'}, v));
  });
}
