#!/usr/bin/env python3
"""Summarises a MethodZoo sweep database (docs/experiments/method-zoo.md), independently of KdDsl's own report: per method the
test accuracy's mean and standard deviation over seeds, the paired difference from the student trained alone on the same
seed, the wall time, and torchdistill's ImageNet gain for the same method (ResNet-34 -> ResNet-18, from torchdistill's
README as quoted in issue #18) with both rankings. Standard library only:  python3 summarize.py zoo.db"""
import sqlite3
import statistics
import sys

# torchdistill's ImageNet top-1 (%) for ResNet-18 taught by ResNet-34; the student alone is 69.76.
TORCHDISTILL = {"alone": 69.76, "KD": 71.37, "AT": 70.90, "Tf-KD reg": 70.52, "DIST": 71.95, "KD+LS": 71.23}


def mean_std(values):
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def main(path):
    rows = sqlite3.connect(path).execute(
        "select knob_Method, seed, student_accuracy, teacher_accuracy, seconds from trials where status = 'finished'").fetchall()
    methods = []
    by = {}
    for method, seed, accuracy, teacher, seconds in rows:
        if method not in by:
            methods.append(method)
            by[method] = {}
        by[method][seed] = (100 * accuracy, None if teacher is None else 100 * teacher, seconds)
    alone = by.get("alone", {})
    teachers = sorted({round(t, 2) for m in by.values() for (_, t, _) in m.values() if t is not None})
    print(f"teacher accuracy per seed (%): {', '.join(f'{t:.2f}' for t in teachers)}")
    print("| method | seeds | accuracy, mean ± std (%) | Δ vs alone, paired (points) | wall per run (s) | torchdistill ImageNet Δ (points) |")
    print("|---|---|---|---|---|---|")
    gains = {}
    for method in methods:
        seeds = sorted(by[method])
        accuracy = mean_std([by[method][s][0] for s in seeds])
        paired = [by[method][s][0] - alone[s][0] for s in seeds if s in alone]
        delta = "" if method == "alone" or not paired else "{:+.2f} ± {:.2f}".format(*mean_std(paired))
        if method != "alone" and paired:
            gains[method] = statistics.mean(paired)
        seconds = statistics.mean(by[method][s][2] for s in seeds)
        reference = TORCHDISTILL.get(method)
        reference_gain = "" if reference is None or method == "alone" else f"{reference - TORCHDISTILL['alone']:+.2f}"
        print(f"| {method} | {len(seeds)} | {accuracy[0]:.2f} ± {accuracy[1]:.2f} | {delta} | {seconds:.0f} | {reference_gain} |")
    shared = [m for m in gains if m in TORCHDISTILL]
    ours = sorted(shared, key=lambda m: -gains[m])
    theirs = sorted(shared, key=lambda m: -(TORCHDISTILL[m] - TORCHDISTILL["alone"]))
    print()
    print("ranking of the methods both have, best first: here " + " > ".join(ours) + "; torchdistill " + " > ".join(theirs))
    if len(shared) > 1:
        rank_here = {m: i for i, m in enumerate(ours)}
        rank_there = {m: i for i, m in enumerate(theirs)}
        n = len(shared)
        rho = 1 - 6 * sum((rank_here[m] - rank_there[m]) ** 2 for m in shared) / (n * (n * n - 1))
        print(f"Spearman rank correlation over {n} methods: {rho:+.2f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "zoo.db")
