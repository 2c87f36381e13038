#!/usr/bin/python3
"""The cohort summary checked by an independent computation (Debian's python3-scipy).

usage: check_summary.py OUT_DIR [--expect TEST,...]

Reads OUT_DIR/table2.csv and OUT_DIR/summary.json, recomputes from the table every count, mean, SD,
range and association test that summary.json reports, and exits 1 listing each disagreement: counts
exact, figures and p-values within 1e-6. --expect names tests that must have been checked at least once,
so that a summary without them cannot pass. Fisher's exact test beyond 2x2 (which scipy 1.10 lacks) is
computed exactly here, with rational arithmetic over every table with the observed margins.
"""
import csv
import itertools
import json
import math
import statistics
import sys
from fractions import Fraction

from scipy import stats
from scipy.stats.contingency import expected_freq

CLASSES = ["in-field", "marginal", "out-field"]
FIGURES = {"v95_pct", "d100_gy", "recurrence_volume_cc", "gtv_p_cc", "gtv_n_cc", "ctv_high_d98_gy",
           "ctv_intermediate_d95_gy", "ctv_low_d95_gy"}
TOLERANCE = 1e-6
problems = []
checked = {}


def close(what, ours, theirs, tolerance=TOLERANCE):
    if ours is None or theirs is None:
        if ours is not theirs:
            problems.append(f"{what}: summary {ours}, independent {theirs}")
        return
    if not math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=tolerance):
        problems.append(f"{what}: summary {ours!r}, independent {theirs!r}")


def number(text):
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def fisher_rxc(table):
    rows = [sum(r) for r in table]
    columns = [sum(c) for c in zip(*table)]
    total = sum(rows)
    constant = Fraction(math.prod(math.factorial(r) for r in rows) * math.prod(math.factorial(c) for c in columns),
                        math.factorial(total))

    def probability(t):
        return constant / math.prod(math.factorial(n) for row in t for n in row)

    observed = probability(table)

    def tables(row_left, column):  # every table with these margins, column by column
        if column == len(columns):
            yield []
            return
        for cells in compositions(columns[column], row_left):
            rest = [r - c for r, c in zip(row_left, cells)]
            for tail in tables(rest, column + 1):
                yield [cells] + tail

    def compositions(n, caps):
        if len(caps) == 1:
            if n <= caps[0]:
                yield [n]
            return
        for first in range(0, min(n, caps[0]) + 1):
            for rest in compositions(n - first, caps[1:]):
                yield [first] + rest

    p = Fraction(0)
    for by_column in tables(rows, 0):
        t = [list(r) for r in zip(*by_column)]
        q = probability(t)
        if q <= observed * (1 + Fraction(1, 10**7)):
            p += q
    return float(observed), float(min(p, 1))


def main():
    out = sys.argv[1]
    expect = []
    if "--expect" in sys.argv:
        expect = sys.argv[sys.argv.index("--expect") + 1].split(",")
    with open(f"{out}/table2.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(f"{out}/summary.json") as f:
        summary = json.load(f)

    if summary["recurrences"] != len(rows):
        problems.append(f"recurrences: summary {summary['recurrences']}, table {len(rows)}")
    for entry in summary["classes"]:
        n = sum(1 for r in rows if r["class"] == entry["class"])
        if entry["count"] != n:
            problems.append(f"count of {entry['class']}: summary {entry['count']}, table {n}")
        close(f"percent of {entry['class']}", entry["percent"], 100 * n / len(rows) if rows else None)

    for figure in summary["figures"]:
        name = figure["figure"]
        for group in ["overall"] + CLASSES:
            values = [number(r[name]) for r in rows if group == "overall" or r["class"] == group]
            values = [v for v in values if v is not None]
            d = figure[group]
            if d["n"] != len(values):
                problems.append(f"n of {name} ({group}): summary {d['n']}, table {len(values)}")
                continue
            if not values:
                continue
            close(f"mean of {name} ({group})", d["mean"], statistics.fmean(values))
            close(f"SD of {name} ({group})", d["sd"], statistics.stdev(values) if len(values) > 1 else None)
            close(f"min of {name} ({group})", d["min"], min(values))
            close(f"max of {name} ({group})", d["max"], max(values))

    for a in summary["associations"]:
        column = a["column"]
        values = [r[column] for r in rows]
        if a["source"] == "table2":
            if column not in FIGURES:
                problems.append(f"{column}: not a figure of the table")
            kind = "continuous"
        else:
            numbers = [number(v) for v in values if v != ""]
            kind = "continuous" if numbers and all(v is not None for v in numbers) and len(set(numbers)) >= 3 else "categorical"
        if a["kind"] != kind:
            problems.append(f"{column}: summary treats it as {a['kind']}, independent reading {kind}")
            continue
        if kind == "continuous":
            groups = [[number(r[column]) for r in rows if r["class"] == c and number(r[column]) is not None] for c in CLASSES]
            groups = [g for g in groups if g]
            if len(groups) == 2:
                result, test = stats.ttest_ind(groups[0], groups[1], equal_var=True), "t-test"
            elif len(groups) == 3:
                result, test = stats.f_oneway(*groups), "anova"
            else:
                test = "none"
            if a["test"] != test and not (a["test"] == "none" and test != "none"):
                problems.append(f"{column}: summary used {a['test']}, independent choice {test}")
                continue
            if a["test"] == "none":
                if test != "none" and math.isfinite(result.pvalue):
                    problems.append(f"{column}: summary did no test ({a.get('why')}), scipy gives p = {result.pvalue}")
                continue
            close(f"{test} statistic of {column}", a["statistic"], float(result.statistic))
            close(f"{test} p of {column}", a["p_value"], float(result.pvalue))
        else:
            levels = sorted({v for v in values if v != ""})
            present = [c for c in CLASSES if any(r["class"] == c and r[column] != "" for r in rows)]
            table = [[sum(1 for r in rows if r[column] == level and r["class"] == c) for c in present] for level in levels]
            if len(levels) < 2 or len(present) < 2:
                if a["test"] != "none":
                    problems.append(f"{column}: a {len(levels)}x{len(present)} table, yet the summary tests it")
                continue
            if a["table"]["counts"] != table:
                problems.append(f"{column}: summary table {a['table']['counts']}, independent {table}")
            smallest = float(expected_freq(table).min())
            close(f"smallest expected count of {column}", a["smallest_expected_count"], smallest)
            if smallest < 5:
                test = "fisher-exact"
                if len(levels) == 2 and len(present) == 2:
                    _, p = stats.fisher_exact(table)
                else:
                    _, p = fisher_rxc(table)
                statistic = None
            else:
                test = "chi-square"
                statistic, p, dof, _ = stats.chi2_contingency(table, correction=False)
                if a["df"] != dof:
                    problems.append(f"df of {column}: summary {a['df']}, scipy {dof}")
            if a["test"] != test:
                problems.append(f"{column}: summary used {a['test']}, independent choice {test}")
                continue
            if statistic is not None:
                close(f"chi-square of {column}", a["statistic"], float(statistic))
            close(f"{test} p of {column}", a["p_value"], float(p))
        checked[a["test"]] = checked.get(a["test"], 0) + 1
        if a["test"] != "none" and a["significant"] != (a["p_value"] < 0.05):
            problems.append(f"{column}: significant says {a['significant']} at p = {a['p_value']}")

    for test in expect:
        if not checked.get(test):
            problems.append(f"no {test} was checked (checked: {checked})")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"summary agrees with scipy: {len(rows)} rows, tests checked {checked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
