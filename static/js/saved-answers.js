// A saved answer fills the message box, so the editor reads and adapts the words that will be sent. Without
// JavaScript the "Use this answer" button does the same through the server.
(function () {
  var data = document.getElementById("saved-answers");
  var select = document.querySelector("select[data-answers-for]");
  if (!data || !select) return;
  var box = document.getElementById(select.dataset.answersFor);
  if (!box) return;
  var answers = JSON.parse(data.textContent);
  var filled = box.value;
  var button = document.querySelector(".desk-use-answer");
  if (button) button.hidden = true;
  select.addEventListener("change", function () {
    var words = answers[select.value];
    if (words === undefined) return;
    var typed = box.value.trim() !== "" && box.value !== filled;
    if (typed && !window.confirm("Replace what you wrote with this saved answer?")) return;
    box.value = filled = words;
    box.focus();
  });
})();
