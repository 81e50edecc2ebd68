// The query editor, enhanced: YASGUI (vendored under static/yasgui/, docs/editor.md) takes the place of the
// form's box and runs queries on this server's endpoint. Without script, or if YASGUI did not load, the form
// stays and the server answers it with a table. Nothing here reaches another host: completion comes from the
// served ontology (/query/terms), prefixes from the page, never from LOV or prefix.cc.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("editor");
  const box = document.getElementById("query");
  if (!form || !box || typeof Yasgui === "undefined") return;
  const { Yasqe } = Yasgui;
  const endpoint = new URL(form.dataset.endpoint, document.baseURI).href;
  const prefixes = JSON.parse(form.dataset.prefixes);

  // A link to the query is the plain form's own URL: it answers with or without script.
  const linkTo = (query) => {
    const link = new URL(form.action, document.baseURI);
    link.searchParams.set("query", query);
    return link.href;
  };
  Yasgui.Tab.prototype.getShareableLink = function () { return linkTo(this.getQuery()); };

  // Completion: the project's prefixes (typing one adds its PREFIX line), and the ontology's terms.
  Yasqe.registerAutocompleter({
    ...Yasqe.Autocompleters.prefixes,
    get: Object.entries(prefixes).map(([name, iri]) => `${name}: <${iri}>`).sort(),
  });
  let terms;
  const ontologyTerms = (kind, token) => {
    terms = terms || fetch(form.dataset.terms).then((response) => response.json());
    const typed = token.autocompletionString || "";
    return terms.then((all) => all[kind].filter((iri) => iri.startsWith(typed)));
  };
  for (const [name, kind] of [["class", "classes"], ["property", "properties"]]) {
    Yasqe.registerAutocompleter({
      ...Yasqe.Autocompleters[name], autoShow: true, get: (yasqe, token) => ontologyTerms(kind, token),
    });
  }

  const hint = document.getElementById("yasgui-hint");
  const place = document.createElement("div");
  place.id = "yasgui";
  hint.after(place);
  const yasgui = new Yasgui(place, {
    autofocus: false,  // the page opens at its top, without a phone's keyboard
    persistenceId: null,  // the page's query (a link, an example) is the one to show, not one kept from before
    populateFromUrl: false,
    requestConfig: { endpoint },  // every tab's, new ones too
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },  // not DBpedia's and Wikidata's
    yasqe: { prefixCcApi: null, editorHeight: "320px" },  // null: no prefix.cc (the default, kept so)
  });
  const tab = yasgui.getTab();
  tab.setQuery(box.value.trim());
  tab.getYasqe().getInputField().setAttribute("aria-label", form.querySelector("label[for=query]").textContent);
  // A query run here makes the page's own answer stale, and the address its link.
  yasgui.on("query", (_yasgui, running) => {
    for (const stale of document.querySelectorAll("#query-error, #answer")) stale.remove();
    history.replaceState(null, "", linkTo(running.getQuery()));
  });
  form.hidden = true;
  hint.hidden = false;
});
