"""The site-pattern bound: the LP over whole site fillings (Dantzig-Wolfe), by column generation.

The pair LP lets a site take a large project and a fraction of another; the packing cuts of
:func:`~.heuristics.packing_cuts` take some of that back, not all. Here each column is a *pattern*: a set of
projects that fit one site together. The LP over patterns (each project on at most one chosen pattern, each
site on at most one) has the convex hull of every site's fillings as its relaxation, the tightest any bound
built site by site can be. On the generated instances it lies 0.0002 % above the best plan known at
2,000 x 5,000 (the cut LP 0.07 %), and at 500 x 1,000 it is the optimum itself on 7 seeds of 10.

Pricing a site is a 0/1 knapsack: at the projects' prices ``u`` (the duals of "at most one site"), the best
filling of site s is worth ``K_s = max sum (c_ps - u_p) x_p`` over the sets that fit. Whatever ``u >= 0``
is, ``sum_p u_p + sum_s K_s`` bounds every plan (a Lagrangian bound: a plan's sites are fillings, each worth
at most K_s at these prices, and each placed project pays back its u_p), so every round yields a true bound
of the full model, all pairs priced. Most sites are priced without a knapsack: when the projects worth
something there fit together, the filling is all of them; when the LP knapsack bound (Dantzig's) is not
above the site's price in the restricted LP, no filling there can improve it. The rest are solved exactly
(:func:`best_filling`).

The same prices give one valid row per site for a MIP, ``sum_p (c_ps - u_p) x_ps <= K_s`` (with them the
MIP's LP is at most the pattern bound); given to HiGHS at 500 x 1,000 they made its MIP 2-4x slower, so they
are not used (``tests/test_patterns.py`` checks that they hold).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from .heuristics import PairArrays
from .rules import FIT_TOL

#: a reduced value above this (relative to the bound) makes a pattern worth adding
PATTERN_TOL: Final = 1e-9
#: the pattern LP counts as solved when its bound is within this share of its objective
CONVERGED: Final = 1e-7
#: the least a filling must improve the pattern LP by to be added, and a site's value need not be known closer
#: than (HiGHS's duals move by about 1e-7 from round to round): the bound is at most this much per site above
#: the pattern LP's optimum
PATTERN_ABS_TOL: Final = 1e-6
#: a round whose fast fillings improve this many sites, or this share of those that may improve, skips the exact
#: knapsacks
EXACT_AFTER: Final = 10
EXACT_SHARE: Final = 0.05
#: the Pareto states an exact knapsack may keep before the site falls back to its LP bound for this round
MAX_STATES: Final = 50_000


@dataclass(frozen=True)
class PatternBound:
    """The outcome of :func:`pattern_bound`."""

    bound: float  # a valid upper bound of the full model (nan when no round finished)
    exact: bool  # no filling left that improves the pattern LP: ``bound`` is its optimum
    rounds: int
    u: np.ndarray = field(repr=False)  # per project, the price of its "at most one site" (at ``bound``)
    k: np.ndarray = field(repr=False)  # per site, an upper bound on its best filling's value at ``u``
    x: np.ndarray = field(repr=False)  # per pair, its value in the last pattern LP (locked pairs 1)
    columns: tuple[np.ndarray, ...] = field(default=(), repr=False)  # every pattern's pairs, ascending

    @property
    def patterns(self) -> int:
        """How many patterns the pattern LP held."""
        return len(self.columns)


def _room(a: PairArrays) -> tuple[np.ndarray, np.ndarray]:
    """Per site the room left by the locked pairs (with the fit tolerance) and per pair whether it is free
    (its project is not locked anywhere)."""
    locked_p = np.zeros(a.n_p, bool)
    locked_p[a.p[a.locked]] = True
    used = np.bincount(a.s[a.locked], weights=a.need[a.locked], minlength=a.n_s)
    return a.cap * (1 + FIT_TOL) + FIT_TOL - used, ~locked_p[a.p]


def best_filling(value: np.ndarray, need: np.ndarray, room: float, floor: float = -math.inf,
                 ) -> tuple[float, np.ndarray | None] | None:
    """The exact 0/1 knapsack: the most ``value`` whose ``need`` fits in ``room``, and the positions taken.

    Only fillings worth more than ``floor`` are looked for. When there is none, the value returned is an
    upper bound of the best (``floor``, or the greedy filling's value or the floor plus a relative
    ``PATTERN_TOL``) and the filling is the greedy one when it is worth ``floor`` or more, else None. The
    greedy filling (by value per need) is the first incumbent; Martello and Toth's reductions then fix the
    items that every better filling takes or leaves (by the LP bound with the item left out or forced in);
    the rest are solved by Nemhauser and Ullmann's Pareto states, pruned by the LP bound of what is left.
    Exact for real-valued needs. None when the states would pass ``MAX_STATES``.
    """
    take = np.flatnonzero(value > 0)
    if not len(take):
        return (0.0, take) if floor < 0 else (floor, None)
    if need[take].sum() <= room:
        total = float(value[take].sum())
        return (total, take) if total > floor else (floor, None)
    order, g_in = _greedy(value, need, room, take)
    v, w = value[order], need[order]
    n = len(v)
    g_val = float(v[g_in].sum())
    target = max(g_val, floor)
    eps = PATTERN_TOL * max(1.0, abs(target))
    # LP bounds with item i left out (row i) or forced in: the others by value per need, the first that
    # does not fit in part
    cum = np.cumsum(w)
    j_ge_i = np.arange(n)[None, :] >= np.arange(n)[:, None]
    other = ~np.eye(n, dtype=bool)
    upto = cum[None, :] - np.where(j_ge_i, w[:, None], 0.0)  # need of the others up to and with j
    def lp_bound(cap: np.ndarray) -> np.ndarray:
        whole = (upto <= cap[:, None]) & other
        over = (upto > cap[:, None]) & other
        got = (whole * v[None, :]).sum(axis=1)
        first = np.argmax(over, axis=1)
        has = over[np.arange(n), first]
        before = upto[np.arange(n), first] - w[first]
        part = np.where(has, np.clip(cap - before, 0.0, None) / np.maximum(w[first], 1e-300) * v[first], 0.0)
        return got + part
    ub_out = lp_bound(np.full(n, room))
    cap_in = room - w
    ub_in = np.where(cap_in >= 0, v + lp_bound(np.maximum(cap_in, 0.0)), -math.inf)
    fixed_in = ub_out <= target + eps
    fixed_out = ~fixed_in & (ub_in <= target + eps)
    base_w, base_v = float(w[fixed_in].sum()), float(v[fixed_in].sum())
    free_t = np.flatnonzero(~fixed_in & ~fixed_out)
    found: tuple[float, np.ndarray] | None = None
    if base_w <= room:
        room2, goal = room - base_w, target + eps - base_v
        sw, sv = np.zeros(1), np.zeros(1)
        parents: list[tuple[np.ndarray, np.ndarray]] = []
        ratio_next = np.zeros(len(free_t))
        ratio_next[:-1] = (v[free_t] / np.maximum(w[free_t], 1e-300))[1:]
        for step, t in enumerate(free_t):
            ok = np.flatnonzero(sw + w[t] <= room2)
            nw = np.concatenate([sw, sw[ok] + w[t]])
            nv = np.concatenate([sv, sv[ok] + v[t]])
            src = np.concatenate([np.arange(len(sw)), ok])
            took = np.concatenate([np.zeros(len(sw), bool), np.ones(len(ok), bool)])
            o = np.lexsort((-nv, nw))
            nw, nv, src, took = nw[o], nv[o], src[o], took[o]
            keep = np.empty(len(nv), bool)
            keep[0] = True
            np.greater(nv[1:], np.maximum.accumulate(nv)[:-1], out=keep[1:])  # dominated: more need, no more value
            keep &= nv + (room2 - nw) * ratio_next[step] > goal  # can still pass the target
            if not keep.any():
                sw = np.zeros(0)
                break
            sw, sv = nw[keep], nv[keep]
            parents.append((src[keep], took[keep]))
            if len(sw) > MAX_STATES:
                return None
        if len(sw) and sv.max() > goal:
            at = int(np.argmax(sv))
            best = float(sv[at]) + base_v
            chosen = [t for t in np.flatnonzero(fixed_in)]
            for t, (src, took) in zip(free_t[::-1], parents[::-1], strict=True):
                if took[at]:
                    chosen.append(t)
                at = int(src[at])
            found = best, np.sort(order[np.array(chosen, dtype=np.int64)])
    if found is not None:
        return found
    # nothing above the target (within eps: the reductions and the pruning let that much go): its value is
    # at most target + eps, which is what a bound may use
    return target + eps, (np.sort(order[g_in]) if g_val >= floor else None)


def _greedy(value: np.ndarray, need: np.ndarray, room: float, take: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The items ``take`` by decreasing value per need, and which of them the greedy filling takes (each
    that still fits)."""
    order = take[np.argsort(-value[take] / np.maximum(need[take], 1e-300), kind="stable")]
    w = need[order].tolist()
    g_in = np.zeros(len(order), bool)
    left = room
    for t, wt in enumerate(w):
        if wt <= left:
            g_in[t] = True
            left -= wt
    return order, g_in


