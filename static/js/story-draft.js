// An opt-in draft of the story form, kept in this browser only (localStorage) and never sent anywhere: a long
// story typed on a phone survives a closed tab. Off until the writer ticks "Keep a draft on this device";
// deleted by "Forget this draft", by unticking, and by the thank-you page once the story has arrived.
// The email address, the photo and the agreement boxes are never kept. Without JavaScript nothing is offered.
(function () {
  var KEY = "ole.storyDraft";
  var FIELDS = ["title", "body", "credit", "credit_name", "photo_alt", "content_notes", "series", "suggested_tags"];
  var storage;
  try {
    storage = window.localStorage;
    storage.getItem(KEY);
  } catch (e) {
    return; // storage is off (a private window, a strict setting): offer nothing
  }
  if (document.querySelector("[data-story-sent]")) {
    storage.removeItem(KEY);
    return;
  }
  var form = document.querySelector("form[data-story-draft]");
  var panel = document.getElementById("story-draft");
  var keep = document.getElementById("keep-draft");
  var forget = document.getElementById("forget-draft");
  var status = document.getElementById("draft-status");
  if (!form || !panel || !keep || !forget || !status) return;
  var timer = null;

  function inputs(name) {
    return Array.prototype.slice.call(form.querySelectorAll('[name="' + name + '"]'));
  }

  function collect() {
    var fields = {};
    FIELDS.forEach(function (name) {
      var found = inputs(name);
      if (!found.length) return;
      if (found[0].type === "checkbox" || found[0].type === "radio") {
        fields[name] = found.filter(function (el) { return el.checked; }).map(function (el) { return el.value; });
      } else {
        fields[name] = found[0].value;
      }
    });
    return { saved: new Date().toISOString(), fields: fields };
  }

  function read() {
    try {
      var draft = JSON.parse(storage.getItem(KEY));
      return draft && typeof draft.fields === "object" ? draft : null;
    } catch (e) {
      return null;
    }
  }

  function save() {
    clearTimeout(timer);
    if (!keep.checked) return;
    try {
      storage.setItem(KEY, JSON.stringify(collect()));
    } catch (e) {
      status.textContent = "This browser would not keep the draft (it may be full). Nothing was sent anywhere.";
    }
  }

  function restore(draft) {
    FIELDS.forEach(function (name) {
      var value = draft.fields[name];
      if (value === undefined) return;
      inputs(name).forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
        } else if (typeof value === "string") {
          el.value = value;
          el.dispatchEvent(new Event("input", { bubbles: true })); // the word count follows
        }
      });
    });
  }

  function erase(message) {
    clearTimeout(timer);
    storage.removeItem(KEY);
    keep.checked = false;
    status.textContent = message;
  }

  var draft = read();
  if (draft) {
    keep.checked = true;
    if (form.dataset.storyDraft === "new") {
      restore(draft);
      var when = new Date(draft.saved);
      status.textContent =
        "We put back the draft kept on this device" +
        (isNaN(when) ? "" : " (saved " + when.toLocaleString() + ")") +
        ". Your email address and photo were not kept: please add them again.";
    } else {
      save(); // the form came back from the site with what was just sent: that is the newer text
    }
  }

  keep.addEventListener("change", function () {
    if (keep.checked) {
      save();
      status.textContent = "Your draft is now kept on this device as you type.";
    } else {
      erase("The draft is deleted from this device, and no longer kept.");
    }
  });
  forget.addEventListener("click", function () {
    erase("The draft is deleted from this device. What is on the screen stays until you leave this page.");
  });
  function later() {
    if (!keep.checked) return;
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  window.addEventListener("pagehide", save);
  panel.hidden = false;
})();
