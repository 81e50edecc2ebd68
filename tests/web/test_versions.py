"""Citable versions through Flask's test client: three builds of changed data into one store.

Every version's dumps stay at /download/<version>/<file>, byte for byte what /download/<file>
served while it was current, after later builds have pruned its store.
"""

from __future__ import annotations

import csv
import json
import shutil
from html.parser import HTMLParser

import pytest
from conftest import BASE
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from kosru_kg import formats
from kosru_kg.graph.build import build
from kosru_kg.graph.store import StoreLayout
from kosru_kg.query.embedded import EmbeddedBackend
from kosru_kg.web import create_app

COSTA_RICA = NamedNode(f"{BASE}state/costa-rica")
ALT_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
IMMUTABLE = "public, max-age=31536000, immutable"
NAMES = [fmt.file_name for fmt in formats.DUMPS]


def set_alt_labels(path, text: str) -> None:
    """Set the first entity's (Costa Rica's) alternative labels in the entities CSV at ``path``."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    assert rows[0]["id"] == "costa-rica"
    rows[0]["alt_labels"] = text
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def history(base_settings, data_slice, tmp_path_factory):
    """Three versions built one after another from changed data; what each served while current.

    The data is the small slice of data/ (conftest.data_slice): versions are under test, not the graph,
    and three builds of the whole data take a minute."""
    root = tmp_path_factory.mktemp("versions")
    data = root / "data"
    shutil.copytree(data_slice, data)
    built = base_settings.replace(store=str(root / "store"), data_dir=str(data))
    layout = StoreLayout(built.store)
    app = backend = None
    versions, served = [], {}
    for alt_label in (None, "Republic of Costa Rica", "Costa Rica (republic)"):
        if alt_label:
            set_alt_labels(data / "entities.csv", alt_label)
        version = build(built).version
        backend = backend or EmbeddedBackend(layout, built)
        app = app or create_app(built, backend)  # one app: it serves each new version as it is published
        client = app.test_client()
        served[version] = {name: client.get(f"/download/{name}").data for name in NAMES}
        versions.append(version)
    yield app, versions, served, layout
    backend.close()


@pytest.fixture()
def versioned(history):
    app, versions, served, layout = history
    return app.test_client(), versions, served, layout


def test_three_versions_were_built_and_the_oldest_store_pruned(versioned):
    _, versions, _, layout = versioned
    assert len(set(versions)) == 3
    assert sorted(p.name for p in layout.versions.iterdir() if p.is_dir()) == sorted(versions[1:])


@pytest.mark.parametrize("name", NAMES)
def test_every_version_serves_the_dumps_it_served_when_current(versioned, name):
    client, versions, served, _ = versioned
    for version in versions:
        response = client.get(f"/download/{version}/{name}")
        assert response.status_code == 200
        assert response.data == served[version][name]
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert len({served[version][name] for version in versions}) == 3


def test_a_versioned_dump_has_its_own_strong_tag_and_revalidates(versioned):
    client, versions, _, _ = versioned
    first = client.get(f"/download/{versions[0]}/kosru.nt")
    tag = first.headers["ETag"]
    assert tag == f'"{versions[0]}-nt"'
    again = client.get(f"/download/{versions[0]}/kosru.nt", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == IMMUTABLE
    other = client.get(f"/download/{versions[1]}/kosru.nt", headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.data != first.data


@pytest.mark.parametrize("path", ["/download/0000000000000000/kosru.ttl", "/download/a.b/kosru.ttl", "/download/%20/kosru.ttl",
                                  "/download/current/kosru.ttl", "/download/" + "a" * 300 + "/kosru.ttl"])
def test_an_unknown_version_is_404_naming_the_known_ones(versioned, path):
    client, versions, _, _ = versioned
    response = client.get(path, headers={"Accept": "text/plain"})
    assert response.status_code == 404
    assert all(version in response.text for version in versions)
    assert response.headers.get("Cache-Control") != IMMUTABLE


def test_an_unknown_file_of_a_known_version_is_404_naming_the_files(versioned):
    client, versions, _, _ = versioned
    response = client.get(f"/download/{versions[0]}/kosru.csv", headers={"Accept": "text/plain"})
    assert response.status_code == 404
    assert all(name in response.text for name in NAMES)


def test_versions_as_json_list_each_with_its_date_count_dumps_and_changes(versioned):
    client, versions, served, _ = versioned
    for response in (client.get("/versions.json"), client.get("/versions", headers={"Accept": "application/json"})):
        assert response.status_code == 200 and response.mimetype == "application/json"
        rows = json.loads(response.data)["versions"]
        assert [row["version"] for row in rows] == versions[::-1]  # the newest first
        assert [row["current"] for row in rows] == [True, False, False]
        for row in rows:
            dump = client.get(row["downloads"]["kosru.nt"].removeprefix("http://localhost"))
            assert dump.data == served[row["version"]]["kosru.nt"]
            assert row["triples"] == len(dump.data.decode("utf-8").splitlines())
            assert row["published"].endswith("Z") and row["published"][:2] == "20"
        assert [row["previous"] for row in rows] == [versions[1], versions[0], None]
        assert rows[-1]["changes"] is None
        assert rows[0]["changes"] == f"http://localhost/versions/{versions[2]}/changes"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def test_the_versions_page_links_every_dump_and_the_changes(versioned):
    client, versions, _, _ = versioned
    response = client.get("/versions", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    hrefs = links(response.text)
    for version in versions:
        assert {f"/download/{version}/{name}" for name in NAMES} <= set(hrefs)
    assert f"/versions/{versions[2]}/changes" in hrefs and f"/versions/{versions[1]}/changes" in hrefs
    assert f"/versions/{versions[0]}/changes" not in hrefs  # the first version has nothing before it
    assert "Accept" in response.headers["Vary"]


def alt(text: str) -> Triple:
    return Triple(COSTA_RICA, ALT_LABEL, Literal(text, language="en"))


def test_changes_default_to_the_previous_version_as_an_html_summary(versioned):
    client, versions, _, _ = versioned
    response = client.get(f"/versions/{versions[2]}/changes", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = response.text
    assert f"<code>{versions[1]}</code> to <code>{versions[2]}</code>" in text
    assert text.count('<section class="change">') == 1  # one resource changed
    assert f"&lt;{BASE}state/costa-rica&gt;" in text
    assert "Republic of Costa Rica" in text and "Costa Rica (republic)" in text
    assert f"/versions/{versions[2]}/changes.rdfp?from={versions[1]}" in links(text)


def test_changes_as_rdf_patch(versioned):
    client, versions, _, _ = versioned
    for response in (client.get(f"/versions/{versions[2]}/changes.rdfp"),
                     client.get(f"/versions/{versions[2]}/changes", headers={"Accept": "text/rdf-patch"}),
                     client.get(f"/versions/{versions[2]}/changes", headers={"Accept": "application/rdf-patch"})):
        assert response.status_code == 200
        assert response.mimetype == "application/rdf-patch"
        rows = response.text.splitlines()
        assert rows[1:] == ["TX .", f"D {alt('Republic of Costa Rica')} .", f"A {alt('Costa Rica (republic)')} .",
                            "TC ."]


def test_changes_as_trig_across_two_versions_chosen_by_from(versioned):
    client, versions, _, _ = versioned
    response = client.get(f"/versions/{versions[2]}/changes?from={versions[0]}", headers={"Accept": "application/trig"})
    assert response.status_code == 200 and response.mimetype == "application/trig"
    quads = list(parse(response.data, format=RdfFormat.TRIG))
    assert [q.triple for q in quads] == [alt("Costa Rica (republic)")]
    assert quads[0].graph_name.value.endswith(":added")
    backwards = client.get(f"/versions/{versions[0]}/changes.trig?from={versions[2]}")
    assert [(q.triple, q.graph_name.value.rpartition(":")[2]) for q in parse(backwards.data, format=RdfFormat.TRIG)] \
        == [(alt("Costa Rica (republic)"), "removed")]


@pytest.mark.parametrize(("path", "status", "says"), [
    ("/versions/0000000000000000/changes", 404, "the versions are"),
    ("/versions/{new}/changes?from=0000000000000000", 404, "the versions are"),
    ("/versions/{new}/changes?from=", 400, "the versions are"),
    ("/versions/{first}/changes", 404, "first one published"),
    ("/versions/{new}/changes.xml", 406, "URL suffix .html|.rdfp|.trig"),
    ("/versions.xml", 406, "URL suffix .html|.json"),
])
def test_bad_requests_for_changes_are_4xx_saying_what_exists(versioned, path, status, says):
    client, versions, _, _ = versioned
    response = client.get(path.format(new=versions[2], first=versions[0]), headers={"Accept": "text/plain"})
    assert response.status_code == status
    assert says in response.text


def test_the_home_page_says_how_to_cite_the_served_version(versioned):
    client, versions, _, layout = versioned
    response = client.get("/")
    assert response.status_code == 200
    date = layout.releases()[-1].published[:10]
    address = f"http://localhost/download/{versions[2]}/kosru.ttl"
    assert (f"kosru-kg contributors ({date[:4]}). kosru-kg: Kosovo–Russia relations, version {versions[2]}, {date}. "
            f"{address}") in response.text
    assert address in links(response.text)
    assert client.get(address.removeprefix("http://localhost")).status_code == 200


def test_the_home_page_of_the_session_store_cites_its_version(client, backend):
    response = client.get("/")
    assert f"version {backend.version}, " in response.text
    assert f"/download/{backend.version}/kosru.ttl" in response.text
