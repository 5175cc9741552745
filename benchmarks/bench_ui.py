"""UI benchmark: cold start to a drawn map, filter changes, and the folium-rebuild baseline.

Run with `make bench` (after bench_store.py) or
`QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 .venv/bin/python benchmarks/bench_ui.py`.
It prints figures and ratios, and "goal met: yes/NO" per goal; it is not a timed test.
Every measurement runs the real app in a fresh child process (this same file, with
`--child`), so one Qt application never carries state from one measurement to the next.
Results and how to read them: docs/benchmarks.md, "UI benchmark".
"""

from __future__ import annotations

import time

_T0 = time.monotonic()  # as early as this interpreter can say: the child's own start

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SEED = 2
TODAY = date(2026, 11, 26)
SIZES = (50_000, 200_000)
BASELINE_MAX = 50_000  # one folium.Marker per point: ~30 s at 50k, impractical above
COLD_GOAL_S = 3.0  # at 200,000
FILTER_GOAL_S = 1.0  # at 200,000
RATIO_GOAL = 10.0  # baseline / our change to the same points, at 50,000
GOAL_SIZE = 200_000
CATEGORY = "vandalism"  # Skadegörelse with Klotter, Glaskross, Anlagd brand
EVERYTHING = 4  # index of "Allt" in FilterPanel.period
RESULT = "BENCH-RESULT "
CHILD_TIMEOUT_S = 300


def now() -> float:
    # CLOCK_MONOTONIC is one clock for every process on the machine, so a child's reading
    # can be compared with the moment the parent launched it.
    return time.monotonic()


# ==== the parent: demos, child processes, the report ==========================================

def demo_database(workdir: Path, size: int) -> tuple[Path, float | None]:
    """The demo database of this size, built once per work folder and reused."""
    path = workdir / f"demo-{size}-seed{SEED}-{TODAY.isoformat()}.db"
    if path.exists():
        return path, None
    from lagesbild_desktop.services.demo import build_demo

    started = now()
    build_demo(path, observations=size, seed=SEED, today=TODAY)
    return path, now() - started