def greedy_filling(value: np.ndarray, need: np.ndarray, room: float) -> tuple[float, np.ndarray]:
    """A good filling fast: the items of positive value by decreasing value per need, each that still fits."""
    take = np.flatnonzero(value > 0)
    order, g_in = _greedy(value, need, room, take)
    return float(value[order[g_in]].sum()), np.sort(order[g_in])


def _dantzig(site: np.ndarray, value: np.ndarray, need: np.ndarray, room: np.ndarray, n_s: int,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site the LP knapsack bound over the items given (value > 0): the best items by value per need
    whole, the next one in part; and the filling of those whole items alone (its value per site, and per
    item whether it is in it)."""
    bound, whole_v = np.zeros(n_s), np.zeros(n_s)
    if not len(site):
        return bound, whole_v, np.zeros(0, bool)
    order = np.lexsort((-value / np.maximum(need, 1e-300), site))
    s, v, w = site[order], value[order], need[order]
    start = np.searchsorted(s, np.arange(n_s + 1))
    cum = np.cumsum(w)
    base = np.concatenate([[0.0], cum])[start[:-1]]
    before = cum - w - np.repeat(base, np.diff(start))  # need of the site's earlier items
    r = room[s]
    whole = before + w <= r
    part = ~whole & (before < r)
    frac = np.where(part, (r - before) / np.maximum(w, 1e-300), 0.0)
    np.add.at(bound, s, np.where(whole, v, v * frac))
    np.add.at(whole_v, s, np.where(whole, v, 0.0))
    in_whole = np.zeros(len(site), bool)
    in_whole[order] = whole
    return bound, whole_v, in_whole


def _columns(a: PairArrays, patterns: list[np.ndarray], c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The patterns as HiGHS columns of the pattern LP (rows: the projects, then the sites): each column's
    value, the starts of its entries and their rows (its projects' ascending, then its site's)."""
    sizes = np.array([len(ks) for ks in patterns], np.int64)
    pairs = np.concatenate(patterns).astype(np.int64)
    col = np.repeat(np.arange(len(patterns)), sizes)
    index = np.concatenate([a.p[pairs], a.n_p + a.s[np.array([ks[0] for ks in patterns], np.int64)]])
    col = np.concatenate([col, np.arange(len(patterns))])
    o = np.lexsort((index, col))
    starts = np.zeros(len(patterns), np.int64)
    np.cumsum(sizes[:-1] + 1, out=starts[1:])
    costs = np.bincount(np.repeat(np.arange(len(patterns)), sizes), weights=c[pairs], minlength=len(patterns))
    return costs, starts.astype(np.int32), index[o].astype(np.int32)


def pattern_plan(a: PairArrays, cost: np.ndarray, patterns: tuple[np.ndarray, ...], *, until: float,
                 ) -> np.ndarray | None:
    """The best plan on ``cost`` made of whole patterns (each the pairs of one site that fit it, e.g.
    ``PatternBound.columns``) and the locked pairs: the pattern LP's own MIP (each project on one chosen pattern
    at most, each site on one). The pattern LP being nearly whole, this MIP is small and its LP tight (500 x
    1,000: 9-10k patterns, 0.1-0.5 s), and its plan was the optimum on each of 10 seeds. None unless HiGHS proves
    it by ``until``: a plan cut short by the clock would depend on the machine's speed."""
    import highspy

    from .solvers import new_highs, run_highs

    room, free = _room(a)
    keep = [ks for ks in patterns if len(ks) and free[ks].all() and a.need[ks].sum() <= room[a.s[ks[0]]]]
    locked = np.flatnonzero(a.locked)
    if not keep:
        return locked
    costs, starts, index = _columns(a, keep, cost.astype(np.float64))
    n = len(keep)
    h = new_highs(until - time.monotonic())
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    inf = highspy.kHighsInf
    rows = a.n_p + a.n_s
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.addRows(rows, np.full(rows, -inf), np.ones(rows), 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
              np.zeros(0))
    h.addCols(n, costs, np.zeros(n), np.ones(n), len(index), starts, index, np.ones(len(index)))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
    if (run_highs(h, until) != "done" or h.getModelStatus() != highspy.HighsModelStatus.kOptimal
            or h.getInfo().primal_solution_status != 2):
        return None
    lam = np.asarray(h.getSolution().col_value, float) > 0.5
    return np.sort(np.concatenate([locked, *(keep[i] for i in np.flatnonzero(lam))]).astype(np.int64))


def _new(seen: set[tuple[int, ...]], ks: np.ndarray) -> bool:
    key = tuple(ks.tolist())
    if key in seen:
        return False
    seen.add(key)
    return True


def pattern_bound(
    a: PairArrays, cost: np.ndarray | None = None, *, start: np.ndarray | None = None,
    plans: tuple[np.ndarray, ...] = (), until: float, max_rounds: int = 200, tol_abs: float = PATTERN_ABS_TOL,
) -> PatternBound:
    """The pattern LP's bound by column generation, until ``until`` (monotonic) or ``max_rounds``.

    Starts from the pairs ``start`` alone (e.g. the cut LP's columns) and from each plan of ``plans`` site by
    site. Each round solves the pattern LP, prices every site (all pairs) at its duals and adds per site
    the best filling when it is worth more than the site's price. The bound is the best Lagrangian bound
    of the rounds, so a stop at ``until`` still returns a true one.
    """
    import highspy

    from .solvers import new_highs

    c = (a.coef if cost is None else cost).astype(np.float64)
    n, n_p, n_s = len(a.p), a.n_p, a.n_s
    room, free = _room(a)
    const = float(c[a.locked].sum())
    fk = np.flatnonzero(free)  # the pairs priced: those of projects not locked
    fp, fs, fw, fc = a.p[fk], a.s[fk], a.need[fk], c[fk]
    by_site = np.argsort(fs, kind="stable")
    site_start = np.searchsorted(fs[by_site], np.arange(n_s + 1))
    none = PatternBound(math.nan, False, 0, np.zeros(n_p), np.zeros(n_s), np.zeros(n))
    if not len(fk):
        x = a.locked.astype(float)
        return PatternBound(const, True, 0, np.zeros(n_p), np.zeros(n_s), x)
    h = new_highs(max(0.05, until - time.monotonic()))
    inf = highspy.kHighsInf
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    rows = n_p + n_s
    h.addRows(rows, np.full(rows, -inf), np.ones(rows), 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
              np.zeros(0))
    members: list[np.ndarray] = []  # per pattern, its pairs (positions in the full arrays)

    def add(found: list[tuple[int, np.ndarray]]) -> None:
        if not found:
            return
        costs, starts, index = _columns(a, [ks for _, ks in found], c)
        members.extend(ks for _, ks in found)
        h.addCols(len(found), costs, np.zeros(len(found)), np.full(len(found), inf), len(index), starts, index,
                  np.ones(len(index)))

    if start is None:  # each project's most valuable pair that fits
        o = np.lexsort((-c[fk], fp))
        start = fk[o][np.r_[True, fp[o][1:] != fp[o][:-1]]]
    first: dict[tuple[int, ...], tuple[int, np.ndarray]] = {}
    for k in np.asarray(start, np.int64):
        if free[k] and a.need[k] <= room[a.s[k]]:
            first[(int(k),)] = (int(a.s[k]), np.array([k], np.int64))
    for plan in plans:
        plan = np.asarray(plan, np.int64)
        plan = plan[free[plan]]
        if not len(plan):
            continue
        o = np.argsort(a.s[plan], kind="stable")
        ss = a.s[plan][o]
        cut = np.flatnonzero(np.r_[True, ss[1:] != ss[:-1]])
        for ks in np.split(plan[o], cut[1:]):
            if a.need[ks].sum() <= room[a.s[ks[0]]]:
                first[tuple(int(k) for k in np.sort(ks))] = (int(a.s[ks[0]]), np.sort(ks))
    add(list(first.values()))
    seen = set(first)

    best = none
    rounds = 0
    known = np.full(n_s, math.inf)  # per site, its best filling's value when last solved exactly
    r_seen = np.zeros(len(fk))  # per priced pair, its value then
    lam = np.zeros(0)
    exact = False
    while rounds < max_rounds:
        left = until - time.monotonic()
        if left <= 0.01:
            break
        h.setOptionValue("time_limit", max(0.05, left))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        rounds += 1
        sol = h.getSolution()
        dual = np.maximum(0.0, np.abs(np.asarray(sol.row_dual, float)))
        lam = np.asarray(sol.col_value, float)  # the weight of each pattern added before this round
        master = float(h.getInfo().objective_function_value)
        u, v = dual[:n_p], dual[n_p:]
        tol = CONVERGED * max(1.0, abs(master))
        # a filling worth more than ``above`` improves the pattern LP (HiGHS's duals are exact to ~1e-7)
        above = v + np.maximum(tol_abs, PATTERN_TOL * np.abs(v))
        # a site is priced again where its value may pass this (twice the step: a site found not above
        # ``above`` keeps a value just over it, which must not bring it back while the prices stand)
        again = v + 2 * np.maximum(tol_abs, PATTERN_TOL * np.abs(v))
        r = fc - u[fp]
        pos = r > 0
        need_pos = np.bincount(fs[pos], weights=fw[pos], minlength=n_s)
        val_pos = np.bincount(fs[pos], weights=r[pos], minlength=n_s)
        fits = need_pos <= room
        k = np.where(fits, val_pos, 0.0)
        hard = np.flatnonzero(~fits)
        found: list[tuple[int, np.ndarray]] = []
        settled = True  # every site's k is its exact best filling or not above its price
        quick = np.zeros(n_s, bool)
        if len(hard):
            on_hard = np.flatnonzero(pos & ~fits[fs])
            dz, whole_v, in_whole = _dantzig(fs[on_hard], r[on_hard], fw[on_hard], room, n_s)
            # a site solved exactly in an earlier round is worth at most what it was then plus what its
            # projects' values rose since: the knapsack is solved again only where that can beat its price
            rose = np.bincount(fs[on_hard], weights=np.maximum(0.0, r[on_hard] - r_seen[on_hard]), minlength=n_s)
            k[hard] = np.minimum(dz[hard], known[hard] + rose[hard])
            # a round's cheap pricing: where the whole items by value per need already beat the site's price,
            # that filling is added and the LP bound stands for the site this round
            quick[hard] = whole_v[hard] > above[hard]
            if quick.any():
                sel = on_hard[in_whole & quick[fs[on_hard]]]
                o = np.argsort(fs[sel], kind="stable")
                sel = sel[o]
                cuts = np.flatnonzero(np.diff(fs[sel])) + 1
                for at in np.split(sel, cuts):
                    site = int(fs[at[0]])
                    if _new(seen, fk[at]):
                        found.append((site, fk[at]))
                        settled = False
                    else:  # the pattern LP has it already: the site is priced below
                        quick[site] = False
        # the fast fillings first; the exact knapsacks only once these find little (each round's bound stays true:
        # a site left out keeps its LP bound)
        slow: list[tuple[int, np.ndarray]] = []
        for j in np.flatnonzero((k > again) & ~quick).tolist():
            at = by_site[site_start[j]:site_start[j + 1]]
            if fits[j]:
                if _new(seen, ks := fk[at[r[at] > 0]]):
                    found.append((j, ks))
            elif ((g := greedy_filling(r[at], fw[at], float(room[j])))[0] > above[j]
                  and _new(seen, ks := fk[at[g[1]]])):
                settled = False  # an improving filling, found fast: the site's LP bound stands this round
                found.append((j, ks))
            else:
                slow.append((j, at))
        if len(found) >= max(EXACT_AFTER, EXACT_SHARE * (len(found) + len(slow))):
            settled = settled and not slow
            slow = []
        for site, at in slow:
            got = best_filling(r[at], fw[at], float(room[site]), float(above[site]))
            if got is None:  # too many states: its LP bound stays, the round proves nothing for it
                settled = False
                continue
            k[site] = known[site] = got[0]
            r_seen[at] = r[at]
            if got[1] is not None and r[at[got[1]]].sum() > above[site] and _new(seen, ks := fk[at[got[1]]]):
                found.append((site, ks))
        bound = const + float(u.sum() + k.sum())
        if not math.isfinite(best.bound) or bound < best.bound:
            best = PatternBound(bound, False, rounds, u.copy(), k.copy(), np.zeros(0))
        if settled and (not found or bound - (master + const) <= tol):
            exact = True
            break
        add(found)
    if not rounds:
        return none
    x = np.zeros(n)
    if len(lam):
        held = members[:len(lam)]
        np.add.at(x, np.concatenate(held), np.repeat(lam, [len(m) for m in held]))
    x[a.locked] = 1.0
    return PatternBound(best.bound, exact, rounds, best.u, best.k, np.clip(x, 0.0, 1.0), tuple(members))
