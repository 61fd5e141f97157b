// A form marked data-submit-once is sent once: a second tap on a phone, while the first
// submission is on its way, does nothing. (The server refuses a second vote anyway, with
// 409, but the member would see "You have already voted" instead of "counted".)
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
  if (form.hasAttribute("aria-busy")) {
    event.preventDefault();
    return;
  }
  form.setAttribute("aria-busy", "true");
});

// Back on a page the browser kept in its cache (the back button): the form may be sent again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    document.querySelectorAll("form[data-submit-once][aria-busy]").forEach((form) => {
      form.removeAttribute("aria-busy");
    });
  }
});
