"""A store over an existing SPARQL 1.1 server (QLever, Jena Fuseki/TDB2, the Oxigraph server):
the same interface as the embedded :class:`~graph.store.embedded.KGStore`, every question sent over HTTP.

Rules this module keeps (those of :mod:`graph.store.embedded`, over the SPARQL 1.1 Protocol):

* every query is sent as text, behind a ``PREFIX`` prologue of chainkg's prefixes (the named
  queries rely on them, as they do on pyoxigraph's ``prefixes=``); user values are bound by
  :func:`graph.store.embedded.bind_values` (``VALUES`` blocks written by pyoxigraph's term serializer),
  never pasted;
* answers are asked for as SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE)
  and parsed by pyoxigraph's parsers (``parse_query_results``, ``parse``), so the callers get the
  very objects the embedded store gives them;
* one ``httpx.Client`` per store: keep-alive connections from a bounded pool, shared by every
  thread; each request has its own timeout;
* failures have types: a server answering 400 to a query is a malformed query
  (:class:`~graph.errors.QuerySyntaxError`, 400); any other error status (401/403 from wrong
  credentials, 404 from a wrong URL, 5xx), a refused connection or an unreadable body is
  :class:`~graph.errors.StoreUnavailableError` (502); no answer within the timeout is
  :class:`~graph.errors.StoreTimeoutError` (504).

The server's default graph must be what chainkg's embedded default graph is: the RDF merge of
the named graphs. Loading ``chainkg export --format nq`` gives that on any quad store (the export
carries the default graph), as does a server's union-default-graph option (Fuseki/TDB2
``unionDefaultGraph``, QLever's default) over the named graphs alone.

Writes: without an update endpoint the store is read-only (imports and updates are refused with
:class:`~graph.errors.ForbiddenOperationError`); with one, :meth:`RemoteStore.update` sends the
update followed by the re-derivation of the merged default graph, as the embedded store does.
Data is loaded into the server with the server's own loader, not through chainkg.

:class:`RemoteEngine` is the ``/sparql`` pass-through: chainkg's safety check (no update, no
``SERVICE``, no ``LOAD``) first, then the server, under chainkg's time limit and row cap.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib.term import Node

from graph.errors import (
    ForbiddenOperationError,
    QuerySyntaxError,
    ResultTooLargeError,
    StoreTimeoutError,
    StoreUnavailableError,
)
from graph.prefixes import PREFIXES
from graph.store.embedded import REDERIVE_DEFAULT_GRAPH, KGStore, LoadReport, bind_values, rdf_format

#: What a query asks for: JSON results for SELECT / ASK, N-Triples for CONSTRUCT / DESCRIBE.
ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
          "application/n-triples;q=0.8, text/turtle;q=0.7")
#: Media type of an answer → (results format or ``None``, RDF format or ``None``).
_PARSERS: dict[str, tuple[ox.QueryResultsFormat | None, ox.RdfFormat | None]] = {
    "application/sparql-results+json": (ox.QueryResultsFormat.JSON, None),
    "application/json": (ox.QueryResultsFormat.JSON, None),
    "application/sparql-results+xml": (ox.QueryResultsFormat.XML, None),
    "text/tab-separated-values": (ox.QueryResultsFormat.TSV, None),
    "application/n-triples": (None, ox.RdfFormat.N_TRIPLES),
    "text/plain": (None, ox.RdfFormat.N_TRIPLES),
    "text/turtle": (None, ox.RdfFormat.TURTLE),
    "application/n-quads": (None, ox.RdfFormat.N_QUADS),
    "application/rdf+xml": (None, ox.RdfFormat.RDF_XML),
}
#: Bytes an answer may have before it is refused (the row cap applies after parsing).
MAX_ANSWER_BYTES = 512 * 1024 * 1024

MSG_READ_ONLY = "the remote store is read-only: set CHAINKG_SPARQL_UPDATE_ENDPOINT to write through chainkg"
MSG_LOAD_REMOTE = "data is loaded into the SPARQL server with the server's own loader, not through chainkg"
MSG_SLOW = "the SPARQL server did not answer within {timeout:g} s"
MSG_FAILED = "the SPARQL server failed: {reason}"

#: The cheap fingerprint of a dataset: its number of quads in named graphs (see :mod:`graph.index.remote`).
FINGERPRINT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def prologue(prefixes: Mapping[str, str] = PREFIXES, *, base: str | None = None) -> str:
    """The ``BASE`` / ``PREFIX`` lines put before every query sent to the server.

    >>> prologue({"ckg": "https://w3id.org/chainkg/ontology#"}, base="http://h/sparql")
    'BASE <http://h/sparql>\\nPREFIX ckg: <https://w3id.org/chainkg/ontology#>\\n'
    """
    head = f"BASE {ox.NamedNode(base)}\n" if base else ""
    return head + "".join(f"PREFIX {p}: {ox.NamedNode(ns)}\n" for p, ns in prefixes.items())


def parse_answer(body: bytes, media_type: str) -> Any:
    """A server's answer as pyoxigraph objects: ``QuerySolutions`` or ``QueryBoolean`` for
    results, a list of ``Triple`` for RDF.

    Raises:
        StoreUnavailableError: an unknown media type or a body that does not parse.

    >>> bool(parse_answer(b'{"head": {}, "boolean": true}', "application/sparql-results+json"))
    True
    >>> parse_answer(b'<http://a> <http://b> "c" .\\n', "application/n-triples")[0].object.value
    'c'
    """
    media = media_type.split(";")[0].strip().lower()
    try:
        results, rdf = _PARSERS[media]
    except KeyError:
        raise StoreUnavailableError(MSG_FAILED.format(reason=f"unexpected answer type {media!r}")) from None
    try:
        if results is not None:
            return ox.parse_query_results(body, format=results)
        assert rdf is not None
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=rdf)]
    except SyntaxError as err:
        raise StoreUnavailableError(MSG_FAILED.format(reason=f"unreadable answer: {err}")) from None


class RemoteStore(KGStore):
    """The chainkg store interface over a SPARQL 1.1 server (see the module docstring).

    Args:
        endpoint: the server's query URL (e.g. ``http://127.0.0.1:7878/query``).
        update_endpoint: its update URL; ``None`` keeps the store read-only.
        user: HTTP basic user name (with ``password``).
        password: HTTP basic password.
        timeout: seconds each request may take.
        connections: most connections kept open to the server (keep-alive pool).

    It has no embedded engine: ``path`` is ``None`` and there is no ``ox`` attribute, so code
    written for the embedded store (index scans, worker processes) takes its SPARQL path.
    ``side_files`` is ``(directory, seal)`` once :func:`graph.index.remote.attach` has checked
    the name index and build-time tables against the server, else ``None``.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        connections: int = 16,
    ) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint
        self.timeout = timeout
        self.path = None
        self.read_only = update_endpoint is None
        self.version = 0
        self.side_files: tuple[Path, str] | None = None
        #: What /health says about the side files (``absent``, ``current`` or why they are not used).
        self.side_status = "absent"
        self._write_lock = threading.Lock()
        self._prologue = prologue()
        auth = httpx.BasicAuth(user, password or "") if user else None
        self.client = httpx.Client(
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={"User-Agent": "chainkg"},
        )

    # --- HTTP -----------------------------------------------------------------------------------

    def request(
        self,
        sparql: str,
        *,
        timeout: float | None = None,
        base: str | None = None,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        accept: str = ACCEPT,
    ) -> Any:
        """Send a query (behind the prefix prologue) and parse the answer (see :func:`parse_answer`).

        Raises:
            QuerySyntaxError: the server refused the query (400), with its message.
            StoreTimeoutError: no answer within ``timeout`` (default: the store's).
            StoreUnavailableError: connection refused, 5xx, or an unreadable answer.
        """
        text = (prologue(base=base) if base else self._prologue) + sparql
        form: list[tuple[str, str]] = [("query", text)]
        form += [("default-graph-uri", g) for g in default_graphs]
        form += [("named-graph-uri", g) for g in named_graphs]
        limit = self.timeout if timeout is None else timeout
        try:
            with self.client.stream("POST", self.endpoint, data=_multi(form),
                                    headers={"Accept": accept},
                                    timeout=httpx.Timeout(limit, connect=min(limit, 5.0))) as response:
                body = _read_capped(response)
                status, media = response.status_code, response.headers.get("content-type", "")
        except httpx.TimeoutException:
            raise StoreTimeoutError(MSG_SLOW.format(timeout=limit)) from None
        except httpx.HTTPError as err:
            raise StoreUnavailableError(MSG_FAILED.format(reason=f"{type(err).__name__}: {err}")) from None
        if status == 400:
            raise QuerySyntaxError(_message(body) or "the SPARQL server refused the query (HTTP 400)")
        if status >= 300:  # 401/403/404 too: chainkg is misconfigured for this server, not the query wrong
            raise StoreUnavailableError(MSG_FAILED.format(reason=f"HTTP {status}: {_message(body)[:300]}"))
        return parse_answer(body, media)

    def _post_update(self, sparql: str) -> None:
        if self.update_endpoint is None:
            raise ForbiddenOperationError(MSG_READ_ONLY)
        try:
            response = self.client.post(self.update_endpoint, data={"update": self._prologue + sparql})
        except httpx.TimeoutException:
            raise StoreTimeoutError(MSG_SLOW.format(timeout=self.timeout)) from None
        except httpx.HTTPError as err:
            raise StoreUnavailableError(MSG_FAILED.format(reason=f"{type(err).__name__}: {err}")) from None
        if response.status_code == 400:
            raise QuerySyntaxError(_message(response.content) or "update refused (HTTP 400)")
        if response.status_code >= 300:
            raise StoreUnavailableError(MSG_FAILED.format(reason=f"HTTP {response.status_code}"))

    # --- the store interface --------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node | Sequence[Node]] | None = None,
        union: bool = False,
    ) -> Any:
        """Run a query on the server; the answer is parsed by pyoxigraph (``QuerySolutions``,
        ``QueryBoolean`` or a list of ``Triple``). ``union`` is ignored: the server's default
        graph is the merge of the named graphs."""
        if bindings:
            sparql = bind_values(sparql, bindings)
        return self.request(sparql)

    def __len__(self) -> int:
        """Quads on the server, default graph included (a full count: slow on a large server)."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        return int(rows[0]["n"]) if rows else 0

    def is_empty(self) -> bool:
        """Whether the server holds no triple (an ``ASK``)."""
        return not self.ask("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")

    def fingerprint(self) -> str:
        """The dataset's cheap fingerprint: ``quads=<n>``, its number of quads in named graphs."""
        rows = self.select(FINGERPRINT_QUERY)
        return f"quads={int(rows[0]['n']) if rows else 0}"

    def update(self, sparql: str) -> None:
        """Send a SPARQL Update followed by the re-derivation of the merged default graph.

        Raises:
            ForbiddenOperationError: no update endpoint is configured.
            QuerySyntaxError: the server refused the update.
        """
        with self._write_lock:
            try:
                self._post_update(f"{sparql}\n;\n{REDERIVE_DEFAULT_GRAPH}")
            finally:
                self.version += 1

    def clear(self) -> None:
        """Refused: chainkg does not empty a server it does not own."""
        raise ForbiddenOperationError(MSG_LOAD_REMOTE)

    def _write(self, quads: list[ox.Quad], sources: list[str]) -> LoadReport:
        raise ForbiddenOperationError(MSG_LOAD_REMOTE)

    def bulk_load_file(self, path: str | Path, **options: Any) -> LoadReport:
        """Refused: load the file with the server's own loader."""
        raise ForbiddenOperationError(MSG_LOAD_REMOTE)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the named graphs, then the default graph's triples (two SELECTs)."""
        rows = self.request("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for sol in rows:
            yield ox.Quad(sol["s"], sol["p"], sol["o"], sol["g"])
        for sol in self.request("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"):
            yield ox.Quad(sol["s"], sol["p"], sol["o"], ox.DefaultGraph())

    def export(self, fmt: str, *, graph: str | None = None) -> bytes:
        """Serialize the server's data as :meth:`KGStore.export` does (read through SELECTs)."""
        f = rdf_format(fmt)
        items: Iterable[Any]
        if graph is not None:
            items = (ox.Triple(s["s"], s["p"], s["o"]) for s in self.request(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"))
        elif f.supports_datasets:
            items = self.quads()
        else:
            items = (ox.Triple(s["s"], s["p"], s["o"]) for s in self.request("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
        out = io.BytesIO()
        ox.serialize(list(items), out, format=f)
        return out.getvalue()

    def snapshot(self, target: str | Path) -> None:
        """Refused: a remote store has no local files."""
        raise ValueError("a remote store has no snapshot")

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


def _multi(form: list[tuple[str, str]]) -> dict[str, list[str] | str]:
    """httpx form data keeping repeated keys."""
    out: dict[str, list[str] | str] = {}
    for key, value in form:
        if key in out:
            existing = out[key]
            out[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[key] = value
    return out


def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ResultTooLargeError(f"the SPARQL server's answer is over {MAX_ANSWER_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _message(body: bytes) -> str:
    return body.decode("utf-8", "replace").strip()
