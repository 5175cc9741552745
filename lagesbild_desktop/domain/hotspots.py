"""Hotspots of observations: Getis-Ord Gi* on a 200 m grid, exact p-values, FDR control.

Method (see also docs/decisions.md, "Hotspots"):

1. **Grid.** The points are projected to SWEREF 99 TM (EPSG:3006) and binned into square
   cells of `cell_size_m` (200 m). The study area is the block of cells covering the
   points' extent, anchored at the south-west point; `margin_cells` empty rings may be
   added around it (default none: empty cells outside the data's extent would lower the
   expected count and make the test too liberal).
2. **Statistic.** For every cell i, Gi* (Getis & Ord 1992; Ord & Getis 1995) over the
   queen neighbourhood with the cell itself, binary weights: L_i is the number of points
   in the 3 x 3 window (600 m x 600 m) around i and W_i the number of its cells inside the
   study area (9, or 6 and 4 at the edge),

       z_i = (L_i - X W_i) / (S sqrt((n W_i - W_i^2) / (n - 1)))

   with n cells, X the mean count per cell and S the standard deviation of the counts.
   z is the *score* that ranks hotspots.
3. **Significance.** The usual normal p-value of z is far too liberal for counts on a
   fine grid (mostly zeros, a skewed distribution, only nine cells in a window): in pure
   noise it found a "hotspot" in most maps. The p-value is therefore exact, under the
   null hypothesis of complete spatial randomness given the number of points N: each
   point falls in any cell with equal probability, so L_i ~ Binomial(N, W_i / n) and
   p_i = P(Binomial(N, W_i / n) >= L_i), one-sided (hot only; "fewer than expected" is
   not a finding in a lägesbild). For a given W_i, z_i is a monotone function of L_i,
   so the test and the score rank cells alike.
4. **Multiple testing.** Benjamini-Hochberg over all n cells at q = 0.05. When there is
   no hotspot at all, BH's false discovery rate equals the chance of reporting any
   hotspot, so a map of pure noise shows one in at most about 5 % of cases (tested in
   tests/unit/test_hotspots.py); when there are real hotspots, BH keeps more of them than
   Bonferroni would.
5. **Hotspots.** Significant hot cells are grouped by the peak of z they lead up to
   (each cell points to its highest significant neighbour, ties to the lower cell; the
   cells that end at the same local maximum form one hotspot), so a town centre with two
   separate concentrations gives two hotspots instead of one blob of a kilometre or two.
   `grouping="connected"` merges all touching significant cells instead (8-neighbourhood).
   A hotspot's place is its significant cells that hold observations (empty cells are
   hot only through their neighbours, and a group of only empty cells is dropped); its
   centre is the mean position of those
   observations, its radius the distance from the centre to the farthest corner of those
   cells, its score the largest z, its p and q the smallest of its cells, and its
   significance label comes from that q. The ten with the highest score are returned.

Note what "hot" means here: more observations than the average over the study area, so
with a whole region selected the town centres come first; select a municipality or an
area to see the places within it.

Degenerate input (no points, one point, all points in one cell, all cells equal) gives
no hotspots and never divides by zero.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lagesbild_desktop.domain.geo import sweref_to_wgs84_many, wgs84_to_sweref_many

if TYPE_CHECKING:
    from typing import TypeAlias

    import numpy.typing as npt

    FloatArray: TypeAlias = npt.NDArray[np.float64]
    IntArray: TypeAlias = npt.NDArray[np.int64]
    Numbers: TypeAlias = Sequence[float] | npt.NDArray[Any]
    Ids: TypeAlias = Sequence[str] | npt.NDArray[np.object_]

CELL_SIZE_M = 200.0
FDR_Q = 0.05
TOP = 10
METHOD = "Getis-Ord Gi*, 3x3 queen window incl. the cell, binary weights; exact binomial " \
         "p-values under complete spatial randomness; Benjamini-Hochberg FDR"
# Terms of the binomial tail summed exactly; the rest is bounded from above (conservative).
_TAIL_TERMS = 64
_NEIGHBOURS = tuple((dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1))
# Significance labels by the BH-adjusted p-value (q) of a hotspot's strongest cell.
LEVELS = ((0.001, "99,9 %", 0.999), (0.01, "99 %", 0.99), (0.05, "95 %", 0.95),
          (0.10, "90 %", 0.90))


@dataclass(frozen=True, slots=True)
class Hotspot:
    rank: int
    centre_lat: float
    centre_lon: float
    centre_northing: float
    centre_easting: float
    radius_m: float
    cell_size_m: float
    # South-west corners (easting, northing) of the cells, SWEREF 99 TM metres.
    cells: tuple[tuple[float, float], ...]
    count: int
    score: float  # the largest Gi* z of the hotspot's cells
    p_value: float  # the smallest exact p-value of its cells
    q_value: float  # the smallest Benjamini-Hochberg adjusted p-value of its cells
    significance: str  # "99,9 %", "99 %", "95 %"
    confidence: float  # 0.999, 0.99, 0.95
    observation_ids: tuple[str, ...]
    place: str = ""  # the place name most of its observations give, when names are given

    def to_json(self, *, with_ids: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rank": self.rank,
            "place": self.place,
            "centre": {"lat": round(self.centre_lat, 6), "lon": round(self.centre_lon, 6),
                       "northing": round(self.centre_northing, 1),
                       "easting": round(self.centre_easting, 1)},
            "radius_m": round(self.radius_m, 1),
            "cell_size_m": self.cell_size_m,
            "cells": [[e, n] for e, n in self.cells],
            "count": self.count,
            "score": round(self.score, 3),
            "p_value": self.p_value,
            "q_value": self.q_value,
            "significance": self.significance,
            "confidence": self.confidence,
        }
        if with_ids:
            data["observation_ids"] = list(self.observation_ids)
        return data


@dataclass(frozen=True, slots=True)
class HotspotAnalysis:
    """The hotspots and what they were found from (for the report's method note)."""

    hotspots: tuple[Hotspot, ...]
    points: int
    cells_tested: int  # cells in the study area: the number of tests BH corrects for
    significant_cells: int
    clusters: int  # hotspots before keeping the top ones
    cell_size_m: float = CELL_SIZE_M
    q: float = FDR_Q
    method: str = METHOD

    def to_json(self, *, with_ids: bool = True) -> dict[str, Any]:
        return {
            "method": self.method,
            "cell_size_m": self.cell_size_m,
            "fdr_q": self.q,
            "points": self.points,
            "cells_tested": self.cells_tested,
            "significant_cells": self.significant_cells,
            "hotspots_found": self.clusters,
            "hotspots": [h.to_json(with_ids=with_ids) for h in self.hotspots],
        }


def find_hotspots(
    latitudes: Numbers, longitudes: Numbers, ids: Ids, **options: Any
) -> HotspotAnalysis:
    """Hotspots of WGS 84 points; `options` as for :func:`find_hotspots_sweref`."""
    if len(latitudes) == 0:
        return find_hotspots_sweref([], [], ids, **options)
    northings, eastings = wgs84_to_sweref_many(latitudes, longitudes)
    return find_hotspots_sweref(northings, eastings, ids, **options)


def find_hotspots_sweref(
    northings: Numbers, eastings: Numbers, ids: Ids, *,
    cell_size_m: float = CELL_SIZE_M, q: float = FDR_Q, top: int = TOP, margin_cells: int = 0,
    grouping: str = "peaks", places: Ids | None = None,
) -> HotspotAnalysis:
    """Hotspots of points in SWEREF 99 TM metres; `ids` (and `places`, the place names
    used to name a hotspot) go row by row with the points."""
    north = np.asarray(northings, dtype=np.float64)
    east = np.asarray(eastings, dtype=np.float64)
    if north.shape != east.shape or north.ndim != 1 or len(ids) != north.size:
        raise ValueError("northings, eastings and ids must be 1-D and of equal length")
    points = int(north.size)
    if points < 2:
        return HotspotAnalysis((), points, 0, 0, 0, cell_size_m, q)

    # Cells, anchored at the south-west point so the block hugs the data's extent.
    origin_e = math.floor(float(east.min()) / cell_size_m) * cell_size_m
    origin_n = math.floor(float(north.min()) / cell_size_m) * cell_size_m
    col = np.floor((east - origin_e) / cell_size_m).astype(np.int64) + margin_cells
    row = np.floor((north - origin_n) / cell_size_m).astype(np.int64) + margin_cells
    n_cols = int(col.max()) + 1 + margin_cells
    n_rows = int(row.max()) + 1 + margin_cells
    n_cells = n_cols * n_rows
    occupied, inverse, counts = np.unique(row * n_cols + col, return_inverse=True,
                                          return_counts=True)
    point_cell = np.asarray(inverse, dtype=np.int64).ravel()
    if occupied.size < 2 and margin_cells == 0:
        # Every point in one cell: the study area is that cell, nothing to compare with.
        return HotspotAnalysis((), points, n_cells, 0, 0, cell_size_m, q)

    # Only cells whose window holds a point can be hot; the others have L = 0 and p = 1.
    candidates = np.unique(np.concatenate(
        [_shifted(occupied, dr, dc, n_rows, n_cols) for dr, dc in _NEIGHBOURS]))
    candidates = candidates[candidates >= 0]
    window = np.zeros(candidates.size, dtype=np.int64)
    cells_in_window = np.zeros(candidates.size, dtype=np.int64)
    for dr, dc in _NEIGHBOURS:
        neighbour = _shifted(candidates, dr, dc, n_rows, n_cols)
        inside = neighbour >= 0
        cells_in_window += inside
        window += _lookup(occupied, counts, neighbour)

    z = _gi_star(window, cells_in_window, counts, n_cells)
    p = _binomial_upper_tail(window, points, cells_in_window / n_cells)
    q_values = _bh_adjusted(p, n_cells)
    hot = (q_values <= q) & (z > 0)
    significant = candidates[hot]
    if grouping == "connected":
        labels = _components(significant, n_rows, n_cols)
    else:
        labels = _peaks(significant, z[hot], n_rows, n_cols)
    n_clusters = int(labels.max()) + 1 if labels.size else 0
    if n_clusters == 0:
        return HotspotAnalysis((), points, n_cells, 0, 0, cell_size_m, q)

    # Each point's cluster (-1: none), through its cell.
    cell_cluster = np.full(occupied.size, -1, dtype=np.int64)
    at = np.asarray(np.searchsorted(significant, occupied), dtype=np.int64)
    found = (at < significant.size) & (significant[np.minimum(at, significant.size - 1)]
                                       == occupied)
    cell_cluster[found] = labels[at[found]]
    point_cluster = cell_cluster[point_cell]

    z_hot, p_hot, q_hot = z[hot], p[hot], q_values[hot]
    holds_points = _lookup(occupied, counts, significant) > 0
    score = np.full(n_clusters, -np.inf)
    np.maximum.at(score, labels, z_hot)
    size = np.bincount(point_cluster[point_cluster >= 0], minlength=n_clusters)
    # A group of empty cells, hot only through points outside it, is no place.
    places_found = [k for k in range(n_clusters) if size[k] > 0]
    order = sorted(places_found, key=lambda k: (-score[k], -size[k], k))[:top]

    id_array = np.asarray(ids, dtype=object)
    place_array = None if places is None else np.asarray(places, dtype=object)
    spots = []
    for rank, k in enumerate(order, start=1):
        members = np.flatnonzero(point_cluster == k)
        in_cluster = labels == k
        # The place is the hot cells that hold observations; empty cells are hot only
        # through their neighbours' points and would blur the circle drawn on the map.
        cell_keys = significant[in_cluster & holds_points]
        cell_rows, cell_cols = np.divmod(cell_keys, n_cols)
        sw_e = origin_e + (cell_cols - margin_cells) * cell_size_m
        sw_n = origin_n + (cell_rows - margin_cells) * cell_size_m
        centre_e, centre_n = float(east[members].mean()), float(north[members].mean())
        far_e = np.maximum(np.abs(sw_e - centre_e), np.abs(sw_e + cell_size_m - centre_e))
        far_n = np.maximum(np.abs(sw_n - centre_n), np.abs(sw_n + cell_size_m - centre_n))
        radius = float(np.sqrt(far_e**2 + far_n**2).max())
        best_q = float(q_hot[in_cluster].min())
        label, confidence = _level(best_q)
        lats, lons = sweref_to_wgs84_many([centre_n], [centre_e])
        spots.append(Hotspot(
            rank=rank, centre_lat=lats[0], centre_lon=lons[0], centre_northing=centre_n,
            centre_easting=centre_e, radius_m=radius, cell_size_m=cell_size_m,
            cells=tuple(zip(sw_e.tolist(), sw_n.tolist(), strict=True)),
            count=int(members.size), score=float(score[k]),
            p_value=float(p_hot[in_cluster].min()), q_value=best_q,
            significance=label, confidence=confidence,
            observation_ids=tuple(id_array[members].tolist()),
            place="" if place_array is None else _most_common(place_array[members].tolist())))
    return HotspotAnalysis(tuple(spots), points, n_cells, int(significant.size),
                           len(places_found), cell_size_m, q)


def _shifted(keys: IntArray, dr: int, dc: int, n_rows: int, n_cols: int) -> IntArray:
    """The keys of the cells (dr, dc) away; -1 where that is outside the grid."""
    rows, cols = np.divmod(keys, n_cols)
    rows = rows + dr
    cols = cols + dc
    inside = (rows >= 0) & (rows < n_rows) & (cols >= 0) & (cols < n_cols)
    return np.where(inside, rows * n_cols + cols, -1)


def _lookup(keys: IntArray, values: IntArray, wanted: IntArray) -> IntArray:
    """values[keys == w] for each w of `wanted` (sorted `keys`), 0 where absent or -1."""
    at = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    present = (keys[at] == wanted) & (wanted >= 0)
    return np.where(present, values[at], 0)


def _gi_star(window: IntArray, weights: IntArray, counts: IntArray, n_cells: int) -> FloatArray:
    """Gi* z for binary weights; 0 where it is undefined (all cells equal, one window)."""
    total = float(counts.sum())
    mean = total / n_cells
    variance = float((counts.astype(np.float64) ** 2).sum()) / n_cells - mean * mean
    w = weights.astype(np.float64)
    spread = (n_cells * w - w * w) / max(n_cells - 1, 1)
    denominator = math.sqrt(max(variance, 0.0)) * np.sqrt(np.maximum(spread, 0.0))
    z = np.zeros(window.size, dtype=np.float64)
    ok = denominator > 1e-12
    z[ok] = (window[ok] - mean * w[ok]) / denominator[ok]
    return z


def _binomial_upper_tail(k: IntArray, trials: int, prob: FloatArray) -> FloatArray:
    """P(X >= k) for X ~ Binomial(trials, prob), element by element.

    Exact (to ~1e-9 relative) in the upper tail, where it matters; for k at or below the
    mean it returns 1, and for k just above it an upper bound: both can only make a
    cell less significant, never more.
    """
    result = np.ones(k.size, dtype=np.float64)
    upper = (k > trials * prob) & (prob < 1.0) & (k > 0)
    if not upper.any():
        return result
    pairs, back = np.unique(np.stack([k[upper].astype(np.float64), prob[upper]]), axis=1,
                            return_inverse=True)
    kk = pairs[0].astype(np.int64)
    pp = pairs[1]
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, trials + 1)))])
    j = kk[:, None] + np.arange(_TAIL_TERMS)[None, :]
    valid = j <= trials
    jc = np.minimum(j, trials)
    log_pmf = (log_factorial[trials] - log_factorial[jc] - log_factorial[trials - jc]
               + jc * np.log(pp)[:, None] + (trials - jc) * np.log1p(-pp)[:, None])
    terms = np.where(valid, np.exp(log_pmf), 0.0)
    tail = terms.sum(axis=1)
    # Past the last summed term the terms fall at least by the ratio there.
    last = jc[:, -1]
    ratio = (trials - last) * pp / ((last + 1) * (1.0 - pp))
    rest = np.where(valid[:, -1] & (ratio < 1.0),
                    terms[:, -1] * ratio / np.maximum(1.0 - ratio, 1e-300), 0.0)
    rest = np.where(valid[:, -1] & (ratio >= 1.0), 1.0, rest)
    result[upper] = np.minimum(tail + rest, 1.0)[back.ravel()]
    return result


