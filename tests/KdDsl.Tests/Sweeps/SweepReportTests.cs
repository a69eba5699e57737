using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using KdDsl.Sweeps;
using Xunit;

namespace KdDsl.Tests.Sweeps;

/// <summary>The report's numbers on a small hand-made table, against values worked out by hand (in the comments).</summary>
public sealed class SweepReportTests
{
    // Two knobs, four configurations (trial index = Alpha index * 2 + Distance index), two data sets, one student:
    //
    //            c0 (0.1, KL)  c1 (0.1, MSE)  c2 (0.9, KL)          c3 (0.9, MSE)
    //   A × S       0.80          0.74           0.85                  0.70
    //   B × S       0.66          0.70           0.59 (0.58, 0.60)     0.50
    //
    // Best: A → c2 (0.85), B → c1 (0.70).
    // Cost of a value = best - the best configuration with that value:
    //   Alpha=0.1:     A 0.85-0.80 = 0.05, B 0.70-0.70 = 0     → mean 0.025, worst 0.05 (A)
    //   Alpha=0.9:     A 0,                B 0.70-0.59 = 0.11  → mean 0.055, worst 0.11 (B)
    //   Distance=KL:   A 0,                B 0.70-0.66 = 0.04  → mean 0.02,  worst 0.04 (B)
    //   Distance=MSE:  A 0.85-0.74 = 0.11, B 0                 → mean 0.055, worst 0.11 (A)
    // Loss of each configuration (best - its score): c0 A 0.05 B 0.04 → worst 0.05, mean 0.045; c1 0.11/0 → 0.11;
    // c2 0/0.11 → 0.11; c3 0.15/0.20 → 0.20. Smallest worst case: c0, which is best on neither data set.
    private static IReadOnlyList<TrialRecord> Table()
    {
        var rows = new List<TrialRecord>();
        void Add(string dataset, int trial, int seed, double? accuracy, TrialStatus status = TrialStatus.Finished)
        {
            var configuration = new[]
            {
                new KeyValuePair<string, string>("Alpha", trial < 2 ? "0.1" : "0.9"),
                new KeyValuePair<string, string>("Distance", trial % 2 == 0 ? "KlDivergence" : "LogitMse"),
            };
            rows.Add(new TrialRecord("Exp", dataset, "Sample.Small", trial, seed, configuration, status, accuracy, 0.95, null, 0.3, 1.0,
                null, null, 1, null, null));
        }
        Add("A", 0, 1, 0.80); Add("A", 1, 1, 0.74); Add("A", 2, 1, 0.85); Add("A", 3, 1, 0.70);
        Add("B", 0, 1, 0.66); Add("B", 1, 1, 0.70); Add("B", 2, 1, 0.58); Add("B", 2, 2, 0.60); Add("B", 3, 1, 0.50);
        // Neither a trial still running (killed) nor a failed one counts, whatever it holds.
        Add("A", 3, 2, 0.99, TrialStatus.Running);
        Add("B", 3, 2, null, TrialStatus.Failed);
        return rows;
    }

    [Fact]
    public void Best_configuration_per_data_set_and_student()
    {
        var analysis = SweepAnalysis.From(Table());
        Assert.Equal(9, analysis.FinishedTrials);
        Assert.Equal(2, analysis.UnfinishedTrials);
        Assert.Equal(new[] { "A × Small", "B × Small" }, analysis.Pairs);
        var a = analysis.Best[0];
        Assert.Equal(("A", "Alpha=0.9, Distance=KlDivergence", 1, 4), (a.Dataset, a.Configuration, a.Seeds, a.Configurations));
        Assert.Equal(0.85, a.Score, 12);
        var b = analysis.Best[1];
        Assert.Equal(("B", "Alpha=0.1, Distance=LogitMse"), (b.Dataset, b.Configuration));
        Assert.Equal(0.70, b.Score, 12);
    }

