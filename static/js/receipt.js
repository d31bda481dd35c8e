// The key of an anonymous question's receipt link is its fragment (#…), which browsers never
// send to a server: read it here and post it, so it reaches no request log. The form's
// address keeps the fragment, so the page that opens can be bookmarked and reloaded.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("receipt-open");
  var key = window.location.hash.slice(1);
  if (!form || !/^[A-Za-z0-9_-]{32}$/.test(key)) {
    return;
  }
  form.elements.receipt.value = key;
  form.action = window.location.pathname + window.location.hash;
  form.submit();
});
