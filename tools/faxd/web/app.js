// The console's shell: login, the navigation, the error banner, the live
// event stream, and the router that mounts one view per hash (#/ports, ...).
import * as api from './api.js';
import {showError, clearError} from './errors.js';
import * as ports from './ports.js';
import * as queue from './queue.js';
import * as send from './send.js';
import * as received from './received.js';
import * as server from './server.js';

const views = {ports, queue, send, received, server};
const $ = (id) => document.getElementById(id);

let current = null;      // the mounted view: {onEvent?, unmount?}
let closeEvents = null;  // closes the WebSocket

function signedIn(who) {
  $('who-name').textContent = who.user;
  $('who-role').textContent = who.role;
  $('who').hidden = false;
  $('nav').hidden = false;
  // Actions a role cannot do are not offered (faxd refuses them anyway).
  $('nav-send').hidden = !api.canSend();
  if (!closeEvents) {
    closeEvents = api.openEvents((msg) => current && current.onEvent && current.onEvent(msg),
                                 (up) => { $('live').hidden = up; });
  }
}

function signedOut() {
  if (closeEvents) closeEvents();
  closeEvents = null;
  $('who').hidden = true;
  $('nav').hidden = true;
  $('live').hidden = true;
  if (location.hash !== '#/login') location.hash = '#/login';
  else route();
}

function route() {
  clearError();
  if (current && current.unmount) current.unmount();
  current = null;
  const [name, arg] = location.hash.replace(/^#\/?/, '').split('/');
  const loggedIn = Boolean(api.session.user);
  $('view-login').hidden = loggedIn;
  $('view-app').hidden = !loggedIn;
  if (!loggedIn) {
    $('login-user').focus();
    return;
  }
  const view = views[name];
  if (!view) {
    location.replace('#/ports');
    return;
  }
  for (const link of document.querySelectorAll('#nav a'))
    link.classList.toggle('active', link.id === `nav-${name}`);
  const root = $('view-app');
  root.replaceChildren();
  current = view.mount(root, arg ? decodeURIComponent(arg) : undefined) || {};
}

async function onLogin(ev) {
  ev.preventDefault();
  $('login-error').textContent = '';
  $('login-submit').disabled = true;
  try {
    const who = await api.login($('login-user').value, $('login-password').value);
    $('login-password').value = '';
    signedIn(who);
    if (!location.hash || location.hash === '#/login') location.hash = '#/ports';
    else route();
  } catch (e) {
    $('login-error').textContent = e.message;
  } finally {
    $('login-submit').disabled = false;
  }
}

async function onLogout() {
  try {
    await api.logout();
  } catch (e) {
    showError(e.message);
  }
  signedOut();
}

async function start() {
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  $('error-close').addEventListener('click', clearError);
  api.whenSignedOut(signedOut);
  window.addEventListener('hashchange', route);
  try {
    const who = await api.currentSession();
    if (who) signedIn(who);
    else if (location.hash !== '#/login') location.hash = '#/login';
  } catch (e) {
    showError(e.message);
  }
  route();
}

start();
