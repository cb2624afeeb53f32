// Send: a number, one or more files (read in the browser, sent as base64 in
// job.submit), cover page fields and the resolution; then the job's progress
// (conversion, then the call) from job.changed in #send-progress.
import {call, canSend} from './api.js';
import {h, fill} from './dom.js';
import {guarded} from './errors.js';
import * as words from './words.js';

// What faxd converts (PROTOCOL.md, job.submit); the type is read from the content.
const ACCEPT = '.pdf,.ps,.txt,.tif,.tiff,.png,.jpg,.jpeg,.gif,.bmp,application/pdf,application/postscript,text/plain,image/*';

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error(`cannot read ${file.name}: ${reader.error}`));
    reader.readAsDataURL(file);
  });
}

export function mount(root) {
  if (!canSend()) {
    root.append(h('div', {class: 'view-head'}, h('h1', {}, 'Send a fax')),
                h('p', {class: 'card hint'}, 'Your role may not send faxes; a sender or an admin may.'));
    return {};
  }
  const field = (label, input, hint) => h('label', {}, label, input, hint ? h('small', {}, hint) : null);
  const files = h('input', {id: 'send-files', name: 'files', type: 'file', multiple: true, accept: ACCEPT, required: true});
  const chosen = h('ul', {class: 'chosen'});
  const cover = h('input', {id: 'send-cover', type: 'checkbox'});
  const coverFields = h('div', {class: 'form-grid', id: 'send-cover-fields'},
    field('Subject', h('input', {id: 'send-subject', maxlength: 256})),
    h('label', {class: 'wide'}, 'Note', h('textarea', {id: 'send-note', rows: 4, maxlength: 4000})));
  const progress = h('div', {id: 'send-progress', class: 'card progress', hidden: true});
  const form = h('form', {id: 'send-form', class: 'card'},
    h('div', {class: 'form-grid'},
      field('Fax number', h('input', {id: 'send-number', type: 'tel', required: true, maxlength: 64,
                                      autocomplete: 'off', placeholder: '5551002'})),
      field('Recipient name', h('input', {id: 'send-recipient-name', maxlength: 256, autocomplete: 'off'})),
      field('Resolution', h('select', {id: 'send-resolution'},
        h('option', {value: 'fine', selected: true}, 'Fine (196 lpi)'),
        h('option', {value: 'standard'}, 'Standard (98 lpi)'))),
      h('label', {class: 'wide'}, 'Documents', files,
        h('small', {}, 'PDF, PostScript, text, TIFF or images; several files are one fax, in this order.')),
      chosen),
    h('fieldset', {class: 'cover'},
      h('legend', {}, h('label', {class: 'check'}, cover, 'Cover page')),
      coverFields),
    h('div', {class: 'actions'}, h('button', {id: 'send-submit', type: 'submit', class: 'primary'}, 'Send fax')));
  root.append(h('div', {class: 'view-head'}, h('h1', {}, 'Send a fax')), form, progress);

  const syncCover = () => { coverFields.classList.toggle('off', !cover.checked); };
  cover.addEventListener('change', syncCover);
  syncCover();
  files.addEventListener('change', () => {
    fill(chosen, [...files.files].map((f) => h('li', {}, `${f.name} (${Math.ceil(f.size / 1024)} KiB)`)));
  });

  let jobId = null;
  const seen = new Map();  // job_id -> latest job.changed, for the race with job.submit's answer
  function show(job) {
    if (!job) return;
    jobId = job.job_id;
    progress.hidden = false;
    progress.dataset.jobId = job.job_id;
    progress.dataset.state = job.state;
    const bar = job.state === 'converting' && job.conversion && job.conversion.pages_total
      ? h('progress', {max: job.conversion.pages_total, value: job.conversion.pages_done})
      : job.state === 'in_progress' && job.page_count
        ? h('progress', {max: job.page_count, value: job.pages_sent}) : null;
    fill(progress,
      h('h2', {}, `Job ${job.job_id} to ${job.fax_number}`),
      h('p', {class: `job-state state-${job.state}`}, words.jobState(job)),
      bar,
      words.lastFailure(job) ? h('p', {class: 'form-error'}, words.lastFailure(job)) : null,
      h('p', {}, h('a', {href: '#/queue'}, 'Open the queue')));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const submit = document.getElementById('send-submit');
    submit.disabled = true;
    jobId = null;
    seen.clear();
    try {
      await guarded(async () => {
        const documents = await Promise.all([...files.files].map(async (f) => ({name: f.name, document: await readBase64(f)})));
        const params = {
          number: document.getElementById('send-number').value.trim(),
          documents,
          // The rows per inch faxd renders the documents at.
          resolution: document.getElementById('send-resolution').value,
        };
        const recipient = document.getElementById('send-recipient-name').value.trim();
        if (recipient) params.recipient_name = recipient;
        if (cover.checked) {
          params.cover = {subject: document.getElementById('send-subject').value,
                          note: document.getElementById('send-note').value};
          if (recipient) params.cover.recipient_name = recipient;
        }
        const job = await call('job.submit', params);
        // A job.changed may have come before the answer: it is the newer.
        show(seen.get(job.job_id) || job);
      });
    } finally {
      submit.disabled = false;
    }
  });

  return {
    onEvent(msg) {
      if (msg.method !== 'job.changed') return;
      const job = msg.params.job;
      seen.set(job.job_id, job);
      if (job.job_id === jobId) show(job);
    },
  };
}
