// The console's keyboard shortcuts (no framework): j and k move through
// the case list, / goes to the search box, a claims the case (the one
// shown, or the list's current row), ? shows or hides the help. Keys typed
// into a field are the field's; Escape leaves it.
(() => {
  'use strict';
  const rows = () => Array.from(document.querySelectorAll('#case-list tr[data-case]'));
  let current = -1;
  const move = (by) => {
    const list = rows();
    if (list.length === 0) return;
    current = Math.max(0, Math.min(list.length - 1, current + by));
    list.forEach((row, i) => row.classList.toggle('current', i === current));
    list[current].querySelector('a').focus();
  };
  const claim = () => {
    const row = rows()[current];
    const form = row ? document.getElementById('claim-row') : document.querySelector('#claim');
    if (!form) return;
    if (row) form.action = '/console/cases/' + encodeURIComponent(row.dataset.case) + '/claim';
    form.requestSubmit();
  };
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest && e.target.closest('input, textarea, select')) {
      if (e.key === 'Escape') e.target.blur();
      return;
    }
    const search = document.getElementById('f-search');
    const help = document.getElementById('shortcuts');
    switch (e.key) {
      case 'j': move(1); break;
      case 'k': move(-1); break;
      case '/': if (!search) return; search.focus(); break;
      case 'a': claim(); break;
      case '?': if (!help) return; help.hidden = !help.hidden; break;
      case 'Escape': if (!help || help.hidden) return; help.hidden = true; break;
      default: return;
    }
    e.preventDefault();
  });
})();
