// Live word count under the story field. Progressive enhancement: the form works without it.
(function () {
  var field = document.querySelector("textarea[data-word-count]");
  var output = document.getElementById("word-count");
  if (!field || !output) return;
  var min = parseInt(output.dataset.min, 10);
  var max = parseInt(output.dataset.max, 10);
  var timer = null;
  function update() {
    var words = field.value.trim() ? field.value.trim().split(/\s+/).length : 0;
    var note = words < min ? " (at least " + min + ")" : words > max ? " (please keep to " + max + ")" : "";
    output.textContent = words + " word" + (words === 1 ? "" : "s") + note;
  }
  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
  update();
})();
