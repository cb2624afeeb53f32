// faxd's records in words for people: a port's state ("sending page 2 of 3"),
// a job's progress, times in the browser's local time.

// FPS_* device states (core/fax_codes.hpp) the console names itself.
const FPS = {
  Dialing: 0x20000001, Sending: 0x20000002, Receiving: 0x20000004, Completed: 0x20000008,
  Unavailable: 0x20000020, Ringing: 0x20020000, Available: 0x20100000, Routing: 0x20400000,
  Answered: 0x20800000,
};

// The text of a port's `.port-state` (web-contract.md): "idle", "ringing",
// "dialling 5551002", "sending page 2 of 3", "receiving page 1".
export function portState(s) {
  if (!s) return 'unknown';
  const page = s.current_page || 0;
  const of = s.page_count ? ` of ${s.page_count}` : '';
  switch (s.device_status) {
    case FPS.Available: return 'idle';
    case FPS.Ringing: return s.caller_id ? `ringing (${s.caller_id})` : 'ringing';
    case FPS.Dialing: return s.address ? `dialling ${s.address}` : 'dialling';
    case FPS.Answered: return 'answered';
    case FPS.Sending: return page ? `sending page ${page}${of}` : 'sending';
    case FPS.Receiving: return page ? `receiving page ${page}${of}` : 'receiving';
    case FPS.Routing: return 'routing the fax';
    case FPS.Unavailable:
      return s.description ? `unavailable: ${s.description}` : 'unavailable';
    default:
      return (s.device_status_text || 'unknown').toLowerCase();
  }
}

// A class for the state's colour: busy (in a call), idle, trouble.
export function portTone(s) {
  if (!s) return 'unknown';
  if (s.device_status === FPS.Available) return 'idle';
  if (s.device_status === FPS.Unavailable) return 'trouble';
  if ([FPS.Dialing, FPS.Sending, FPS.Receiving, FPS.Ringing, FPS.Answered, FPS.Routing]
      .includes(s.device_status)) return 'busy';
  return 'other';
}

export function inCall(s) {
  return s && [FPS.Sending, FPS.Receiving].includes(s.device_status);
}

// The other end's identity during a call: the CSID it answered with when we
// send, the TSID it sent when we receive (core/port_status.hpp).
export function remoteId(s) {
  if (!s) return '';
  if (s.device_status === FPS.Receiving) return s.tsid || s.caller_id || '';
  if (s.device_status === FPS.Sending) return s.csid || '';
  return '';
}

export function bitRate(n) {
  return n ? `${n} bit/s` : '';
}

export function localTime(iso) {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});
}

const STATE_WORDS = {
  converting: 'converting', queued: 'queued', in_progress: 'sending', retrying: 'waiting to retry',
  paused: 'paused', completed: 'completed', failed: 'failed', retries_exceeded: 'failed (retries exceeded)',
  cancelled: 'cancelled',
};

export const isFinal = (job) => ['completed', 'failed', 'retries_exceeded', 'cancelled'].includes(job.state);

// A job's state with what it is doing: the conversion's page, the call's page.
export function jobState(job) {
  const words = STATE_WORDS[job.state] || job.state;
  const c = job.conversion;
  if (job.state === 'converting' && c) {
    const doc = c.documents > 1 ? `, document ${c.index} of ${c.documents}` : '';
    const pages = c.pages_total ? `page ${c.pages_done} of ${c.pages_total}` : `${c.pages_done} pages done`;
    return `converting ${c.document}${doc}: ${pages}`;
  }
  if (job.state === 'in_progress') {
    const status = (job.device_status_text || '').toLowerCase();
    if (status === 'sending' && job.page_count)
      return `sending page ${Math.min(job.pages_sent + 1, job.page_count)} of ${job.page_count}`;
    if (status && status !== 'unknown') return `in progress: ${status}`;
    return 'in progress';
  }
  if (job.state === 'completed' && job.page_count)
    return `completed: ${job.pages_sent} of ${job.page_count} pages sent`;
  if (job.state === 'queued' && job.wait_reason) return `queued: ${job.wait_reason}`;
  return words;
}

// Why the last attempt failed, in words (faxd's own message first).
export function lastFailure(job) {
  if (job.last_error) return job.last_error;
  if (job.last_failure && job.last_failure !== 'none') return job.last_failure;
  return '';
}

// A received fax's routing, one line per method: "Store in a folder: done".
export function routingOutcome(fax, methodNames) {
  return (fax.routing || []).map((r) => {
    const name = methodNames.get(r.guid) || r.guid;
    let what = r.done ? 'done' : r.tries ? `failed ${r.tries}×` : 'pending';
    if (r.detail) what += ` (${r.detail})`;
    return `${name}: ${what}`;
  });
}
