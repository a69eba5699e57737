// Parses one generated file (200,000 rows x 20 float columns + an integer label, 38 MB) with Sep 0.18 and CsvHelper 34, each the
// way KdDsl.Data.CsvData would: typed parsing of every field, line numbers tracked. Interleaved rounds, the first is warm-up.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CsvHelper;
using nietras.SeparatedValues;

int rows = 200_000, cols = 20;
string path = Path.Combine(Path.GetTempPath(), "kddsl-csvbench.csv");
var rng = new Random(1);
using (var w = new StreamWriter(path))
{
    w.WriteLine(string.Join(",", Enumerable.Range(0, cols).Select(i => "f" + i)) + ",label");
    for (int r = 0; r < rows; r++)
    {
        for (int c = 0; c < cols; c++) { w.Write((rng.NextDouble() * 200 - 100).ToString("G7", CultureInfo.InvariantCulture)); w.Write(','); }
        w.WriteLine(rng.Next(10));
    }
}
Console.WriteLine($"file: {new FileInfo(path).Length / 1e6:F1} MB, {rows} rows x {cols} float columns + label");

double Sep_() {
    var values = new float[rows * cols]; var labels = new long[rows]; int r = 0;
    using var reader = Sep.New(',').Reader(o => o with { HasHeader = true, Unescape = true, CultureInfo = CultureInfo.InvariantCulture }).FromFile(path);
    foreach (var row in reader) {
        for (int c = 0; c < cols; c++) values[r * cols + c] = row[c].Parse<float>();
        labels[r] = row[cols].Parse<long>(); r++;
    }
    return values[0] + labels[^1];
}
double CsvHelper_() {
    var values = new float[rows * cols]; var labels = new long[rows]; int r = 0;
    using var csv = CsvReader.FromFile(path, new CsvReaderOptions { Separator = ',', HasHeader = true, TrackLineNumbers = true, FormatProvider = CultureInfo.InvariantCulture });
    while (csv.Read()) {
        for (int c = 0; c < cols; c++) values[r * cols + c] = csv.Parse<float>(c);
        labels[r] = csv.Parse<long>(cols); r++;
    }
    return values[0] + labels[^1];
}
var results = new Dictionary<string, List<double>> { ["Sep"] = new(), ["CsvHelper"] = new() };
for (int round = 0; round < 12; round++) {
    foreach (var (name, f) in new (string, Func<double>)[] { ("Sep", Sep_), ("CsvHelper", CsvHelper_) }) {
        var sw = Stopwatch.StartNew(); f(); sw.Stop();
        if (round > 0) results[name].Add(sw.Elapsed.TotalMilliseconds);
    }
}
foreach (var (name, t) in results) { t.Sort(); Console.WriteLine($"{name}: median {t[t.Count/2]:F0} ms, min {t[0]:F0} ms over {t.Count} rounds (after 1 warm-up)"); }
File.Delete(path);