    [Theory]
    [InlineData("Alpha", "0.1", 0.025, 0.05, "A × Small")]
    [InlineData("Alpha", "0.9", 0.055, 0.11, "B × Small")]
    [InlineData("Distance", "KlDivergence", 0.02, 0.04, "B × Small")]
    [InlineData("Distance", "LogitMse", 0.055, 0.11, "A × Small")]
    public void Cost_of_each_knob_value_is_best_minus_best_with_that_value(string knob, string value, double mean, double worst, string worstPair)
    {
        var cost = Assert.Single(SweepAnalysis.From(Table()).Costs, c => c.Knob == knob && c.Value == value);
        Assert.Equal(mean, cost.MeanCost, 12);
        Assert.Equal(worst, cost.WorstCost, 12);
        Assert.Equal(worstPair, cost.WorstPair);
        Assert.Equal(2, cost.Pairs);
    }

    [Fact]
    public void Most_robust_configuration_minimises_the_worst_case_loss()
    {
        var analysis = SweepAnalysis.From(Table());
        var robust = analysis.Robust!;
        Assert.Equal("Alpha=0.1, Distance=KlDivergence", robust.Configuration);
        Assert.Equal(0.05, robust.WorstLoss, 12);
        Assert.Equal(0.045, robust.MeanLoss, 12);
        Assert.Equal("A × Small", robust.WorstPair);
        // The ranking: c0 (0.05), then c1 and c2 tie at 0.11 worst and 0.055 mean (grid order decides), then c3 (0.20).
        Assert.Equal(new[] { 0.05, 0.11, 0.11, 0.20 }, analysis.Configurations.Select(c => Math.Round(c.WorstLoss, 12)));
        Assert.Equal(new[] { "Alpha=0.1, Distance=KlDivergence", "Alpha=0.1, Distance=LogitMse", "Alpha=0.9, Distance=KlDivergence", "Alpha=0.9, Distance=LogitMse" },
            analysis.Configurations.Select(c => c.Configuration));
    }

    [Fact]
    public void Markdown_and_csv_carry_the_same_numbers()
    {
        var analysis = SweepAnalysis.From(Table());
        string markdown = analysis.ToMarkdown();
        Assert.Contains("| A | Small | Alpha=0.9, Distance=KlDivergence | 85.00 | 1 | 4 |", markdown);
        Assert.Contains("| Alpha | 0.9 | 5.50 | 11.00 | B × Small |", markdown);
        Assert.Contains("| Distance | KlDivergence | 2.00 | 4.00 | B × Small |", markdown);
        Assert.Contains("**Alpha=0.1, Distance=KlDivergence**: worst loss 5.00 points (on A × Small), mean loss 4.50 points.", markdown);

        string folder = Path.Combine(Path.GetTempPath(), "kddsl-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = analysis.Write(folder).Select(Path.GetFileName).ToList();
            Assert.Equal(new[] { "report.md", "best.csv", "knob-costs.csv", "configurations.csv" }, files);
            var costs = File.ReadAllLines(Path.Combine(folder, "knob-costs.csv"));
            Assert.Equal("knob,value,mean_cost,worst_cost,worst_pair,pairs", costs[0]);
            var alpha09 = costs.Single(l => l.StartsWith("Alpha,0.9,", StringComparison.Ordinal)).Split(',');
            Assert.Equal(0.055, double.Parse(alpha09[2], CultureInfo.InvariantCulture), 12);
            Assert.Equal(0.11, double.Parse(alpha09[3], CultureInfo.InvariantCulture), 12);
            var configurations = File.ReadAllLines(Path.Combine(folder, "configurations.csv"));
            Assert.Equal("configuration,worst_loss,mean_loss,worst_pair,A × Small,B × Small", configurations[0]);
            Assert.StartsWith("\"Alpha=0.1, Distance=KlDivergence\",", configurations[1], StringComparison.Ordinal); // the comma is quoted
            Assert.Equal(0.59, double.Parse(configurations[3].Split(',')[^1], CultureInfo.InvariantCulture), 12); // c2 on B: mean of 0.58 and 0.60
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
