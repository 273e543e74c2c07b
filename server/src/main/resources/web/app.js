// Sluice's web page: two views (explore, status) chosen by the URL's `view`, which keeps the
// rest of the state too (README "Open the web page").
import { setupTokenDialog } from './api.js';
import { Explore } from './explore.js';
import { Status } from './status.js';
import { read, write } from './state.js';

const state = read();
setupTokenDialog();
const explore = new Explore(state);
const status = new Status();
let current = null;

function showView(view) {
  if (view === current) {
    return;
  }
  current = view;
  document.getElementById('view-explore').hidden = view !== 'explore';
  document.getElementById('view-status').hidden = view !== 'status';
  for (const a of document.querySelectorAll('nav a[data-view]')) {
    if (a.dataset.view === view) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  document.title = (view === 'status' ? 'Status' : 'Explore') + ' · Sluice';
  if (view === 'status') {
    explore.hide();
    status.show();
  } else {
    status.hide();
    explore.show();
  }
}

for (const a of document.querySelectorAll('nav a[data-view]')) {
  a.addEventListener('click', e => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) {
      return; // a new tab or window: let the browser follow the link
    }
    e.preventDefault();
    state.view = a.dataset.view;
    write(state, true);
    showView(state.view);
    document.getElementById('main').focus();
  });
}

window.addEventListener('popstate', () => {
  Object.assign(state, read());
  current = null;
  explore.applyControls();
  showView(state.view);
});

showView(state.view);
