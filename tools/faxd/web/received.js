// Received: the faxes faxd received (caller, CSID, pages, time, routing), and
// at #/received/<id> a viewer: page thumbnails, the full page as faxd renders
// it (PNG of the fax's own pixels), and downloads as PDF or TIFF.
import {call, fetchWhenReady} from './api.js';
import {h, fill, table, cells} from './dom.js';
import {guarded, showError} from './errors.js';
import * as words from './words.js';

const COLUMNS = ['Fax', 'Received', 'From', 'Caller id', 'CSID', 'Port', 'Pages', 'Status', 'Routing'];

// Routing methods' names by GUID, read once per port (routing.list).
async function methodNames(faxes) {
  const names = new Map();
  const ports = [...new Set(faxes.map((f) => f.device_id))];
  await Promise.all(ports.map(async (id) => {
    try {
      for (const m of await call('routing.list', {device_id: id})) names.set(m.guid, m.friendly_name);
    } catch { /* a removed port: the GUID is shown instead */ }
  }));
  return names;
}

export function mount(root, id) {
  return id === undefined ? list(root) : viewer(root, Number(id));
}

// A fax's pixels are 204 per inch across and 98, 196 or 391 rows per inch
// down; browsers ignore the PNG's pHYs, so the viewer stretches the rows back.
const ROW_STRETCH = {standard: 204 / 98, fine: 204 / 196, superfine: 204 / 391};

function trueShape(img, fax) {
  const stretch = ROW_STRETCH[fax.resolution] || 1;
  const fit = () => { img.style.aspectRatio = `${img.naturalWidth} / ${img.naturalHeight * stretch}`; };
  if (img.complete && img.naturalWidth) fit();
  else img.addEventListener('load', fit, {once: true});
}

function statusWords(fax) {
  const s = fax.status || '';
  return fax.partial ? `${s} (partial${fax.cause ? `: ${fax.cause}` : ''})` : s;
}

function list(root) {
  const t = table(COLUMNS, 'faxes');
  const empty = h('p', {class: 'empty', hidden: true}, 'No faxes received yet.');
  root.append(h('div', {class: 'view-head'}, h('h1', {}, 'Received faxes')), t.el, empty);
  const rows = new Map();
  let names = new Map();

  function upsert(fax) {
    let row = rows.get(fax.id);
    if (!row) {
      row = h('tr', {class: 'link', dataset: {faxId: fax.id}, tabindex: 0,
                     onclick: () => { location.hash = `#/received/${fax.id}`; },
                     onkeydown: (ev) => { if (ev.key === 'Enter') location.hash = `#/received/${fax.id}`; }});
      rows.set(fax.id, row);
      t.body.prepend(row);
    }
    fill(row, ...cells(COLUMNS, [
      h('a', {href: `#/received/${fax.id}`}, String(fax.id)),
      words.localTime(fax.start),
      fax.remote_ident,
      fax.caller_id,
      fax.csid,
      fax.port_name,
      String(fax.pages),
      statusWords(fax),
      words.routingOutcome(fax, names).map((line) => h('div', {}, line)),
    ]));
    empty.hidden = true;
  }

  (async () => {
    const faxes = await guarded(() => call('received.list'));
    if (!faxes) return;
    names = await methodNames(faxes);
    faxes.sort((a, b) => a.id - b.id).forEach(upsert);
    empty.hidden = faxes.length > 0;
  })().catch((e) => showError(e.message));

  return {
    onEvent(msg) {
      if (msg.method === 'received.changed') upsert(msg.params.fax);
    },
  };
}

function viewer(root, id) {
  const urls = [];  // object URLs to free when the view goes
  const objectUrl = (blob) => { const u = URL.createObjectURL(blob); urls.push(u); return u; };
  const thumbs = h('ol', {class: 'thumbs'});
  const page = h('img', {id: 'page-image', alt: '', hidden: true});
  const pageNote = h('p', {class: 'page-note'}, 'Loading…');
  const info = h('dl', {class: 'details'});
  const pdf = h('a', {id: 'download-pdf', class: 'button', href: `/api/received/${id}.pdf`, download: `fax-${id}.pdf`}, 'Download PDF');
  const tiff = h('a', {id: 'download-tiff', class: 'button', href: `/api/received/${id}.tiff`, download: `fax-${id}.tiff`}, 'Download TIFF');
  root.append(
    h('div', {class: 'view-head'}, h('h1', {}, `Fax ${id}`),
      h('div', {class: 'row-actions'}, h('a', {href: '#/received', class: 'button quiet'}, '← All faxes'), pdf, tiff)),
    h('div', {id: 'viewer', dataset: {faxId: id}},
      h('aside', {class: 'card side'}, info, thumbs),
      h('figure', {class: 'card page'}, pageNote, page)));

  // The PDF is made on demand: faxd answers 202 until it is ready, which a
  // plain link would save as an empty file. Fetch it, then save the blob.
  pdf.addEventListener('click', async (ev) => {
    ev.preventDefault();
    const blob = await guarded(() => fetchWhenReady(pdf.href));
    if (!blob) return;
    const a = h('a', {href: objectUrl(blob), download: `fax-${id}.pdf`});
    document.body.append(a);
    a.click();
    a.remove();
  });

  let shown = 0;
  let fax = null;
  async function showPage(n) {
    shown = n;
    for (const t of thumbs.querySelectorAll('.thumb')) t.classList.toggle('current', Number(t.dataset.page) === n);
    pageNote.textContent = `Page ${n}: loading…`;
    pageNote.hidden = false;
    const src = `/api/received/${id}/page/${n}.png`;
    const blob = await guarded(() => fetchWhenReady(src));
    if (!blob || shown !== n) return;
    page.dataset.src = src;
    page.dataset.page = n;
    page.alt = `Page ${n} of fax ${id}`;
    page.onload = () => { pageNote.hidden = true; page.hidden = false; };
    trueShape(page, fax);
    page.src = objectUrl(blob);
  }

  (async () => {
    fax = await guarded(() => call('received.get', {id}));
    if (!fax) { pageNote.textContent = ''; return; }
    const names = await methodNames([fax]);
    const d = (label, value) => (value ? [h('dt', {}, label), h('dd', {}, value)] : null);
    fill(info,
      d('Received', words.localTime(fax.start)), d('From', fax.remote_ident), d('Caller id', fax.caller_id),
      d('CSID', fax.csid), d('Port', fax.port_name), d('Pages', String(fax.pages)),
      d('Status', statusWords(fax)), d('Bit rate', words.bitRate(fax.bit_rate)),
      d('Resolution', fax.resolution), d('Routing', words.routingOutcome(fax, names).join('; ')));
    if (!fax.pages) { pageNote.textContent = 'This fax has no pages.'; return; }
    for (let n = 1; n <= fax.pages; n++) {
      // Thumbnails come with square pixels (faxd scales them so): no stretch.
      const img = h('img', {alt: `Page ${n}`, loading: 'lazy'});
      thumbs.append(h('li', {},
        h('button', {type: 'button', class: 'thumb', dataset: {page: n}, onclick: () => showPage(n)}, img, h('span', {}, String(n)))));
      fetchWhenReady(`/api/received/${id}/page/${n}.png?thumb=1`)
        .then((blob) => { img.src = objectUrl(blob); })
        .catch(() => { img.alt = `Page ${n} (no preview)`; });
    }
    await showPage(1);
  })().catch((e) => showError(e.message));

  return {
    unmount() { urls.forEach((u) => URL.revokeObjectURL(u)); },
  };
}
