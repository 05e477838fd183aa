// Likes update in place, and "Reply" moves the comment form under the comment. Without JavaScript both still
// work: a like is a small form, and a reply link reloads the page with the form set to reply.
(function () {
  document.querySelectorAll("form[data-like]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
        .then(function (data) {
          button.textContent = "Liked";
          button.setAttribute("aria-pressed", "true");
          form.querySelector("[data-like-count]").textContent =
            "Liked by " + data.count + (data.count === 1 ? " person" : " people");
        })
        .catch(function () { button.disabled = false; form.submit(); });
    });
  });

  var commentForm = document.getElementById("comment-form");
  if (!commentForm) return;
  var parentField = commentForm.querySelector("input[name=parent]");
  var note = commentForm.querySelector("[data-replying-to]");
  var home = commentForm.parentNode;
  var homeNext = commentForm.nextSibling;
  document.querySelectorAll("[data-reply-to]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      parentField.value = link.dataset.replyTo;
      note.hidden = false;
      link.closest("article").after(commentForm);
      commentForm.querySelector("textarea").focus();
    });
  });
  var cancel = commentForm.querySelector("[data-cancel-reply]");
  if (cancel) {
    cancel.addEventListener("click", function (event) {
      event.preventDefault();
      parentField.value = "";
      note.hidden = true;
      home.insertBefore(commentForm, homeNext);
    });
  }
})();
