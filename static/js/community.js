// Likes update in place, and "Reply" moves the comment form under the comment. Without JavaScript both still
// work: a like is a small form, and a reply link reloads the page with the form set to reply.
(function () {
  // A page shared through the cache carries no CSRF token and one form key for everyone: the token comes from
  // this browser's own cookie (or is fetched once) just before a form is sent, and each page view gets its own
  // key. Without JavaScript the server offers the form again to confirm instead.
  var tokenRequest = null;
  function withToken(form) {
    var field = form.querySelector("[data-csrf-fill]");
    if (!field || field.value) return Promise.resolve();
    var cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (cookie) { field.value = cookie[1]; return Promise.resolve(); }
    tokenRequest = tokenRequest || fetch(field.dataset.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response); });
    return tokenRequest.then(function (data) { field.value = data.token; });
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  document.querySelectorAll("form[data-like]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      withToken(form)
        .then(function () {
          return fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } });
        })
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

  // The follow form on shared pages (home, series, topic): the token is filled in just before it is sent.
  document.querySelectorAll("form.follow-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var field = form.querySelector("[data-csrf-fill]");
      if (!field || field.value) return;
      event.preventDefault();
      var send = function () { form.submit(); };
      withToken(form).then(send, send);
    });
  });

  var commentForm = document.getElementById("comment-form");
  if (!commentForm) return;

  // "Remember me": the name, email and website this browser keeps (a cookie set when the reader asks) fill the
  // form here, so the page itself stays the one everybody shares. "Forget me" deletes the cookie.
  var remembered = document.cookie.match(/(?:^|;\s*)ole_commenter=([^;]+)/);
  var forgetForm = document.querySelector("form[data-forget-me]");
  if (remembered) {
    try {
      var bytes = Uint8Array.from(atob(remembered[1].replace(/-/g, "+").replace(/_/g, "/")), function (c) { return c.charCodeAt(0); });
      var details = JSON.parse(new TextDecoder().decode(bytes));
      ["name", "email", "website"].forEach(function (name) {
        var field = commentForm.querySelector("input[name=" + name + "]");
        if (field && !field.value && typeof details[name] === "string") field.value = details[name];
      });
      commentForm.querySelector("input[name=remember]").checked = true;
      if (forgetForm) forgetForm.hidden = false;
    } catch (error) { /* a damaged cookie: the form stays blank */ }
  }
  if (forgetForm) {
    forgetForm.addEventListener("submit", function (event) {
      event.preventDefault();
      document.cookie = "ole_commenter=; Max-Age=0; Path=/; SameSite=Lax";
      ["name", "email", "website"].forEach(function (name) {
        var field = commentForm.querySelector("input[name=" + name + "]");
        if (field) field.value = "";
      });
      commentForm.querySelector("input[name=remember]").checked = false;
      forgetForm.querySelector("[data-forget-text]").textContent = "Forgotten: this browser no longer keeps your details.";
      forgetForm.querySelector("button").remove();
    });
  }
  if (commentForm.querySelector("[data-csrf-fill]")) {
    commentForm.querySelector("input[name=form_key]").value = newKey();
    commentForm.addEventListener("submit", function (event) {
      if (commentForm.querySelector("[data-csrf-fill]").value) return;
      event.preventDefault();
      var send = function () { commentForm.submit(); };
      withToken(commentForm).then(send, send);
    });
  }
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
