// deletion.js: deleting from the history view. One interview goes after
// its dialog is confirmed; all of the owner's data goes only after
// "DELETE" is typed. Each outcome is read out through the live region.

import { api } from './api.js';
import { $, announce } from './dom.js';

const ERASE_WORD = 'DELETE';
let hooks = { afterDelete() {}, afterErase() {} };
let pending = null; // the list item whose deletion the dialog asks about

/** askDelete asks, in a dialog, whether to delete the interview of item li. */
export function askDelete(li, description) {
  const dialog = $('delete-dialog');
  pending = li;
  $('delete-dialog-text').textContent =
    `${description}. Its transcript, debrief and share links are erased for good.`;
  dialog.returnValue = '';
  dialog.showModal();
}

// deleteItem deletes the interview of li and takes it off the list.
async function deleteItem(li) {
  const id = li.dataset.id;
  const button = li.querySelector('.history-delete');
  button.disabled = true;
  try {
    await api(`/api/v1/interviews/${encodeURIComponent(id)}`, { method: 'DELETE' });
  } catch (e) {
    if (e.status !== 404) { // 404: it was already gone, which is what was asked
      button.disabled = false;
      button.focus();
      announce(`The interview could not be deleted: ${e.message}`);
      return;
    }
  }
  // Keep the keyboard near where it was: the next item, else the one before.
  const next = li.nextElementSibling || li.previousElementSibling;
  li.remove();
  if (next) next.querySelector('.history-delete').focus();
  else $('history-title').focus();
  announce('The interview was deleted.');
  hooks.afterDelete();
}

function openErase() {
  const input = $('erase-input');
  input.value = '';
  $('erase-confirm').disabled = true;
  $('erase-dialog').returnValue = '';
  $('erase-dialog').showModal();
  input.focus();
}

// erase deletes every interview of the owner. A browser's owner cookie
// goes with them, so the page asks for a fresh one before listing again.
async function erase() {
  const button = $('erase-open');
  button.disabled = true;
  try {
    await api('/api/v1/me', { method: 'DELETE' });
    await fetch('/', { credentials: 'same-origin' });
    $('key-status').textContent = '';
    await hooks.afterErase();
    announce('All your interviews were deleted.');
  } catch (e) {
    announce(`Your data could not be deleted: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

/**
 * initDeletion wires both dialogs once. afterDelete runs when an item has
 * gone from the list, afterErase when everything has.
 */
export function initDeletion(next) {
  hooks = next;
  const dialog = $('delete-dialog');
  dialog.addEventListener('close', () => {
    const li = pending;
    pending = null;
    if (dialog.returnValue === 'confirm' && li) deleteItem(li);
    else if (li) announce('Nothing was deleted.');
  });

  const input = $('erase-input');
  const eraseDialog = $('erase-dialog');
  const typed = () => input.value.trim() === ERASE_WORD;
  input.addEventListener('input', () => { $('erase-confirm').disabled = !typed(); });
  // Enter in the box confirms only once the word is typed; it never picks "Keep my data".
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    if (typed()) eraseDialog.close('confirm');
  });
  eraseDialog.addEventListener('close', () => {
    if (eraseDialog.returnValue === 'confirm' && typed()) erase();
    else announce('Nothing was deleted.');
  });
  $('erase-open').addEventListener('click', openErase);
}
