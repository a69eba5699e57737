using System;
using System.Collections.Generic;
using KdDsl.Data;
using KdDsl.Sweeps;
using KdDsl.Training;

namespace KdDsl.Tests.Sweeps;

/// <summary>A sweep without training: trial i scores <c>0.5 + i/100 + seed/1000</c>; it counts its runs and can throw on one trial.</summary>
internal sealed class FakeSweep(string name, int trials, int? throwOn = null) : ISweepExperiment
{
    public List<(int Trial, int Seed)> Runs { get; } = new();

    public string Name => name;

    public string Student => "Fake.Student";

    public int DeclaredSeed => 1;

    public IReadOnlyList<SweepAxis> Axes { get; } = new[] { new SweepAxis("Alpha", BuildValues(trials)) };

    public int TrialCount => trials;

    public IReadOnlyList<KeyValuePair<string, string>> Configuration(int trial) => SweepGrid.Configuration(Axes, trial);

    public string? TeacherKey(int trial) => null; // it trains no teacher

    public SweepTrialResult RunTrial(int trial, DatasetSplits data, int seed, RunOptions? options = null)
    {
        Runs.Add((trial, seed));
        if (trial == throwOn) throw new InvalidOperationException("trial " + trial + " diverged");
        return new SweepTrialResult(0.5 + trial / 100.0 + seed / 1000.0, 0.9, null, 1.0 / (trial + 1), TimeSpan.FromMilliseconds(10 * (trial + 1)));
    }

    private static string[] BuildValues(int count)
    {
        var values = new string[count];
        for (int i = 0; i < count; i++) values[i] = (i / 10.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return values;
    }

    /// <summary>A data set that loads nothing heavy: the fake never reads it.</summary>
    public static SweepDataset Dataset(string name) => new(name, _ => BuiltInDatasets.Load(KdDsl.DatasetKind.Digits, null, 20, 20));
}
