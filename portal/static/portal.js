// Forms that run OCR say so while they wait, and cannot be sent twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-busy");
  if (!message) return;
  var button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  var note = document.createElement("p");
  note.className = "busy";
  note.setAttribute("role", "status");
  note.textContent = message;
  form.appendChild(note);
});
