// present.js: keeps a forum session's present screen live. It follows the
// server's event stream (GET /staff/sessions/{id}/events, named in the
// data-events attribute) and redraws the tally from each "tally" event:
// nothing per option until the server says enough people have voted
// ("shown"), a suppressed count as the page's word for it. The status
// sentence comes ready-made in the page's language. Without this script
// the page reloads itself every 5 seconds (a noscript refresh) instead.
(function () {
  'use strict';
  var root = document.getElementById('present');
  if (!root || !root.getAttribute('data-events') || !window.EventSource || !window.JSON) {
    return;
  }
  var list = document.getElementById('tally');
  var status = document.getElementById('present-status');
  var suppressedText = root.getAttribute('data-t-suppressed') || '';

  function figure(li, index, option, votes, shown) {
    var cell = li.querySelector('.tally-figure');
    if (!cell) {
      return;
    }
    while (cell.firstChild) {
      cell.removeChild(cell.firstChild);
    }
    if (!shown) {
      return;
    }
    var count = document.createElement('span');
    count.className = 'tally-count';
    if (option.suppressed || option.count === null) {
      count.textContent = suppressedText;
      cell.appendChild(count);
      return;
    }
    var bar = document.createElement('meter');
    bar.className = 'tally-bar';
    bar.min = 0;
    bar.max = Math.max(votes, 1);
    bar.value = option.count;
    bar.setAttribute('aria-labelledby', 'tally-label-' + index);
    count.textContent = String(option.count);
    cell.appendChild(bar);
    cell.appendChild(document.createTextNode(' '));
    cell.appendChild(count);
  }

  var events = new EventSource(root.getAttribute('data-events'));
  events.addEventListener('tally', function (e) {
    var t;
    try {
      t = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    status.textContent = t.status;
    if (t.shown) {
      list.classList.remove('is-waiting');
    } else {
      list.classList.add('is-waiting');
    }
    var items = list.querySelectorAll('li[data-value]');
    for (var i = 0; i < items.length && i < t.options.length; i++) {
      figure(items[i], i, t.options[i], t.votes, t.shown);
    }
  });
  events.addEventListener('closed', function () {
    events.close();
    // The page as the server draws it for a closed session: final tally,
    // no close button, no refresh.
    window.location.reload();
  });
})();