def run_child(kind: str, db: Path, workdir: Path, *extra: str) -> dict[str, Any]:
    """Run this file as `--child KIND` in a fresh interpreter; its figures as a dict."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    home = workdir / "home"  # logs and drafts; no draft may ask a question at start
    shutil.rmtree(home / "drafts", ignore_errors=True)
    env["LAGESBILD_HOME"] = str(home)
    # The window signs in first; the demo database's documented account skips the dialog.
    env.setdefault("LAGESBILD_USER", "admin.demo")
    env.setdefault("LAGESBILD_PASSWORD", "demo")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind,
               "--db", str(db), *extra]
    launched = now()
    env["LAGESBILD_BENCH_LAUNCHED"] = repr(launched)
    done = subprocess.run(command, env=env, capture_output=True, text=True,
                          timeout=CHILD_TIMEOUT_S, check=False)
    wall = now() - launched
    for line in done.stdout.splitlines():
        if line.startswith(RESULT):
            figures: dict[str, Any] = json.loads(line[len(RESULT):])
            figures["process_wall_s"] = wall
            return figures
    tail = "\n".join((done.stderr or "").splitlines()[-30:])
    raise RuntimeError(f"child {kind} on {db.name} gave no result (exit {done.returncode}):\n"
                       f"{done.stdout[-2000:]}\n{tail}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def yes_no(ok: bool) -> str:
    return "yes" if ok else "NO"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES),
                        help="observation counts, comma-separated (default 50000,200000)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="filter-change rounds per size; each round is one change to the "
                             "category and one back to everything (default 5)")
    parser.add_argument("--cold-repeat", type=int, default=3,
                        help="cold starts per size (default 3)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the demo databases here and reuse them (default: a "
                             "temporary folder, removed)")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="skip the folium Marker + MarkerCluster rebuild (~35 s)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--child", choices=["gui", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--changes", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "gui":
        return child_gui(args.db, args.changes)
    if args.child == "baseline":
        return child_baseline(args.db)

    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lagesbild-bench-ui-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return run(args, sizes, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, sizes: list[int], workdir: Path) -> int:
    import PySide6

    started = now()
    print(f"Lägesbild UI benchmark — {platform.python_implementation()} "
          f"{platform.python_version()}, PySide6 {PySide6.__version__}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}, "
          f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', '(unset: offscreen)')}")
    print(f"work folder: {workdir}\n")

    figures: dict[str, Any] = {"sizes": {}, "baseline": None}
    for size in sizes:
        path, built = demo_database(workdir, size)
        note = f"built in {built:.1f} s" if built is not None else "reused"
        print(f"demo database, {size:,} observations: {path.name} ({note})", flush=True)
        figures["sizes"][size] = {"db": str(path), "demo_build_s": built}

    for size in sizes:
        entry = figures["sizes"][size]
        db = Path(entry["db"])
        print(f"\n== {size:,} observations ==", flush=True)
        print(f"1. cold start ×{args.cold_repeat} (fresh process, period 'Allt') ...",
              flush=True)
        colds = [run_child("gui", db, workdir) for _ in range(args.cold_repeat)]
        entry["cold"] = colds
        print_cold(colds)
        print(f"2. filter changes ×{2 * args.repeat} (Allt -> {CATEGORY} -> Allt ...) ...",
              flush=True)
        changes = run_child("gui", db, workdir, "--changes", str(args.repeat))
        entry["changes"] = changes
        print_changes(changes)

    base_size = max((s for s in sizes if s <= BASELINE_MAX), default=None)
    if args.skip_baseline:
        print("\n3. baseline: skipped (--skip-baseline)")
    elif importlib.util.find_spec("xstatic.pkg.leaflet_markercluster") is None:
        print("\n3. baseline: skipped — it needs Leaflet.markercluster on disk: "
              "`.venv/bin/pip install xstatic-leaflet-markercluster`")
    elif base_size is None:
        print(f"\n3. baseline: skipped (it runs at sizes up to {BASELINE_MAX:,} only)")
    else:
        print(f"\n3. baseline at {base_size:,}: folium.Map + one folium.Marker per point in a "
              f"MarkerCluster, rendered, written, loaded in a QWebEngineView ...", flush=True)
        baseline = run_child("baseline", Path(figures["sizes"][base_size]["db"]), workdir)
        baseline["size"] = base_size
        figures["baseline"] = baseline
        print_baseline(baseline)
        if any(s > BASELINE_MAX for s in sizes):
            print(f"   not run above {BASELINE_MAX:,}: the folium build grows with the markers "
                  f"(~4x the time and HTML at 200,000), which is impractical in a benchmark")

    print_table(figures, sizes)
    figures["elapsed_s"] = now() - started
    print(f"\nwhole run: {figures['elapsed_s']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str),
                             encoding="utf-8")
    return 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def print_cold(colds: list[dict[str, Any]]) -> None:
    for i, c in enumerate(colds, 1):
        print(f"   run {i}: launch -> map drawn {c['launch_to_drawn_s']:.2f} s "
              f"(interpreter -> map drawn {c['interp_to_drawn_s']:.2f} s; table at "
              f"{c['launch_to_table_s']:.2f} s; {c['drawn']:,} points; whole process "
              f"{c['process_wall_s']:.1f} s)")
    print("   where the time goes (median, seconds after launch):")
    moments = []
    for key, label in COLD_MARKS:
        values = [c["marks"][key] for c in colds if key in c["marks"]]
        if values:
            moments.append((median(values), label))
    for moment, label in sorted(moments):
        print(f"     {moment:6.2f}  {label}")
    for key, label in COLD_SPANS:
        values = [c["spans"][key] for c in colds if key in c["spans"]]
        if values:
            print(f"     {median(values) * 1000:6.0f} ms {label}")


COLD_MARKS = (
    ("interpreter", "interpreter running this file (Python start-up done)"),
    ("imports", "PySide6, QtWebEngine and the app imported"),
    ("window_made", "MainWindow constructed (period set to 'Allt')"),
    ("shown", "window shown (first showEvent)"),
    ("choices", "choices loaded (worker) -> page build starts"),
    ("page_built", "folium page written (worker)"),
    ("page_ready", "page loaded, QWebChannel up (MapView.ready)"),
    ("table", "table_loaded (first)"),
    ("map_query", "map_points query done (worker)"),
    ("encoded", "points encoded (GUI thread), runJavaScript sent"),
    ("drawn", "map_drawn: page has decoded, clustered and drawn"),
)
COLD_SPANS = (
    ("map_query", "map_points query (worker)"),
    ("encode", "encode_points (GUI thread)"),
    ("js_push", "JS setObservations: decode + project + cluster + draw (pushMs)"),
    ("js_draw", "  of which the canvas draw (drawMs)"),
)


def print_changes(c: dict[str, Any]) -> None:
    for kind in ("category", "everything"):
        rows = [r for r in c["changes"] if r["kind"] == kind]
        if not rows:
            continue
        pick = median  # every figure below is a median
        print(f"   -> {kind:10} ({rows[0]['count']:,} points, n={len(rows)}): total "
              f"{pick([r['total'] for r in rows]):.3f} s median "
              f"(min {min(r['total'] for r in rows):.3f}, max "
              f"{max(r['total'] for r in rows):.3f}); table {pick([r['table'] for r in rows]):.3f}"
              f" s, map {pick([r['map'] for r in rows]):.3f} s")
        print(f"      map path: query {_ms(pick([r['map_query'] for r in rows]))} (worker), "
              f"encode {_ms(pick([r['encode'] for r in rows]))} (GUI), "
              f"JS push {_ms(pick([r['js_push'] for r in rows]))} (draw "
              f"{_ms(pick([r['js_draw'] for r in rows]))}), transfer + waits "
              f"{_ms(pick([r['map_other'] for r in rows]))}; table query "
              f"{_ms(pick([r['table_query'] for r in rows]))} (worker); longest GUI pause "
              f"{_ms(max(r['longest_pause'] for r in rows))}")


def print_baseline(b: dict[str, Any]) -> None:
    print(f"   {b['count']:,} markers: folium build + render {b['build_s']:.1f} s, "
          f"{b['html_mb']:.1f} MB HTML; load until loadFinished {b['load_s']:.1f} s; until "
          f"the cluster layer holds every marker {b['cluster_s']:.1f} s")
    print(f"   total (rebuild + reload until the cluster layer exists): {b['total_s']:.1f} s "
          f"(next frame drawn at {b['frame_s']:.1f} s); "
          f"remote requests blocked: {b['blocked']}; page errors: {len(b['errors'])}")
    for error in b["errors"][:3]:
        print(f"     {error}")


def print_table(figures: dict[str, Any], sizes: list[int]) -> None:
    print()
    print(f"{'measure':52} {'size':>8} {'figure':>12}  {'goal':12}  goal met")
    print("-" * 98)
    goals: list[bool] = []
    for size in sizes:
        entry = figures["sizes"][size]
        cold = median([c["launch_to_drawn_s"] for c in entry["cold"]])
        entry["cold_median_s"] = cold
        goal, met = ("< 3 s", yes_no(cold < COLD_GOAL_S)) if size == GOAL_SIZE else ("", "")
        if size == GOAL_SIZE:
            goals.append(cold < COLD_GOAL_S)
        print(f"{'cold start: launch -> map drawn, median of ' + str(len(entry['cold'])):52} "
              f"{size:>8,} {cold:>10.2f} s  {goal:12}  {met}")
    for size in sizes:
        rows = figures["sizes"][size]["changes"]["changes"]
        total = median([r["total"] for r in rows])
        figures["sizes"][size]["change_median_s"] = total
        goal, met = ("< 1 s", yes_no(total < FILTER_GOAL_S)) if size == GOAL_SIZE else ("", "")
        if size == GOAL_SIZE:
            goals.append(total < FILTER_GOAL_S)
        print(f"{'filter change: emitted -> table + map, median of ' + str(len(rows)):52} "
              f"{size:>8,} {total:>10.3f} s  {goal:12}  {met}")
        for kind in ("category", "everything"):
            part = [r for r in rows if r["kind"] == kind]
            if part:
                label = f"  of which -> {kind} ({part[0]['count']:,} points)"
                print(f"{label:52} {size:>8,} {median([r['total'] for r in part]):>10.3f} s")
    baseline = figures["baseline"]
    if baseline is not None:
        size = baseline["size"]
        rows = figures["sizes"][size]["changes"]["changes"]
        ours = median([r["total"] for r in rows if r["kind"] == "everything"])
        ratio = baseline["total_s"] / ours
        baseline["ratio"] = ratio
        print(f"{'baseline: folium Marker+MarkerCluster rebuild+reload':52} {size:>8,} "
              f"{baseline['total_s']:>10.1f} s")
        print(f"{'ratio baseline / our change to the same points':52} {size:>8,} "
              f"{ratio:>10.0f} x  {'>= 10x':12}  {yes_no(ratio >= RATIO_GOAL)}")
        goals.append(ratio >= RATIO_GOAL)
    if GOAL_SIZE not in sizes:
        print(f"(the start and filter goals are set at {GOAL_SIZE:,}; not measured this run)")
    print(f"\nall goals met: {yes_no(all(goals)) if goals else 'n/a'}")


# ==== child: the app, started the way `lagesbild gui` starts it ================================

class Timeline:
    """Moments (monotonic) and the durations of instrumented calls, from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[tuple[str, float, float, bool]] = []  # name, start, end, gui?

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*a: Any, **kw: Any) -> Any:
            started = now()
            try:
                return fn(*a, **kw)
            finally:
                with self.lock:
                    self.calls.append((name, started, now(),
                                       threading.current_thread() is threading.main_thread()))
        return timed

    def last(self, name: str, after: float) -> tuple[float, float] | None:
        with self.lock:
            found = [(s, e) for n, s, e, _ in self.calls if n == name and s >= after]
        return found[-1] if found else None


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Turn the event loop (sleeping between events) until `condition()` holds."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    deadline = now() + timeout_s
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(lambda: loop.quit() if condition() or now() > deadline else None)
    poll.start()
    loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def child_gui(db_path: Path, changes: int) -> int:
    """Start the app through `lagesbild gui --db`, time it, then (optionally) change filters.

    MainWindow is replaced by a subclass that sets the period to "Allt" before the first
    filter is applied (the app has no start-up option for the period) and records when
    things happen; the app's own code does the rest.
    """
    launched = float(os.environ.get("LAGESBILD_BENCH_LAUNCHED", _T0))
    tl = Timeline()
    from lagesbild_desktop.ui.app import prepare_environment

    prepare_environment()
    from lagesbild_desktop import cli
    from lagesbild_desktop.services import observations
    from lagesbild_desktop.ui import main_window, map_view

    marks: dict[str, float] = {"interpreter": _T0}
    observations.map_points = tl.wrap("map_query", observations.map_points)
    observations.find_observations = tl.wrap("table_query", observations.find_observations)
    map_view.encode_points = tl.wrap("encode", map_view.encode_points)
    map_view.build_page = tl.wrap("page_build", map_view.build_page)
    main_window.load_choices = tl.wrap("choices", main_window.load_choices)
    result: dict[str, Any] = {"launched": launched}
    failure: list[BaseException] = []

    class TimedWindow(main_window.MainWindow):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            marks.setdefault("window_init", now())
            super().__init__(*args, **kwargs)
            self.filters.period.setCurrentIndex(EVERYTHING)  # before the first filter
            result["period_label"] = self.filters.period.currentText()
            marks["window_made"] = now()
            self.drawn_at: list[tuple[float, int]] = []
            self.loaded_at: list[tuple[float, int]] = []
            self.map.ready.connect(lambda: marks.setdefault("page_ready", now()))
            self.map_drawn.connect(lambda n: self.drawn_at.append((now(), n)))
            self.table_loaded.connect(lambda n: self.loaded_at.append((now(), n)))
            self.map_drawn.connect(lambda _n: self._started())
            self.table_loaded.connect(lambda _n: self._started())
            self._driving = False

        def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
            marks.setdefault("shown", now())
            super().showEvent(event)

        def _started(self) -> None:
            if self._driving or not self.drawn_at or not self.loaded_at:
                return
            self._driving = True
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self._drive)

        def _drive(self) -> None:
            try:
                startup(self)
                if changes:
                    result["changes"] = change_filters(self, changes, tl)
            except BaseException as error:  # noqa: BLE001 - reported below
                failure.append(error)
            self.close()

    def startup(window: Any) -> None:
        drawn_t, drawn_n = window.drawn_at[0]
        table_t, table_n = window.loaded_at[0]
        marks["drawn"], marks["table"] = drawn_t, table_t
        stats = js_stats(window)
        for name, key in (("choices", "choices"), ("page_build", "page_built"),
                          ("map_query", "map_query"), ("encode", "encoded")):
            found = tl.last(name, _T0)
            if found:
                marks[key] = found[1]
        spans = {}
        for name in ("map_query", "encode"):
            found = tl.last(name, _T0)
            if found:
                spans[name] = found[1] - found[0]
        spans["js_push"] = stats.get("pushMs", float("nan")) / 1000
        spans["js_draw"] = stats.get("drawMs", float("nan")) / 1000
        result.update(
            launch_to_drawn_s=drawn_t - launched, interp_to_drawn_s=drawn_t - _T0,
            launch_to_table_s=table_t - launched, drawn=drawn_n, table_total=table_n,
            every_point=drawn_n == window.model.total,
            marks={k: v - launched for k, v in marks.items()}, spans=spans, js_stats=stats,
            remote_requests_blocked=window.map.remote_requests_blocked,
            console_errors=window.map.console_errors)

    marks["imports"] = now()
    main_window.MainWindow = TimedWindow
    status = cli.main(["gui", "--db", str(db_path)])
    if failure:
        raise failure[0]
    result["exit_status"] = status
    print(RESULT + json.dumps(result, default=str), flush=True)
    return 0


