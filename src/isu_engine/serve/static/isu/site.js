// Progressive enhancement only: a job page that is still running reloads itself every few seconds.
// Without JavaScript, the page's own link does the same.
(function () {
  var status = document.getElementById("job-status");
  if (status && status.dataset.refresh) {
    window.setTimeout(function () { window.location.reload(); }, Number(status.dataset.refresh) * 1000);
  }
})();
