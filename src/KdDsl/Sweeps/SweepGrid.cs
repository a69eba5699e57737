using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace KdDsl.Sweeps;

/// <summary>Grid arithmetic shared by the runner and the tests: trial index ↔ one value per axis (mixed radix, last axis fastest).</summary>
public static class SweepGrid
{
    /// <summary>The number of trials: the product of the axes' sizes.</summary>
    public static int Size(IReadOnlyList<SweepAxis> axes) => axes.Aggregate(1, (product, axis) => checked(product * axis.Values.Count));

    /// <summary>The configuration of trial <paramref name="index"/>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Configuration(IReadOnlyList<SweepAxis> axes, int index)
    {
        if (index < 0 || index >= Size(axes)) throw new ArgumentOutOfRangeException(nameof(index), index, $"The grid has {Size(axes)} trials.");
        var values = new KeyValuePair<string, string>[axes.Count];
        for (int a = axes.Count - 1; a >= 0; a--)
        {
            int count = axes[a].Values.Count;
            values[a] = new(axes[a].Name, axes[a].Values[index % count]);
            index /= count;
        }
        return values;
    }

    /// <summary>The value a configuration shows for an axis that does not act on it (a temperature with the LogitMse distance).</summary>
    public const string NotApplicableValue = "-";

    /// <summary><paramref name="configuration"/> with the values of <paramref name="axes"/> replaced by <see cref="NotApplicableValue"/>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> NotApplicable(IReadOnlyList<KeyValuePair<string, string>> configuration, params string[] axes) =>
        configuration.Select(p => Array.IndexOf(axes, p.Key) >= 0 ? new KeyValuePair<string, string>(p.Key, NotApplicableValue) : p).ToList();

    /// <summary>The configuration as one line, <c>Alpha=0.5, Distance=KlDivergence</c>: the key the report groups trials by.</summary>
    public static string Describe(IEnumerable<KeyValuePair<string, string>> configuration) =>
        string.Join(", ", configuration.Select(p => p.Key + "=" + p.Value));
}

/// <summary>A slice <c>i/n</c> of a sweep: work item k belongs to shard <c>k mod n</c> (0-based, as Slurm array and Kubernetes Indexed Job indices).</summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole sweep.</summary>
    public static Shard All => new(0, 1);

    /// <summary>Whether work item <paramref name="item"/> (its position in the sweep's fixed order) is this shard's.</summary>
    public bool Owns(int item) => item % Count == Index;

    /// <summary>Parses <c>i/n</c> with 0 &lt;= i &lt; n.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < 1 || index >= count)
            throw new FormatException($"'{text}' is not a shard: write i/n with 0 <= i < n, e.g. 0/4 (Slurm: $SLURM_ARRAY_TASK_ID/n).");
        return new Shard(index, count);
    }

    /// <inheritdoc />
    public override string ToString() => Index.ToString(CultureInfo.InvariantCulture) + "/" + Count.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One unit of sweep work: a trial of an experiment on a data set with a seed.</summary>
public sealed record SweepWorkItem(int Position, ISweepExperiment Experiment, SweepDataset Dataset, int Trial, int Seed);

/// <summary>The deterministic order of a sweep's work: experiments × data sets × seeds × trials, in the order given.</summary>
public static class SweepPlan
{
    /// <summary>
    /// Every work item of the sweep, numbered in order; a shard keeps those it <see cref="Shard.Owns"/>. A trial that runs the same
    /// configuration as an earlier one (<see cref="ISweepExperiment.SameAs"/>) is left out and not numbered.
    /// </summary>
    public static IReadOnlyList<SweepWorkItem> Enumerate(
        IReadOnlyList<ISweepExperiment> experiments, IReadOnlyList<SweepDataset> datasets, int seedCount, Shard shard)
    {
        if (seedCount < 1) throw new ArgumentOutOfRangeException(nameof(seedCount), seedCount, "At least one seed is needed.");
        var items = new List<SweepWorkItem>();
        int position = 0;
        foreach (var experiment in experiments)
            foreach (var dataset in datasets)
                for (int s = 0; s < seedCount; s++)
                    for (int trial = 0; trial < experiment.TrialCount; trial++)
                    {
                        if (experiment.SameAs(trial) != trial) continue;
                        if (shard.Owns(position)) items.Add(new SweepWorkItem(position, experiment, dataset, trial, experiment.DeclaredSeed + s));
                        position++;
                    }
        return items;
    }
}
