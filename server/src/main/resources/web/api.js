// Every request of the page goes through here, so that a token is added in one place: as
// `Authorization: Bearer` on HTTP and as `?token=` on the live WebSocket (a browser cannot set
// headers on a WebSocket). A 401 asks for a token once; it is kept in this browser's storage.
const KEY = 'sluice.token';
let asking = null;
let declined = false;
let kept = ''; // the token when this browser refuses storage

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function token() {
  try {
    return localStorage.getItem(KEY) || kept;
  } catch {
    return kept; // storage disabled
  }
}

function headers() {
  const t = token();
  return t ? { Authorization: 'Bearer ' + t } : {};
}

/** GET a path; JSON unless `text` is asked. Throws ApiError with the server's message. */
export async function get(path, { text = false } = {}) {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(path, { headers: headers(), cache: 'no-store' });
    if (r.status === 401 && attempt === 0 && await askToken()) {
      continue;
    }
    if (!r.ok) {
      throw new ApiError(r.status, await message(r));
    }
    return text ? r.text() : r.json();
  }
}

async function message(r) {
  const body = await r.text();
  try {
    const j = JSON.parse(body);
    return j.message || j.error || body;
  } catch {
    return body || r.status + ' ' + r.statusText;
  }
}

/** ws:// or wss:// URL of a path on this server, with the token when there is one. */
export function socketUrl(path) {
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const t = token();
  return scheme + location.host + path + (t ? (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(t) : '');
}

/**
 * Shows the token dialog (one at a time however many requests were refused together) and
 * resolves true when a token was given. After Cancel it does not ask again until a reload.
 */
export function askToken() {
  if (declined) {
    return Promise.resolve(false);
  }
  if (!asking) {
    asking = new Promise(resolve => {
      const dialog = document.getElementById('token-dialog');
      const input = document.getElementById('token');
      const done = ok => {
        dialog.removeEventListener('close', onClose);
        asking = null;
        declined = !ok;
        resolve(ok);
      };
      const onClose = () => {
        const value = input.value.trim();
        input.value = '';
        if (dialog.returnValue === 'ok' && value) {
          kept = value;
          try {
            localStorage.setItem(KEY, value);
          } catch {
            // storage disabled: kept in memory until the page is left
          }
          done(true);
        } else {
          done(false);
        }
      };
      dialog.addEventListener('close', onClose);
      dialog.returnValue = '';
      dialog.showModal();
    });
  }
  return asking;
}

export function setupTokenDialog() {
  const dialog = document.getElementById('token-dialog');
  document.getElementById('token-cancel').addEventListener('click', () => dialog.close('cancel'));
}
