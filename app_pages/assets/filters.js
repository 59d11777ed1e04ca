// The sidebar's filters as the browser's own <select>s: nothing to download before the page can
// draw (Streamlit's selectbox loads about 120 KB of script first), a phone's native picker, and
// the keyboard and screen reader behaviour of a form control. Values arrive as text and are only
// ever set as text, never as markup.
export default function ({ parentElement, data, setStateValue }) {
  const root = parentElement.querySelector(".filters");
  const wanted = data.fields.map((field) => field.key).join(" ");
  if (root.dataset.fields !== wanted) { // first draw, or months appeared or went: build anew
    root.replaceChildren();
    root.dataset.fields = wanted;
    for (const field of data.fields) {
      const label = document.createElement("label");
      label.htmlFor = `filter-${field.key}`;
      label.textContent = field.label;
      const select = document.createElement("select");
      select.id = `filter-${field.key}`;
      select.name = field.key;
      select.addEventListener("change", () => setStateValue(field.key, select.value));
      root.append(label, select);
    }
  }
  for (const field of data.fields) { // later draws keep the elements, so focus stays where it was
    const select = root.querySelector(`#filter-${field.key}`);
    if (select.dataset.options !== JSON.stringify(field.options)) {
      select.replaceChildren(...field.options.map((value) => new Option(value, value)));
      select.dataset.options = JSON.stringify(field.options);
    }
    select.value = field.value;
  }
}
