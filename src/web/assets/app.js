// vanban web app: makes the server-rendered forms live. Everything here is optional: without it
// the forms still submit, check and download. No inline script, no third-party requests.
(function () {
  'use strict';

  var DRAFT = 'vanban:draft:';
  var DELAY_MS = 700;
  var phone = window.matchMedia('(max-width: 999px)');
  var timer = null;
  var latest = 0;
  var inFlight = null;
  var pageUrls = [];
  // Changes made on this page, and how many of them the saved draft holds: a draft is written
  // (and "Đã lưu lúc" shown) only when something was changed, never for an untouched form.
  var edits = 0;
  var savedEdits = 0;
  // Problems show beside the fields the secretary has touched, not in red over a form just
  // begun; all of them once the whole document is asked for (the review step, "Kiểm tra lại",
  // a reopened draft or file).
  var touched = {};
  var showAll = false;

  function $(selector, root) { return (root || document).querySelector(selector); }
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function form() { return $('#doc-form'); }
  function template() { var f = form(); return f ? f.getAttribute('data-template') : null; }
  function clock(ms) {
    var d = new Date(ms);
    return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2);
  }
  function say(selector, text) { var el = $(selector); if (el) { el.textContent = text; } }

  function readDraft(id) {
    try { return JSON.parse(localStorage.getItem(DRAFT + id) || 'null'); } catch (e) { return null; }
  }
  function writeDraft(id, data) {
    var saved = Date.now();
    try {
      localStorage.setItem(DRAFT + id, JSON.stringify({ template: id, data: data, saved: saved }));
      say('#saved-at', 'Đã lưu lúc ' + clock(saved));
    } catch (e) {
      say('#saved-at', 'Không lưu được trên máy này: hãy bấm “Lưu về máy”.');
    }
  }

  function formBody(extra) {
    var params = new URLSearchParams();
    new FormData(form()).forEach(function (value, name) {
      if (typeof value === 'string') { params.append(name, value); }
    });
    if (extra) { params.append('_action', extra); }
    return params;
  }

  function formJson() {
    return fetch('/forms/' + template() + '/data', { method: 'POST', body: formBody() })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  // ---- steps: one topic per screen on a phone ----
  function showStep(step, focus) {
    if (!step || !form()) { return; }
    all('.step').forEach(function (s) { s.classList.toggle('current', s === step); });
    if (focus) {
      var heading = $('h2', step);
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
    if (step.id === 'step-review') { showAll = true; check(); }
  }
  function stepOf(el) { return el && el.closest ? el.closest('.step') : null; }
  function setupSteps() {
    var f = form();
    if (!f) { return; }
    f.classList.toggle('wizard', phone.matches);
    var wanted = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var current = stepOf(wanted) || $('.step.current') || $('.step');
    showStep(current, false);
  }
  function goTo(id) {
    var target = document.getElementById(id);
    if (!target) { return false; }
    var step = stepOf(target) || (target.classList.contains('step') ? target : null);
    if (step && phone.matches) { showStep(step, target === step); }
    if (target !== step) { target.focus(); }
    target.scrollIntoView({ block: 'center' });
    return true;
  }

  // ---- problems: a summary with links, the message beside each field ----
  function problemCount(n) { return 'Cần sửa ' + n + ' chỗ trước khi tải PDF'; }
  function relevant(issue) {
    return showAll || Object.keys(touched).some(function (name) {
      return name === issue.pointer || name.indexOf(issue.pointer + '/') === 0;
    });
  }
  function controlFor(pointer) {
    var f = form();
    var named = all('[name]', f).filter(function (el) { return el.name === pointer; });
    if (!named.length) {
      named = all('[name]', f).filter(function (el) {
        return el.name.indexOf(pointer + '/') === 0 && el.type !== 'hidden';
      }).slice(0, 1);
    }
    return named.filter(function (el) { return el.type !== 'hidden'; });
  }
  function showIssues(issues) {
    all('[data-live-msg]').forEach(function (el) { el.remove(); });
    all('[data-live-invalid]').forEach(function (el) {
      el.removeAttribute('aria-invalid');
      el.removeAttribute('data-live-invalid');
    });
    var errors = issues.filter(function (i) { return i.severity !== 'warning' && relevant(i); });
    var box = $('#problems');
    box.textContent = '';
    box.hidden = errors.length === 0;
    var jump = $('#problems-link');
    jump.hidden = errors.length === 0;
    jump.textContent = problemCount(errors.length);
    if (!errors.length) { return; }
    var title = document.createElement('h2');
    title.textContent = problemCount(errors.length);
    var list = document.createElement('ul');
    errors.forEach(function (issue, n) {
      var controls = controlFor(issue.pointer);
      var target = controls[0] || document.getElementById('f' + issue.pointer);
      var message = document.createElement('p');
      message.className = 'msg';
      message.id = 'live-msg-' + n;
      message.setAttribute('data-live-msg', '');
      var missing = target && issue.keyword === 'required' && target.getAttribute('data-missing');
      message.textContent = missing || issue.message;
      controls.forEach(function (el) {
        el.setAttribute('aria-invalid', 'true');
        el.setAttribute('data-live-invalid', '');
        var described = (el.getAttribute('aria-describedby') || '').split(' ').filter(function (x) {
          return x && x.indexOf('live-msg-') !== 0;
        });
        described.push(message.id);
        el.setAttribute('aria-describedby', described.join(' '));
      });
      if (target) {
        var wrapper = target.closest('.field, .choices, fieldset') || target;
        if (wrapper.tagName === 'FIELDSET') {
          var legend = $('legend', wrapper);
          wrapper.insertBefore(message, legend ? legend.nextSibling : wrapper.firstChild);
        } else {
          wrapper.appendChild(message);
        }
      }
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = '#' + (target && target.id ? target.id : 'f' + issue.pointer);
      link.textContent = message.textContent;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(title);
    box.appendChild(list);
  }

  // ---- live preview: debounced; a newer request makes older answers stale ----
  function showPages(pages) {
    var preview = $('#preview');
    pageUrls.forEach(function (url) { URL.revokeObjectURL(url); });
    pageUrls = [];
    preview.textContent = '';
    pages.forEach(function (svg, n) {
      var url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      pageUrls.push(url);
      var img = document.createElement('img');
      img.src = url;
      img.alt = 'Trang ' + (n + 1) + ' của bản xem trước';
      preview.appendChild(img);
    });
  }
  function refresh() {
    var id = template();
    if (!id) { return; }
    var mine = ++latest;
    busy();
    if (inFlight) { inFlight.abort(); }
    var controller = window.AbortController ? new AbortController() : null;
    inFlight = controller;
    say('#preview-status', 'Đang cập nhật bản xem trước…');
    var seenEdits = edits;
    refreshReview(mine);
    formJson().then(function (data) {
      if (mine !== latest) { return null; }
      if (seenEdits > savedEdits) {
        writeDraft(id, data);
        savedEdits = seenEdits;
      }
      return fetch('/v1/preview/' + id, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Accept-Language': 'vi' },
        body: JSON.stringify(data),
        signal: controller ? controller.signal : undefined
      });
    }).then(function (response) {
      if (!response || mine !== latest) { return null; }
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (answer) {
      if (!answer || mine !== latest) { return; }
      showPages(answer.pages || []);
      showIssues(answer.issues || []);
      say('#preview-status', (answer.pages || []).length + ' trang, cập nhật lúc ' + clock(Date.now()));
      settled();
    }).catch(function (e) {
      if (e && e.name === 'AbortError') { return; }
      if (mine === latest) {
        say('#preview-status', 'Chưa xem trước được. Nội dung vẫn được lưu trên máy.');
        settled();
      }
    });
  }
  // The review's summary is written by the server: ask for it again with the current answers
  // (only the summary: the download buttons stay, with their focus).
  function refreshReview(mine) {
    fetch('/forms/' + template(), { method: 'POST', body: formBody('check') })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('review-parts');
        var shown = $('#review-parts');
        if (mine === latest && fresh && shown && fresh.innerHTML !== shown.innerHTML) {
          shown.innerHTML = fresh.innerHTML;
        }
      })
      .catch(function () { /* the review keeps its last answers */ });
  }
  // The preview is busy from the first keystroke until the answer to the last one is shown.
  function busy() { var p = $('#preview'); if (p) { p.setAttribute('aria-busy', 'true'); } }
  function settled() { var p = $('#preview'); if (p) { p.removeAttribute('aria-busy'); } }
  function later() {
    busy();
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  }
  function check() {
    clearTimeout(timer);
    refresh();
  }

  // ---- roster: names typed in the member list show at once wherever a member is chosen
  // (choices, ticks, attendance lines all mark the name with data-member-name="id") ----
  function syncRoster(input) {
    var match = /^\/members\/(\d+)\/full_name$/.exec(input.name);
    if (!match) { return; }
    var idInput = all('[name]', form()).filter(function (el) {
      return el.name === '/members/' + match[1] + '/member_id';
    })[0];
    if (!idInput || !idInput.value) { return; }
    all('[data-member-name]').forEach(function (el) {
      if (el.getAttribute('data-member-name') === idInput.value) { el.textContent = input.value || idInput.value; }
    });
  }

  // ---- server round trips that change the form's structure (add, remove, all in favour…) ----
  function swapForm(html, stepId) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var fresh = doc.getElementById('doc-form');
    if (!fresh) { return; }
    form().replaceWith(fresh);
    bindForm();
    var step = stepId && document.getElementById(stepId);
    if (step) { showStep(step, false); }
  }
  function roundTrip(action, stepId) {
    if (action === 'check') { showAll = true; } else { edits++; }
    return fetch('/forms/' + template(), { method: 'POST', body: formBody(action) })
      .then(function (r) { return r.text(); })
      .then(function (html) { swapForm(html, stepId); check(); });
  }

  function openFile(file) {
    if (!file) { return; }
    var isPdf = /\.pdf$/i.test(file.name) || file.type === 'application/pdf';
    var status = $('#open-status') ? '#open-status' : '#saved-at';
    say(status, 'Đang mở ' + file.name + '…');
    var loaded = isPdf
      ? fetch('/v1/extract', { method: 'POST', headers: { 'Content-Type': 'application/pdf' }, body: file })
        .then(function (r) {
          if (!r.ok) { throw new Error('Tệp PDF này không mang theo nội dung để mở lại.'); }
          return r.json();
        })
      : file.text().then(function (text) {
        var value = JSON.parse(text);
        return value && value.template && value.data ? value : { template: template(), data: value };
      });
    loaded.then(function (saved) {
      if (!saved.template) { throw new Error('Không biết tệp này thuộc loại văn bản nào.'); }
      localStorage.setItem(DRAFT + saved.template, JSON.stringify({ template: saved.template, data: saved.data, saved: Date.now() }));
      location.assign('/forms/' + encodeURIComponent(saved.template) + '#opened');
      if (saved.template === template()) { location.reload(); }
    }).catch(function (e) {
      say(status, 'Không mở được tệp: ' + (e && e.message && !/^\d+$/.test(e.message) ? e.message : 'tệp không đúng định dạng.'));
    });
  }

  function saveFile() {
    formJson().then(function (data) {
      var blob = new Blob([JSON.stringify({ template: template(), data: data }, null, 2)], { type: 'application/json' });
      var link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = template() + '-' + new Date().toISOString().slice(0, 10) + '.json';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      say('#saved-at', 'Đã lưu về máy tệp ' + link.download);
    });
  }

  function restore() {
    var f = form();
    var draft = readDraft(template());
    if (!f.hasAttribute('data-empty') || !draft || !draft.data) { check(); return; }
    fetch('/forms/' + template(), {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(draft.data)
    }).then(function (r) { return r.text(); }).then(function (html) {
      swapForm(html, null);
      say('#saved-at', 'Đã mở lại bản đang soạn (lưu lúc ' + clock(draft.saved) + ')');
      showAll = true;
      check();
    });
  }

  function bindForm() {
    var f = form();
    if (!f) { return; }
    var save = $('#save-file', f);
    if (save) { save.hidden = false; }
    var fresh = $('#new-draft', f);
    if (fresh) { fresh.hidden = false; }
    setupSteps();
  }

  document.addEventListener('input', function (event) {
    if (!form() || !form().contains(event.target) || event.target.id === 'open-file') { return; }
    syncRoster(event.target);
    touched[event.target.name] = true;
    edits++;
    later();
  });
  document.addEventListener('change', function (event) {
    if (event.target.id === 'open-file') { openFile(event.target.files[0]); return; }
    if (form() && form().contains(event.target)) {
      touched[event.target.name] = true;
      edits++;
      later();
    }
  });
  document.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('button, a') : null;
    if (!button) { return; }
    if (button.id === 'save-file') { saveFile(); return; }
    if (button.id === 'new-draft') {
      localStorage.removeItem(DRAFT + template());
      location.assign('/forms/' + template());
      return;
    }
    var move = button.getAttribute('data-step');
    if (move) {
      var step = stepOf(button);
      var next = move === 'next' ? step.nextElementSibling : step.previousElementSibling;
      while (next && !next.classList.contains('step')) {
        next = move === 'next' ? next.nextElementSibling : next.previousElementSibling;
      }
      if (next) { showStep(next, true); next.scrollIntoView(); }
      return;
    }
    var href = button.getAttribute('href');
    if (href && href.charAt(0) === '#' && form() && goTo(decodeURIComponent(href.slice(1)))) {
      event.preventDefault();
    }
  });
  document.addEventListener('submit', function (event) {
    // Only the document form round-trips; other forms (the ward page's upload) submit as usual.
    if (event.target !== form()) { return; }
    var submitter = event.submitter;
    var action = submitter && submitter.name === '_action' ? submitter.value : '';
    // Downloads stay ordinary submissions: the browser saves the PDF, or shows the problems.
    if (action === 'pdf' || action === 'blank') { return; }
    event.preventDefault();
    var step = stepOf(submitter);
    roundTrip(action || 'check', step ? step.id : null);
  });
  phone.addEventListener('change', setupSteps);
  // A step or field named in the address (typed, bookmarked, or the Back button) opens too.
  window.addEventListener('hashchange', function () {
    if (form() && location.hash) { goTo(decodeURIComponent(location.hash.slice(1))); }
  });

  function listDrafts() {
    var box = $('#drafts-box');
    if (!box) { return; }
    var list = $('#drafts');
    Object.keys(localStorage).filter(function (k) { return k.indexOf(DRAFT) === 0; }).forEach(function (key) {
      var draft = readDraft(key.slice(DRAFT.length));
      if (!draft) { return; }
      var entry = $('a.doc[href="/forms/' + draft.template + '"] .doc-title');
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = '/forms/' + encodeURIComponent(draft.template);
      link.textContent = 'Tiếp tục: ' + (entry ? entry.textContent : draft.template) + ' (lưu lúc ' +
        clock(draft.saved) + ' ngày ' + new Date(draft.saved).toLocaleDateString('vi-VN') + ')';
      item.appendChild(link);
      list.appendChild(item);
      box.hidden = false;
    });
  }

  if (form()) {
    bindForm();
    restore();
  }
  listDrafts();
}());
