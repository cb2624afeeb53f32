// The error banner every page has (#error): faxd's own message, shown until
// dismissed or the page changes.

export function showError(message) {
  document.getElementById('error-text').textContent = message;
  document.getElementById('error').hidden = false;
}

export function clearError() {
  document.getElementById('error').hidden = true;
  document.getElementById('error-text').textContent = '';
}

// Runs an async action, showing its error in the banner; resolves to its
// result, or undefined when it failed.
export async function guarded(action) {
  try {
    return await action();
  } catch (e) {
    showError(e.message);
    return undefined;
  }
}
