// A placeholder console: logs in through /api/login and shows who is logged in.
"use strict";

let csrf = "";

async function whoami() {
  const r = await fetch("/api/session");
  const who = document.getElementById("whoami");
  const logout = document.getElementById("logout");
  if (r.status !== 200) {
    who.textContent = "";
    logout.hidden = true;
    return;
  }
  const s = await r.json();
  csrf = s.csrf;
  who.textContent = s.user + " (" + s.role + ")";
  logout.hidden = false;
}

document.getElementById("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await fetch("/api/login", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({
      user: document.getElementById("login-user").value,
      password: document.getElementById("login-password").value,
    }),
  });
  const error = document.getElementById("login-error");
  error.textContent = r.status === 200 ? "" : (await r.json()).error.message;
  await whoami();
});

document.getElementById("logout").addEventListener("click", async () => {
  await fetch("/api/logout", {method: "POST", headers: {"X-CSRF-Token": csrf}});
  await whoami();
});

whoami();
