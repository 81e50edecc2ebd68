// Progressive enhancement of the query editor: Ctrl+Enter (Cmd+Enter on a Mac) runs the query.
// The page works the same without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const editor = document.getElementById("editor");
  const query = document.getElementById("query");
  const hint = document.getElementById("run-hint");
  if (!editor || !query) return;
  query.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      editor.requestSubmit();
    }
  });
  if (hint) hint.hidden = false;
});
