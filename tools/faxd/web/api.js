// Talks to faxd (web-contract.md): the session (login, logout), the control
// protocol's methods through POST /api/call, the live notifications over the
// /api/events WebSocket, and files that faxd may still be converting (202).

export const session = {user: '', role: '', csrf: ''};

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Called when faxd says the session is gone (401), so the app shows the login.
let onSignedOut = () => {};
export function whenSignedOut(fn) { onSignedOut = fn; }

async function request(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  let resp;
  try {
    resp = await fetch(path, {method, headers, credentials: 'same-origin',
                              body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (e) {
    throw new ApiError(0, `faxd cannot be reached (${e.message})`);
  }
  if (resp.status === 204) return null;
  let data = null;
  const text = await resp.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!resp.ok) {
    const err = data && data.error;
    const message = (err && err.message) || text || `${resp.status} ${resp.statusText}`;
    throw new ApiError(resp.status, message, err && err.code);
  }
  return data;
}

function remember(who) {
  session.user = who.user;
  session.role = who.role;
  session.csrf = who.csrf;
  return who;
}

export function forget() {
  session.user = session.role = session.csrf = '';
}

export async function login(user, password) {
  return remember(await request('POST', '/api/login', {user, password}));
}

// The session the cookie carries, or null when there is none.
export async function currentSession() {
  try {
    return remember(await request('GET', '/api/session'));
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

export async function logout() {
  try {
    await request('POST', '/api/logout', {});
  } finally {
    forget();
  }
}

// One control-protocol method; resolves to its result, throws ApiError with
// faxd's own message.
export async function call(method, params = {}) {
  try {
    const data = await request('POST', '/api/call', {method, params});
    return data.result;
  } catch (e) {
    if (e.status === 401) {
      forget();
      onSignedOut();
    }
    throw e;
  }
}

export const canAdmin = () => session.role === 'admin';
export const canSend = () => session.role === 'admin' || session.role === 'sender';
// Senders manage their own jobs, admins every job (PROTOCOL.md, Sessions).
export const canManageJob = (job) => canAdmin() || (canSend() && job.user_name === session.user);

// A file faxd makes on demand (a received page as PNG, the PDF): asks again
// while faxd answers 202 (converting), up to `seconds`. Resolves to a Blob.
export async function fetchWhenReady(url, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    let resp;
    try {
      resp = await fetch(url, {credentials: 'same-origin'});
    } catch (e) {
      throw new ApiError(0, `faxd cannot be reached (${e.message})`);
    }
    if (resp.status === 200) return resp.blob();
    if (resp.status !== 202) {
      let message = `${resp.status} ${resp.statusText}`;
      try { message = (await resp.json()).error.message || message; } catch { /* not JSON */ }
      throw new ApiError(resp.status, message);
    }
    if (Date.now() > deadline) throw new ApiError(202, `faxd is still converting ${url}`);
    const wait = Math.min(5, Number(resp.headers.get('Retry-After')) || 1);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

// The live notifications: calls onMessage({method, params}) for each, and
// onState(true|false) as the socket opens and drops. Reconnects after a drop
// (1 s, doubling to 30 s). Returns a function that closes it for good.
export function openEvents(onMessage, onState) {
  let socket = null;
  let closed = false;
  let delay = 1000;
  let timer = null;
  const connect = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/api/events`);
    socket.onopen = () => { delay = 1000; onState(true); };
    socket.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (msg && msg.method) onMessage(msg);
    };
    socket.onclose = () => {
      socket = null;
      if (closed) return;
      onState(false);
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    if (socket) socket.close();
  };
}
