// Every request of the page goes through here, so that a token is added in one place: as
// `Authorization: Bearer` on HTTP and as `?token=` on the live WebSocket (a browser cannot set
// headers on a WebSocket). A 401 asks for a token once (however many requests were refused
// together); it is kept in this browser's storage. A token Sluice refuses (401) is forgotten and
// asked for again, saying so; one that lacks the read scope (403) is asked to be replaced. Where
// the anonymous entry grants read, nothing is asked (README "Open the web page").
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

function forget() {
  kept = '';
  try {
    localStorage.removeItem(KEY);
  } catch {
    // storage disabled
  }
}

/**
 * GET a path; JSON unless `text` is asked. Throws ApiError with the server's message. With
 * `ask: false` a 401 or 403 is thrown at once (for what needs more than read, like /-/config).
 */
export async function get(path, { text = false, ask = true } = {}) {
  for (;;) {
    const sent = token();
    const r = await fetch(path, { headers: sent ? { Authorization: 'Bearer ' + sent } : {}, cache: 'no-store' });
    if (r.ok) {
      return text ? r.text() : r.json();
    }
    const why = await message(r);
    if (ask && r.status === 401 && sent) {
      if (token() === sent) {
        // Refused: forgotten before asking, so that a Cancel leaves the page reading as
        // anonymous where that is allowed (the next try goes without a token).
        forget();
        await askToken(`Sluice refused the token (${why}). Check it, or give another.`, true);
      }
      continue;
    }
    if (ask && (r.status === 401 || (r.status === 403 && sent)) && (token() !== sent || await askToken(r.status === 401
      ? 'Sluice needs a token with the read scope to show its data.'
      : `This token may not read (${why}): give one with the read scope.`))) {
      continue; // a token was given, here or to a request refused meanwhile
    }
    throw new ApiError(r.status, why);
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
 * Shows the token dialog (one at a time however many requests were refused together), saying
 * why, and resolves true when a token was given. After Cancel it does not ask again until a
 * reload, unless `again` (a token was refused, or the user asked for the dialog).
 */
export function askToken(why, again = false) {
  if (declined && !again) {
    return Promise.resolve(false);
  }
  if (!asking) {
    asking = new Promise(resolve => {
      const dialog = document.getElementById('token-dialog');
      const input = document.getElementById('token');
      document.getElementById('token-why').textContent = why;
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
