/* A form that comes back with errors: its summary takes the focus, which also
   scrolls it into view. On a phone it lay a screen or more below the top
   where the reloaded page opened, and nothing said the save had failed. The
   summary is role="alert" and tabindex="-1" (core/partials/_form.html). */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
