// Ports: each port's live state from port.status notifications, and, for
// those who may change it (an admin: port.can_modify), its settings and
// routing methods in a dialog (#port-form).
import {call} from './api.js';
import {h, fill} from './dom.js';
import {guarded, showError} from './errors.js';
import * as words from './words.js';

export function mount(root) {
  const grid = h('div', {class: 'port-grid', id: 'ports'});
  const dialog = h('dialog', {id: 'port-dialog'});
  root.append(h('div', {class: 'view-head'}, h('h1', {}, 'Ports')), grid, dialog);

  const ports = new Map();     // device_id -> port
  const statuses = new Map();  // device_id -> status
  const cards = new Map();     // device_id -> card element

  function detail(label, value) {
    return value === '' || value === undefined ? null : [h('dt', {}, label), h('dd', {}, value)];
  }

  function render(id) {
    const port = ports.get(id);
    const s = statuses.get(id);
    if (!port) return;
    let card = cards.get(id);
    if (!card) {
      card = h('article', {class: 'card port', dataset: {portId: id}});
      cards.set(id, card);
      grid.append(card);
    }
    const tone = words.portTone(s);
    const progress = s && words.inCall(s) && s.page_count
      ? h('progress', {max: s.page_count, value: Math.max(0, (s.current_page || 1) - 1)}) : null;
    const live = s && words.inCall(s)
      ? [detail('Bit rate', words.bitRate(s.bit_rate)), detail('Modulation', s.modem),
         detail('Resolution', s.resolution), detail('Coding', s.compression),
         detail('ECM', s.ecm ? 'on' : 'off'), detail('Remote id', words.remoteId(s)),
         detail('Document', s.document_name)]
      : [];
    fill(card,
      h('header', {},
        h('h2', {}, port.name),
        h('span', {class: 'number'}, port.number || '')),
      h('p', {class: `port-state state-${tone}`, 'aria-live': 'polite'}, words.portState(s)),
      progress,
      h('dl', {class: 'details'}, live,
        detail('Kind', port.device || port.kind),
        detail('Rings', String(port.rings)),
        detail('CSID', port.csid), detail('TSID', port.tsid),
        detail('Send', port.send ? 'on' : 'off'), detail('Receive', port.receive ? 'on' : 'off'),
        detail('Priority', String(port.priority))),
      port.can_modify ? h('button', {type: 'button', class: 'port-edit', onclick: () => edit(id)},
                          'Edit settings') : null);
  }

  async function load() {
    const list = await guarded(() => call('ports.list'));
    if (!list) return;
    for (const p of list) ports.set(p.device_id, p);
    await Promise.all(list.map(async (p) => {
      const s = await guarded(() => call('port.status', {device_id: p.device_id}));
      // A notification may have come first: it is newer.
      if (s && !statuses.has(p.device_id)) statuses.set(p.device_id, s);
    }));
    for (const p of list) render(p.device_id);
  }

  async function edit(id) {
    const port = ports.get(id);
    const methods = (await guarded(() => call('routing.list', {device_id: id}))) || [];
    const field = (label, input) => h('label', {}, label, input);
    const checkbox = (name, on) => h('label', {class: 'check'},
                                     h('input', {type: 'checkbox', name, checked: on}), name === 'send' ? 'Send' : 'Receive');
    const routingRows = methods.map((m) => h('fieldset', {class: 'routing', dataset: {guid: m.guid}},
      h('legend', {}, m.friendly_name),
      h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'enable', checked: m.enable}), 'Enabled'),
      field('Data', h('input', {name: 'data', value: m.data || '', placeholder: placeholderFor(m.name)}))));
    const form = h('form', {id: 'port-form', method: 'dialog'},
      h('h2', {}, `Settings of ${port.name}`),
      h('div', {class: 'form-grid'},
        field('Rings', h('input', {name: 'rings', type: 'number', min: 0, max: 99, value: String(port.rings)})),
        field('Priority', h('input', {name: 'priority', type: 'number', min: 1, value: String(port.priority)})),
        field('CSID', h('input', {name: 'csid', maxlength: 20, value: port.csid})),
        field('TSID', h('input', {name: 'tsid', maxlength: 20, value: port.tsid})),
        checkbox('send', port.send), checkbox('receive', port.receive)),
      methods.length ? h('h3', {}, 'Routing of received faxes') : null,
      routingRows,
      h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'quiet', onclick: () => dialog.close()}, 'Cancel'),
        h('button', {id: 'port-save', type: 'submit', class: 'primary'}, 'Save')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const el = form.elements;
      const params = {device_id: id, rings: Number(el.rings.value), priority: Number(el.priority.value),
                      csid: el.csid.value, tsid: el.tsid.value, send: el.send.checked, receive: el.receive.checked};
      const saved = await guarded(() => call('port.set', params));
      if (!saved) return;
      ports.set(id, saved);
      for (const fs of form.querySelectorAll('fieldset.routing')) {
        const m = methods.find((x) => x.guid === fs.dataset.guid);
        const enable = fs.querySelector('[name=enable]').checked;
        const data = fs.querySelector('[name=data]').value;
        if (m.enable === enable && (m.data || '') === data) continue;
        if (!(await guarded(() => call('routing.set', {device_id: id, guid: m.guid, enable, data})))) return;
      }
      dialog.close();
      render(id);
    });
    fill(dialog, form);
    dialog.showModal();
  }

  load().catch((e) => showError(e.message));
  return {
    onEvent(msg) {
      if (msg.method !== 'port.status') return;
      const s = msg.params.status;
      if (s.removed) {
        ports.delete(s.device_id);
        statuses.delete(s.device_id);
        cards.get(s.device_id)?.remove();
        cards.delete(s.device_id);
        return;
      }
      statuses.set(s.device_id, s);
      if (ports.has(s.device_id)) render(s.device_id);
      else load();  // a port added while faxd runs (SIGHUP)
    },
  };
}

function placeholderFor(name) {
  return {folder: '/srv/faxes;format=pdf', email: 'ops@example.com', print: 'printer name',
          program: '/usr/local/bin/on-fax {file}'}[name] || '';
}
