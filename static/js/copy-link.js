// "Copy link" beside a read-only field. Progressive enhancement: without JavaScript (or a clipboard) the button
// stays hidden and the link stays in the field, selectable by hand.
(function () {
  var button = document.querySelector("button[data-copy-from]");
  if (!button || !navigator.clipboard) return;
  var field = document.getElementById(button.dataset.copyFrom);
  var status = document.getElementById(button.dataset.copied);
  if (!field || !status) return;
  field.addEventListener("focus", function () {
    field.select();
  });
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "";
    navigator.clipboard.writeText(field.value).then(
      function () {
        status.textContent = "Copied. Keep it somewhere private.";
      },
      function () {
        field.focus();
        status.textContent = "Your browser did not let us copy it. The link is selected: copy it from the field.";
      }
    );
  });
})();
