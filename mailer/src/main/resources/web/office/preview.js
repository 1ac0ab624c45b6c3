// Live preview of the release form: sends the fields (with the form's CSRF token) to
// /office/preview and shows the rendered, unsigned parts. The HTML goes into a sandboxed
// iframe (no scripts, no same-origin), so nothing in it can act on this page.
(function () {
  var form = document.getElementById('release-form');
  if (!form) { return; }
  var timer = null;
  var seq = 0;
  function show(id, text) { document.getElementById(id).textContent = text || ''; }
  function update() {
    var mine = ++seq;
    fetch('/office/preview', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)).toString() })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (mine !== seq) { return; }
        var err = document.getElementById('preview-error');
        err.textContent = p.error || '';
        err.style.display = p.error ? '' : 'none';
        show('preview-subject', p.subject);
        show('preview-hash', p.contentHash);
        show('preview-text', p.text);
        document.getElementById('preview-html').srcdoc = p.html || '';
      })
      .catch(function () { show('preview-error', 'The preview could not be loaded.'); });
  }
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(update, 300); });
  if (document.getElementById('title').value) { update(); }
})();
