/* yousaid survey: an optional layer over a form that works without it.
   One section at a time, follow-up questions shown only when they apply,
   a draft kept on the phone (answers only, never the code), a submission
   that retries with the same Idempotency-Key, and a Listen button where
   the browser has a voice for the language and staff recorded no clip.
   Every word it shows comes from the page (the form's data-t-* attributes),
   never from this file. */
(function () {
  'use strict';
  var store = null;
  try { store = window.localStorage; store.getItem('yousaid'); } catch (e) { store = null; }
  function draftName(wave) { return 'yousaid:draft:' + wave; }

  // The thank-you page: the answers are in, so the draft goes.
  var sent = document.querySelector('[data-sent]');
  if (sent) {
    if (store) store.removeItem(draftName(sent.getAttribute('data-sent')));
    return;
  }
  var form = document.getElementById('survey');
  if (!form || !window.fetch || !window.JSON) return;

  var d = form.dataset, wave = d.wave, lang = d.lang;
  var own = { lang: 1, code: 1, idempotency_key: 1, switch_lang: 1 };
  var qs = [].slice.call(form.querySelectorAll('[data-q]'));
  var sections = [].slice.call(form.querySelectorAll('[data-section]'));
  var firsts = [].slice.call(form.querySelectorAll('[data-first]'));
  var sendButton = form.querySelector('.send');
  var statusLine = document.getElementById('survey-status');
  var keyField = form.elements.idempotency_key;
  var key = keyField.value;
  var cur = sections[0];
  var paged = !('errors' in d) && sections.length > 1;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function button(cls, text, onclick) {
    var b = el('button', cls, text);
    b.type = 'button';
    b.addEventListener('click', onclick);
    return b;
  }
  function say(text) { statusLine.textContent = text; }

  // Controls of the questions, with their answers.
  function controls() {
    return [].filter.call(form.elements, function (c) { return c.name && !own[c.name] && c.type !== 'submit'; });
  }
  function checked(name) {
    return controls().filter(function (c) { return c.name === name && c.checked && !c.disabled; })
      .map(function (c) { return c.value; });
  }

  // Follow-up questions: shown, and sent, only when they apply.
  function update() {
    var shown = {};
    qs.forEach(function (q) {
      var on = true;
      if (q.dataset.if) {
        var want = q.dataset.in.split(' ');
        on = !!shown[q.dataset.if] && checked(q.dataset.if).some(function (v) { return want.indexOf(v) >= 0; });
      }
      shown[q.dataset.q] = on;
      q.hidden = !on;
      [].forEach.call(q.querySelectorAll('input, textarea'), function (c) { c.disabled = !on; });
    });
  }

  // The draft: answers by field name, the key and the section reached.
  function load() {
    if (!store) return null;
    try {
      var draft = JSON.parse(store.getItem(draftName(wave)));
      return draft && Date.now() - draft.t < 30 * 864e5 ? draft : null;
    } catch (e) { return null; }
  }
  function save() {
    if (!store) return;
    var a = {};
    controls().forEach(function (c) {
      if (c.type === 'radio' || c.type === 'checkbox' ? c.checked : c.value) (a[c.name] = a[c.name] || []).push(c.value);
    });
    try {
      store.setItem(draftName(wave), JSON.stringify({ t: Date.now(), key: key, step: sections.indexOf(cur), a: a }));
    } catch (e) { /* a full or refused store: the form still works */ }
  }
  function restore(draft) {
    controls().forEach(function (c) {
      var v = draft.a[c.name] || [];
      if (c.type === 'radio' || c.type === 'checkbox') c.checked = v.indexOf(c.value) >= 0;
      else c.value = v[0] || '';
    });
  }

  // One section at a time. A section whose questions are all hidden is skipped.
  var progress, pager, next, back;
  function live() {
    return sections.filter(function (s) { return s.querySelector('[data-q]:not([hidden])'); });
  }
  function show(section, focus) {
    var list = live();
    cur = list.indexOf(section) >= 0 ? section : list[0];
    var i = list.indexOf(cur), last = i === list.length - 1;
    sections.forEach(function (s) { s.hidden = s !== cur; });
    firsts.forEach(function (f) { f.hidden = i !== 0; });
    sendButton.hidden = !last;
    next.hidden = last;
    back.hidden = i === 0;
    progress.textContent = d.tProgress.replace('{current}', i + 1).replace('{total}', list.length);
    if (focus) cur.querySelector('h2').focus();
  }
  function move(by) {
    var list = live();
    show(list[list.indexOf(cur) + by] || cur, true);
    save();
  }
  if (paged) {
    progress = el('p', 'progress');
    sections[0].parentNode.insertBefore(progress, sections[0]);
    pager = el('div', 'pager');
    next = button('button', d.tNext, function () { move(1); });
    back = button('button-secondary', d.tBack, function () { move(-1); });
    pager.appendChild(next);
    pager.appendChild(back);
    form.insertBefore(pager, statusLine);
  }

  // Start: the page's own answers win (it was sent back by the server);
  // otherwise a draft from earlier is filled in.
  var draft = load();
  if (draft && !('filled' in d)) {
    restore(draft);
    var notice = el('div', 'notice', '');
    notice.appendChild(el('p', '', d.tRestored));
    notice.appendChild(button('button-secondary', d.tClear, function () {
      if (store) store.removeItem(draftName(wave));
      form.reset();
      key = keyField.value;
      notice.parentNode.removeChild(notice);
      update();
      if (paged) show(sections[0], true);
    }));
    form.insertBefore(notice, firsts[0] || sections[0]);
  }
  if (draft && draft.key) key = draft.key;
  keyField.value = key;
  update();
  if (paged) show(draft ? sections[draft.step] : cur, false);
  form.addEventListener('change', function () { update(); save(); });
  form.addEventListener('input', save);

  // Sending: JSON with a stable key, retried until the server has it.
  var lastClicked = null, sending = false, timer = null, attempt = 0;
  form.addEventListener('click', function (e) { lastClicked = e.target; });
  form.addEventListener('submit', function (e) {
    var by = e.submitter || lastClicked;
    if (by && by.name === 'switch_lang') { save(); return; }
    // A staff preview goes back to the server to be checked, never sent.
    if ('preview' in d && !(paged && sendButton.hidden)) return;
    e.preventDefault();
    // Enter in a field before the last section means "next", not "send".
    if (paged && sendButton.hidden) { move(1); return; }
    if (timer) clearTimeout(timer);
    if (timer || !sending) send();
  });
  function answers() {
    var out = {};
    qs.forEach(function (q) {
      if (q.hidden) return;
      var name = q.dataset.q, type = q.dataset.type, v = checked(name);
      if (type === 'text') {
        var text = form.elements[name].value.trim();
        if (text) out[name] = text;
      } else if (type === 'multi') {
        if (v.length) out[name] = v;
      } else if (v.length) {
        out[name] = type === 'scale' ? parseInt(v[0], 10) : v[0];
      }
    });
    return out;
  }
  function send() {
    sending = true;
    timer = null;
    save();
    var body = { language: lang, answers: answers() };
    if (form.elements.code) body.code = form.elements.code.value.trim();
    if (!attempt) say(d.tSending);
    fetch('/api/v1/waves/' + encodeURIComponent(wave) + '/responses', {
      method: 'POST', credentials: 'omit', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 201) {
        if (store) store.removeItem(draftName(wave));
        window.location.assign('/w/' + encodeURIComponent(wave) + '/thanks?lang=' + encodeURIComponent(lang));
      } else if (r.status === 429 || r.status >= 500) {
        retry(r.headers.get('Retry-After'), d.tBusy);
      } else {
        // The server's own page explains what to fix (or that the wave closed).
        keyField.value = key;
        form.submit();
      }
    }, function () { retry(null, d.tOffline); });
  }
  function retry(after, message) {
    if (statusLine.textContent !== message) say(message);
    var s = parseInt(after, 10);
    timer = setTimeout(send, s > 0 ? s * 1000 : Math.min(30000, 1000 * Math.pow(2, attempt++)));
  }
  window.addEventListener('online', function () {
    if (timer) { clearTimeout(timer); send(); }
  });

  // Listen: only where the browser has a voice for the page's language.
  var synth = window.speechSynthesis, listening = false, speaking = null;
  function voice() {
    var want = lang.toLowerCase(), base = want.split('-')[0], near = null;
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i++) {
      var v = voices[i].lang.replace('_', '-').toLowerCase();
      if (v === want) return voices[i];
      if (!near && v.split('-')[0] === base) near = voices[i];
    }
    return near;
  }
  function stop() {
    if (speaking) speaking.textContent = d.tListen;
    speaking = null;
    synth.cancel();
  }
  function addListen() {
    var v = !listening && voice();
    if (!v) return;
    listening = true;
    qs.forEach(function (q) {
      if (q.querySelector('audio')) return; // a recording of the question is there already
      var b = button('button-secondary listen', d.tListen, function () {
        var again = speaking === b;
        stop();
        if (again) return;
        var u = new SpeechSynthesisUtterance([].map.call(q.querySelectorAll('[data-say]'), function (e) {
          return e.textContent;
        }).join('. '));
        u.lang = lang;
        u.voice = v;
        u.onend = u.onerror = function () { if (speaking === b) stop(); };
        speaking = b;
        b.textContent = d.tStop;
        synth.speak(u);
      });
      var label = q.querySelector('legend, label');
      label.parentNode.insertBefore(b, label.nextSibling);
    });
  }
  if (synth && window.SpeechSynthesisUtterance) {
    addListen();
    if (synth.addEventListener) synth.addEventListener('voiceschanged', addListen);
  }
})();
