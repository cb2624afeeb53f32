// Server: the faxcom server settings (server.get); an admin changes them
// (server.set, only the fields that changed), others read them.
import {call, canAdmin} from './api.js';
import {h} from './dom.js';
import {guarded, showError} from './errors.js';

// Labels in faxcom's words (IFaxServer); a setting not listed keeps its key.
const LABELS = {
  retries: 'Retries (after a T.30 error or a dropped line)',
  retry_delay: 'Retry delay (minutes)',
  dirty_days: 'Days a finished job is kept (0: for ever)',
  branding: 'Header line on every sent page (branding)',
  use_device_tsid: "Use the port's TSID",
  server_coverpage: "Only the server's cover pages",
  pause_server_queue: 'Pause the queue',
  archive_outbound_faxes: 'Archive sent faxes',
  archive_directory: 'Archive folder',
  server_mapi_profile: 'MAPI profile',
  discount_rate_start_hour: 'Discount rate starts (hour)',
  discount_rate_start_minute: 'Discount rate starts (minute)',
  discount_rate_end_hour: 'Discount rate ends (hour)',
  discount_rate_end_minute: 'Discount rate ends (minute)',
};

export function mount(root) {
  const form = h('form', {id: 'server-form', class: 'card'});
  root.append(h('div', {class: 'view-head'}, h('h1', {}, 'Server settings')), form);
  const admin = canAdmin();
  let settings = {};

  function render() {
    form.replaceChildren();
    const checks = h('div', {class: 'checks'});
    const grid = h('div', {class: 'form-grid'});
    for (const [key, value] of Object.entries(settings)) {
      const label = LABELS[key] || key;
      if (typeof value === 'boolean') {
        checks.append(h('label', {class: 'check'},
          h('input', {type: 'checkbox', name: key, checked: value, disabled: !admin}), label));
      } else {
        grid.append(h('label', {}, label, h('input', {
          name: key, type: typeof value === 'number' ? 'number' : 'text', value: String(value),
          disabled: !admin})));
      }
    }
    form.append(grid, checks);
    if (admin) form.append(h('div', {class: 'actions'}, h('button', {id: 'server-save', type: 'submit', class: 'primary'}, 'Save')));
    else form.append(h('p', {class: 'hint'}, 'Only an admin can change these settings.'));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const changed = {};
    for (const [key, value] of Object.entries(settings)) {
      const input = form.elements[key];
      const now = typeof value === 'boolean' ? input.checked : typeof value === 'number' ? Number(input.value) : input.value;
      if (now !== value) changed[key] = now;
    }
    if (!Object.keys(changed).length) return;
    const saved = await guarded(() => call('server.set', changed));
    if (saved) {
      settings = saved;
      render();
      form.classList.add('saved');
      setTimeout(() => form.classList.remove('saved'), 1500);
    }
  });

  guarded(() => call('server.get')).then((s) => { if (s) { settings = s; render(); } })
    .catch((e) => showError(e.message));
  return {};
}
