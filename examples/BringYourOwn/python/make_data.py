#!/usr/bin/python3
"""Writes the example's CSV data set: "digit profiles", a tabular data set derived from the UCI optical digits
(../shared/data/digits/digits.csv.gz from the repository's root: 1,797 scanned handwritten digits of 8x8 pixels, values
0..16; the scikit-learn copy, BSD-3-Clause). Each image becomes 20 numeric features of different scales, and its label the
digit's English name:

    row_0 .. row_7   ink in each pixel row (0..128)        col_0 .. col_7   ink in each pixel column (0..128)
    ink              total ink (0..1024)                   centre           ink in the central 4x4 pixels (0..256)
    lr_asymmetry     sum |p[r][c] - p[r][7-c]|             tb_asymmetry     sum |p[r][c] - p[7-r][c]|
    label            zero, one, ..., nine

The rows are split 70/30 into train.csv and test.csv, stratified by class, with Python's random.Random(2026).
Standard library only:  /usr/bin/python3 examples/BringYourOwn/python/make_data.py
"""
import csv
import gzip
import os
import random

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", "..", ".."))
source = os.path.join(root, "..", "shared", "data", "digits", "digits.csv.gz")
names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
header = [f"row_{i}" for i in range(8)] + [f"col_{i}" for i in range(8)] + ["ink", "centre", "lr_asymmetry", "tb_asymmetry", "label"]


def profile(pixels):
    p = [pixels[r * 8:(r + 1) * 8] for r in range(8)]
    rows = [sum(p[r]) for r in range(8)]
    cols = [sum(p[r][c] for r in range(8)) for c in range(8)]
    centre = sum(p[r][c] for r in range(2, 6) for c in range(2, 6))
    lr = sum(abs(p[r][c] - p[r][7 - c]) for r in range(8) for c in range(8))
    tb = sum(abs(p[r][c] - p[7 - r][c]) for r in range(8) for c in range(8))
    return rows + cols + [sum(rows), centre, lr, tb]


by_class = {k: [] for k in range(10)}
with gzip.open(source, "rt") as f:
    for line in f:
        values = [int(float(v)) for v in line.strip().split(",")]
        by_class[values[64]].append(profile(values[:64]) + [names[values[64]]])

rng = random.Random(2026)
train, test = [], []
for k in range(10):
    rows = by_class[k]
    rng.shuffle(rows)
    n_test = round(0.3 * len(rows))
    test += rows[:n_test]
    train += rows[n_test:]
rng.shuffle(train)
rng.shuffle(test)
for name, rows in (("train.csv", train), ("test.csv", test)):
    with open(os.path.join(here, "..", "data", name), "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
print(f"train.csv: {len(train)} rows, test.csv: {len(test)} rows, {len(header) - 1} features, 10 classes")