def js_stats(window: Any) -> dict[str, Any]:
    got: list[dict[str, Any]] = []
    window.map.request_stats(got.append)
    wait_until(lambda: bool(got), 30, "the page's stats")
    return got[0]


def change_filters(window: Any, rounds: int, tl: Timeline) -> list[dict[str, Any]]:
    """Switch between a category and everything; time each switch until table and map."""
    from PySide6.QtCore import QTimer

    filters = window.filters
    rows: list[dict[str, Any]] = []
    ticks: list[float] = []
    ticker = QTimer()  # a 10 ms tick shows how long the GUI thread was busy at a stretch
    ticker.setInterval(10)
    ticker.timeout.connect(lambda: ticks.append(now()))
    ticker.start()
    for _ in range(rounds):
        for kind in ("category", "everything"):
            filters.categories.set_checked(
                frozenset({CATEGORY}) if kind == "category" else frozenset())
            filters._timer.stop()  # we emit now; the debounce must not emit again later
            drawn_before, loaded_before = len(window.drawn_at), len(window.loaded_at)
            ticks.clear()
            started = now()
            filters._timer.timeout.emit()  # what the debounce timer does: emit `changed`
            wait_until(lambda: len(window.drawn_at) > drawn_before  # noqa: B023
                       and len(window.loaded_at) > loaded_before, 60,  # noqa: B023
                       f"the {kind} filter")
            map_t, count = window.drawn_at[drawn_before]
            table_t, total = window.loaded_at[loaded_before]
            end = max(map_t, table_t)
            inside = [t for t in ticks if t <= end]
            edges = [started, *inside, end]
            gaps = [b - a for a, b in zip(edges, edges[1:], strict=False)]
            worst = max(range(len(gaps)), key=gaps.__getitem__)
            stats = js_stats(window)
            query = tl.last("map_query", started) or (started, started)
            encode = tl.last("encode", started) or (query[1], query[1])
            table_query = tl.last("table_query", started) or (started, started)
            js_push = stats.get("pushMs", float("nan")) / 1000
            rows.append({
                "kind": kind, "count": count, "table_total": total,
                "total": end - started, "table": table_t - started, "map": map_t - started,
                "map_query": query[1] - query[0], "encode": encode[1] - encode[0],
                "map_wait": (query[0] - started) + (encode[0] - query[1]),
                "js_push": js_push, "js_draw": stats.get("drawMs", float("nan")) / 1000,
                "map_other": (map_t - encode[1]) - js_push,
                "table_query": table_query[1] - table_query[0],
                "longest_pause": gaps[worst], "pause_from": edges[worst] - started,
                "timeline": {"map_query": [query[0] - started, query[1] - started],
                             "encode": [encode[0] - started, encode[1] - started],
                             "table_query": [table_query[0] - started,
                                             table_query[1] - started]}})
            wait_until(lambda: not window.work.busy, 30, "idle")
            settle = now() + 0.2
            wait_until(lambda: now() > settle, 5, "a pause")  # noqa: B023
    ticker.stop()
    return rows


