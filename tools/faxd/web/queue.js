// Queue: the jobs (not yet final, or all with "Show finished") with state,
// attempts, why the last attempt failed and when the next one is; pause,
// resume, cancel and retry now for those who may (job.command), and a new
// time or priority for a waiting job (job.alter). Rows follow job.changed.
import {call, canManageJob} from './api.js';
import {h, fill, table, cells} from './dom.js';
import {guarded, showError} from './errors.js';
import * as words from './words.js';

const COLUMNS = ['Job', 'To', 'Document', 'State', 'Pages', 'Attempts', 'Last failure', 'Next attempt', ''];
const WAITING = ['converting', 'queued', 'retrying', 'paused'];

export function mount(root) {
  const showAll = h('input', {type: 'checkbox', id: 'queue-all'});
  const t = table(COLUMNS, 'jobs');
  const empty = h('p', {class: 'empty', hidden: true}, 'No jobs in the queue.');
  root.append(h('div', {class: 'view-head'}, h('h1', {}, 'Queue'),
                h('label', {class: 'check'}, showAll, 'Show finished')),
              t.el, empty);
  const jobs = new Map();
  const rows = new Map();

  function actions(job) {
    if (!canManageJob(job)) return null;
    const command = (name) => guarded(async () => upsert(await call('job.command', {job_id: job.job_id, command: name})));
    const button = (cls, label, name, show) =>
      show ? h('button', {type: 'button', class: `small ${cls}`, onclick: () => command(name)}, label) : null;
    return h('div', {class: 'row-actions'},
      button('job-pause', 'Pause', 'pause', ['queued', 'retrying'].includes(job.state)),
      button('job-resume', 'Resume', 'resume', job.state === 'paused'),
      button('job-retry', 'Retry now', 'retry', ['queued', 'retrying', 'paused'].includes(job.state)),
      WAITING.includes(job.state)
        ? h('button', {type: 'button', class: 'small job-alter', onclick: () => alter(job)}, 'Change') : null,
      button('job-cancel danger', 'Cancel', 'cancel', !words.isFinal(job)));
  }

  async function alter(job) {
    const priority = prompt(`Priority of job ${job.job_id} (0 to 100)`, String(job.priority));
    if (priority === null) return;
    upsert(await guarded(() => call('job.alter', {job_id: job.job_id, priority: Number(priority)})));
  }

  function upsert(job) {
    if (!job) return;
    jobs.set(job.job_id, job);
    let row = rows.get(job.job_id);
    if (!row) {
      row = h('tr', {dataset: {jobId: job.job_id}});
      rows.set(job.job_id, row);
      t.body.prepend(row);
    }
    const state = h('span', {class: `job-state state-${job.state}`}, words.jobState(job));
    fill(row, ...cells(COLUMNS, [
      String(job.job_id),
      [job.fax_number, job.recipient_name ? h('div', {class: 'sub'}, job.recipient_name) : null],
      [job.display_name, h('div', {class: 'sub'}, job.user_name)],
      state,
      job.page_count ? `${job.pages_sent} of ${job.page_count}` : '',
      String(job.attempts),
      words.lastFailure(job),
      words.localTime(job.next_attempt),
      actions(job),
    ]));
    empty.hidden = rows.size > 0;
  }

  async function load() {
    const list = await guarded(() => call('jobs.list', showAll.checked ? {all: true} : {}));
    if (!list) return;
    t.body.replaceChildren();
    rows.clear();
    jobs.clear();
    list.sort((a, b) => a.job_id - b.job_id).forEach(upsert);
    empty.hidden = rows.size > 0;
  }

  showAll.addEventListener('change', load);
  load().catch((e) => showError(e.message));
  return {
    onEvent(msg) {
      if (msg.method === 'job.changed') upsert(msg.params.job);
    },
  };
}
