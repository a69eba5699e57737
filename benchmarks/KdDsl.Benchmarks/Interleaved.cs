using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Spectre.Console;

namespace KdDsl.Benchmarks;

/// <summary>One contender: a round runs it once and returns its samples (milliseconds per step, or per epoch).</summary>
internal sealed record Variant(string Name, Func<IReadOnlyList<double>> RunRound);

/// <summary>The samples one variant produced, per round.</summary>
internal sealed class VariantResult(string name)
{
    public string Name { get; } = name;

    /// <summary>The samples of each measured round.</summary>
    public List<IReadOnlyList<double>> Rounds { get; } = new();

    /// <summary>The median of each round's samples: robust to the odd step a busy machine stretches.</summary>
    public IReadOnlyList<double> RoundMedians => Rounds.Select(Stats.Median).ToList();

    /// <summary>The median over rounds of the round medians: the headline figure.</summary>
    public double Median => Stats.Median(RoundMedians);

    public double PooledMean => Rounds.SelectMany(r => r).Average();

    /// <summary>The median of all samples of all rounds together.</summary>
    public double PooledMedian => Stats.Median(Rounds.SelectMany(r => r));

    public double BestRound => RoundMedians.Min();

    public double WorstRound => RoundMedians.Max();

    public int SampleCount => Rounds.Sum(r => r.Count);
}

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The <paramref name="q"/>-quantile (linear interpolation between order statistics).</summary>
    public static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    /// <summary>Per-round ratios a/b of the round medians (rounds are paired: both ran back to back in the same round).</summary>
    public static IReadOnlyList<double> PairedRatios(VariantResult a, VariantResult b) =>
        a.RoundMedians.Zip(b.RoundMedians, (x, y) => x / y).ToList();
}

/// <summary>
/// Runs variants interleaved: warm-up rounds first (discarded), then rounds in which every variant runs once, the order
/// rotated every round (AB, BA, AB, ... for two; ABC, BCA, CAB for three) so slow drift of the machine's load hits all alike.
/// </summary>
internal static class Interleaved
{
    public static IReadOnlyList<VariantResult> Run(IReadOnlyList<Variant> variants, int warmupRounds, int rounds)
    {
        var results = variants.Select(v => new VariantResult(v.Name)).ToList();
        for (int w = 0; w < warmupRounds; w++)
            foreach (var variant in variants)
            {
                AnsiConsole.MarkupLine($"[grey]warm-up {w + 1}/{warmupRounds}: {Markup.Escape(variant.Name)}[/]");
                variant.RunRound();
            }
        for (int r = 0; r < rounds; r++)
        {
            var parts = new List<string>();
            for (int i = 0; i < variants.Count; i++)
            {
                int index = (i + r) % variants.Count;
                var samples = variants[index].RunRound();
                results[index].Rounds.Add(samples);
                parts.Add($"{variants[index].Name} {F(Stats.Median(samples))}");
            }
            AnsiConsole.MarkupLine($"[grey]round {r + 1}/{rounds} (load {Machine.LoadAverage().One:F2}): {Markup.Escape(string.Join(", ", parts))}[/]");
        }
        return results;
    }

    public static string F(double value, string format = "F2") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Prints one row per variant and the ratio of each to <paramref name="reference"/>.</summary>
    public static void Print(string title, string unit, IReadOnlyList<VariantResult> results, VariantResult reference)
    {
        var table = new Table().Title(Markup.Escape(title))
            .AddColumns("variant", $"median {unit}", "best / worst round", "mean, all samples", "samples",
                $"ratio to {Markup.Escape(reference.Name)}", "paired ratio IQR (min..max)", "ratio of pooled medians");
        foreach (var r in results)
        {
            var paired = Stats.PairedRatios(r, reference);
            bool self = ReferenceEquals(r, reference);
            table.AddRow(
                Markup.Escape(r.Name), F(r.Median), $"{F(r.BestRound)} / {F(r.WorstRound)}", F(r.PooledMean),
                r.SampleCount.ToString(CultureInfo.InvariantCulture),
                self ? "1" : F(Stats.Median(paired), "F3"),
                self ? "" : $"{F(Stats.Quantile(paired, 0.25), "F3")} .. {F(Stats.Quantile(paired, 0.75), "F3")} ({F(paired.Min(), "F3")} .. {F(paired.Max(), "F3")})",
                self ? "1" : F(r.PooledMedian / reference.PooledMedian, "F3"));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]median = median over rounds of each round's median sample; ratio = median over rounds of the paired per-round ratio " +
                               "(both variants ran back to back in each round); IQR = its interquartile range over rounds.[/]");
    }

    /// <summary>One greppable line per figure, for docs/benchmarks.md.</summary>
    public static void Summary(string benchmark, string unit, IReadOnlyList<VariantResult> results, VariantResult reference)
    {
        foreach (var r in results)
        {
            var paired = Stats.PairedRatios(r, reference);
            Console.WriteLine($"RESULT {benchmark} | {r.Name} | {F(r.Median, "F3")} {unit} | ratio to {reference.Name} {F(Stats.Median(paired), "F3")} " +
                              $"(IQR {F(Stats.Quantile(paired, 0.25), "F3")}..{F(Stats.Quantile(paired, 0.75), "F3")}, pooled-median ratio {F(r.PooledMedian / reference.PooledMedian, "F3")})");
        }
    }
}
