// The query form: choosing a curated query fills the text area (without JavaScript, the "Load"
// button asks the server for the same page with that query filled in).
(function () {
  "use strict";
  var select = document.getElementById("name");
  var textarea = document.getElementById("query");
  if (!select || !textarea) {
    return;
  }
  select.addEventListener("change", function () {
    var template = document.getElementById("query-" + select.value);
    if (template) {
      textarea.value = template.content.textContent;
      textarea.focus();
    }
  });
})();