def _bh_adjusted(p: FloatArray, tests: int) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values of `p` among `tests` tests (the rest p = 1)."""
    if p.size == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * tests / np.arange(1, p.size + 1)
    adjusted = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    result = np.empty_like(adjusted)
    result[order] = adjusted
    return result


def _components(keys: IntArray, n_rows: int, n_cols: int) -> IntArray:
    """Labels 0..k-1 of the 8-connected groups of the sorted cell `keys`."""
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    firsts, seconds = [], []
    for dr, dc in _NEIGHBOURS:
        if (dr, dc) == (0, 0):
            continue
        neighbour = _shifted(keys, dr, dc, n_rows, n_cols)
        at = np.minimum(np.searchsorted(keys, neighbour), keys.size - 1)
        linked = (keys[at] == neighbour) & (neighbour >= 0)
        firsts.append(np.flatnonzero(linked))
        seconds.append(at[linked])
    a = np.concatenate(firsts)
    b = np.concatenate(seconds)
    labels = np.arange(keys.size, dtype=np.int64)
    while True:  # smallest index of the group: spread along links, then jump pointers
        spread = labels.copy()
        np.minimum.at(spread, a, labels[b])
        spread = spread[spread]
        if np.array_equal(spread, labels):
            break
        labels = spread
    _, dense = np.unique(labels, return_inverse=True)
    return dense.ravel().astype(np.int64)


def _peaks(keys: IntArray, z: FloatArray, n_rows: int, n_cols: int) -> IntArray:
    """Labels 0..k-1 of the peak each cell of `keys` climbs to by steepest ascent of z.

    Every cell points to its highest neighbour among `keys` (itself when none is higher;
    ties go to the lower key, so the pointers never form a cycle); following the
    pointers ends at a local maximum, and the cells that end at the same one are a group.
    """
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    best = np.arange(keys.size, dtype=np.int64)
    best_z = z.copy()
    for dr, dc in _NEIGHBOURS:
        if (dr, dc) == (0, 0):
            continue
        neighbour = _shifted(keys, dr, dc, n_rows, n_cols)
        at = np.minimum(np.searchsorted(keys, neighbour), keys.size - 1)
        present = (keys[at] == neighbour) & (neighbour >= 0)
        higher = present & ((z[at] > best_z) | ((z[at] == best_z) & (at < best)))
        best = np.where(higher, at, best)
        best_z = np.where(higher, z[at], best_z)
    while True:
        jumped = best[best]
        if np.array_equal(jumped, best):
            break
        best = jumped
    _, dense = np.unique(best, return_inverse=True)
    return dense.ravel().astype(np.int64)


def _most_common(names: list[str]) -> str:
    tally = Counter(names)
    tally.pop("", None)
    return min(tally, key=lambda n: (-tally[n], n)) if tally else ""


def _level(q_value: float) -> tuple[str, float]:
    for limit, label, confidence in LEVELS:
        if q_value <= limit:
            return label, confidence
    return "ej signifikant", 0.0
