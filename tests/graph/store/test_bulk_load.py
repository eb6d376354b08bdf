"""The bulk load of a large file: one strict parse straight into pyoxigraph's (atomic) bulk loader,
with the default-graph copies, progress reports and named steps."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.generate import generate
from graph.errors import DataRejectedError
from graph.store import embedded
from graph.store.embedded import KGStore


def _content(store: KGStore) -> set[str]:
    return {str(q) for q in store.quads()}


def _expected(data: Path) -> set[str]:
    """The file's quads and, for each one in a named graph, its triple in the default graph, as a
    plain store holds them (it writes literals in canonical form)."""
    reference = ox.Store()
    for q in ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS):
        reference.add(q)
        reference.add(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
    return {str(q) for q in reference}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("gen") / "d.nq"
    generate(data, 120, 3)
    return data


@pytest.mark.parametrize("on_disk", [False, True])
def test_generated_data_is_loaded_with_the_merged_default_graph(
    tmp_path: Path, generated: Path, on_disk: bool
) -> None:
    store = KGStore(tmp_path / "s" if on_disk else None)
    report = store.bulk_load_file(generated)
    lines = [x for x in generated.read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")]
    assert report.quads_read == len(lines)
    content = _content(store)
    assert content == _expected(generated)
    assert report.quads_before == 0 and report.quads_after == len(content)
    store.close()


def test_a_bad_file_changes_nothing_on_disk(tmp_path: Path, generated: Path) -> None:
    store = KGStore(tmp_path / "s")
    store.bulk_load_file(generated)
    before = _content(store)
    version = store.version
    bad = tmp_path / "bad.nq"
    good = generated.read_text(encoding="utf-8").replace("syn-", "other-")  # new quads, all valid
    bad.write_text(good + "<https://e.org/a> <https://e.org/p> .\n", encoding="utf-8")
    with pytest.raises(DataRejectedError) as err:
        store.bulk_load_file(bad)
    problem = err.value.problems[0]
    assert problem.source.endswith("bad.nq") and problem.line == len(good.splitlines()) + 1
    assert _content(store) == before and store.version == version
    assert not list((tmp_path / "s").glob("bulk-*.sst"))  # the loader's table files are gone
    store.close()


def test_progress_reports_bytes_read_up_to_the_size(
    tmp_path: Path, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "PROGRESS_EVERY", 50)
    told: list[tuple[int, int]] = []
    report = KGStore().bulk_load_file(generated, progress=lambda done, size: told.append((done, size)))
    size = generated.stat().st_size
    assert len(told) >= report.quads_read // 50
    assert all(s == size for _, s in told)
    assert [d for d, _ in told] == sorted(d for d, _ in told) and told[-1] == (size, size)
    assert 0 < told[0][0] < size


@pytest.mark.parametrize(("on_disk", "optimize", "steps"), [
    (True, True, ["load", "flush", "optimize"]),
    (True, False, ["load", "flush"]),
    (False, True, ["load", "flush"]),
])
def test_steps_are_told(tmp_path: Path, generated: Path, on_disk: bool, optimize: bool, steps: list[str]) -> None:
    seen: list[str] = []
    store = KGStore(tmp_path / "s" if on_disk else None)
    store.bulk_load_file(generated, optimize=optimize, steps=seen.append)
    assert seen == steps
    store.close()


def test_cli_build_with_data_loads_it_with_a_bar_and_current_side_files(
    tmp_path: Path, generated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from api.cli import main
    from graph.index.materialize import derived_for
    from graph.index.names import PersistentNameIndex, index_for

    path = tmp_path / "store"
    assert main(["build", "--store", str(path), "--data", str(generated), "--format", "json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert "loading" in captured.err and "100%" in captured.err  # the bar of the bulk load
    store = KGStore(path, read_only=True)
    assert out["quads"] == len(store) and out["facts_without_provenance"] == 0
    assert _expected(generated) <= _content(store)  # the file, with its default-graph copies
    enterprises = {q.subject.value for q in ox.parse(path=str(generated), format=ox.RdfFormat.N_QUADS)
                   if q.object == ox.NamedNode("https://w3id.org/chainkg/ontology#Enterprise")}
    assert out["classes"]["ckg:Enterprise"] >= len(enterprises) > 0
    assert derived_for(store) is not None and isinstance(index_for(store), PersistentNameIndex)
    store.close()


def test_cli_build_with_data_needs_a_directory(
    generated: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from api import cli

    monkeypatch.setattr(cli, "default_store_path", lambda: "")  # CHAINKG_STORE="": in memory
    assert cli.main(["build", "--data", str(generated)]) == 2
    assert "--data needs an on-disk store" in capsys.readouterr().err


def test_the_loader_thread_is_pinned_only_until_the_first_quad(tmp_path: Path, generated: Path) -> None:
    import os

    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs Linux and two CPUs")
    cpus = os.sched_getaffinity(0)
    seen: list[set[int]] = []
    with embedded._one_loader_thread() as started:
        seen.append(os.sched_getaffinity(0))
        started()
        seen.append(os.sched_getaffinity(0))
    assert seen == [{min(cpus)}, cpus] and os.sched_getaffinity(0) == cpus
    store = KGStore(tmp_path / "s")
    store.bulk_load_file(generated)
    assert os.sched_getaffinity(0) == cpus  # set free again after a load
    bad = tmp_path / "bad.nq"
    bad.write_text("not N-Quads\n", encoding="utf-8")
    with pytest.raises(DataRejectedError):
        store.bulk_load_file(bad)  # rejected, and set free all the same
    assert os.sched_getaffinity(0) == cpus
    store.close()