def child_baseline(db_path: Path) -> int:
    """Rebuild a folium map with one Marker per point in a MarkerCluster and reload it."""
    from lagesbild_desktop.ui.app import prepare_environment

    prepare_environment()
    from lagesbild_desktop.ui.map_view import register_schemes

    register_schemes()
    from PySide6.QtCore import QUrl
    from PySide6.QtWidgets import QApplication

    from lagesbild_desktop.db.engine import open_database
    from lagesbild_desktop.domain.filters import ObservationFilter
    from lagesbild_desktop.services import observations
    from lagesbild_desktop.ui.map_view import MapView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = open_database(db_path, create=False)
    points = observations.map_points(db, ObservationFilter())  # "Allt": every live point
    db.close()
    lats, lons = points.latitudes, points.longitudes
    center = ((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)
    view = MapView()  # the app's view: its interceptor blocks and counts remote requests
    view.resize(1100, 540)
    view.show()
    folder = Path(tempfile.mkdtemp(prefix="lagesbild-baseline-"))
    loads: list[tuple[float, bool]] = []
    view.page().loadFinished.connect(lambda ok: loads.append((now(), ok)))

    def load(path: Path) -> tuple[float, bool]:
        before = len(loads)
        view.load(QUrl.fromLocalFile(str(path)))
        wait_until(lambda: len(loads) > before, 600, "loadFinished")
        return loads[before]

    def cluster_size(name: str) -> int:
        got: list[Any] = []
        view.page().runJavaScript(
            f"(function () {{ var c = window[{json.dumps(name)}]; "
            f"return c && c.getLayers ? c.getLayers().length : -1; }})()",
            0, got.append)
        wait_until(lambda: bool(got), 60, "the cluster size")
        return int(got[0] if got[0] is not None else -1)

    # Warm up: the render process starts and loads Leaflet once, as it would have in the
    # app before the user changes a filter.
    small, small_name = baseline_page(folder / "warm.html", lats[:10], lons[:10], center)
    load(small)
    wait_until(lambda: cluster_size(small_name) >= 0, 30, "the warm-up page")

    started = now()
    page, name = baseline_page(folder / "baseline.html", lats, lons, center)
    built = now()
    loaded_t, ok = load(page)
    wait_until(lambda: cluster_size(name) == len(lats), 600, "every marker in the cluster")
    clustered = now()
    # Information: when the next frame after that has been produced (two animation frames).
    view.page().runJavaScript("window.__benchFrame = 0; requestAnimationFrame(function () {"
                              " requestAnimationFrame(function () { window.__benchFrame = 1; });"
                              " }); 0")
    framed: list[Any] = []
    asked = [0]

    def frame_done() -> bool:
        if framed and framed[-1]:
            return True
        if asked[0] == len(framed):  # one question at a time
            asked[0] += 1
            view.page().runJavaScript("window.__benchFrame", 0, framed.append)
        return False

    wait_until(frame_done, 60, "a frame")
    frame_t = now()
    result = {"count": len(lats), "build_s": built - started, "load_s": loaded_t - built,
              "cluster_s": clustered - built, "total_s": clustered - started, "load_ok": ok,
              "frame_s": frame_t - started,
              "html_mb": page.stat().st_size / 1e6, "blocked": view.remote_requests_blocked,
              "blocked_urls": view.blocked_urls, "errors": view.console_errors,
              "assets": "local files (xstatic-leaflet, xstatic-leaflet-markercluster)"}
    view.close()
    app.processEvents()
    shutil.rmtree(folder, ignore_errors=True)
    print(RESULT + json.dumps(result, default=str), flush=True)
    return 0


def baseline_page(path: Path, lats: list[float], lons: list[float],
                  center: tuple[float, float]) -> tuple[Path, str]:
    """The naive page: folium.Map + MarkerCluster + one folium.Marker per point, JS and
    CSS from local files as maps/page.py does (no jQuery, Bootstrap or awesome-markers:
    a default Marker needs none of them). Returns the file and the cluster's JS name."""
    import folium
    import folium.plugins
    from xstatic.pkg import leaflet, leaflet_markercluster

    leaflet_dir = Path(leaflet.BASE_DIR)
    cluster_dir = Path(leaflet_markercluster.BASE_DIR)
    fmap = folium.Map(location=list(center), zoom_start=9, tiles=None, maxZoom=19)
    fmap.default_js = [("leaflet", (leaflet_dir / "leaflet.js").as_uri())]
    fmap.default_css = [("leaflet_css", (leaflet_dir / "leaflet.css").as_uri())]
    cluster = folium.plugins.MarkerCluster(control=False)
    cluster.default_js = [("markerclusterjs",
                           (cluster_dir / "leaflet.markercluster.js").as_uri())]
    cluster.default_css = [
        ("markerclustercss", (cluster_dir / "MarkerCluster.css").as_uri()),
        ("markerclusterdefaultcss", (cluster_dir / "MarkerCluster.Default.css").as_uri())]
    cluster.add_to(fmap)
    for lat, lon in zip(lats, lons, strict=True):
        folium.Marker([lat, lon]).add_to(cluster)
    html = fmap.get_root().render()
    path.write_text(html, encoding="utf-8")  # setHtml fails above 2 MB: load a file
    return path, cluster.get_name()


if __name__ == "__main__":
    sys.exit(main())
