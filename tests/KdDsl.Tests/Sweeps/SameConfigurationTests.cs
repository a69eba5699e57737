using System.Collections.Generic;
using System.IO;
using System.Linq;
using KdDsl.SweepHost;
using KdDsl.Sweeps;
using Xunit;

namespace KdDsl.Tests.Sweeps;

/// <summary>Distance × Temperature × StudentTemperature: LogitMse reads neither temperature, so its 4 trials are one configuration.</summary>
[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 1)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 4)]
[Train(Epochs = 1, BatchSize = 32, Seed = 7)]
[Sweep(SweepAxes.Distance, LossKind.LogitMse, LossKind.KlDivergence)]
[Sweep(SweepAxes.Temperature, 2.0, 4.0)]
[Sweep(SweepAxes.StudentTemperature, 1.0, 4.0)]
public partial class TemperatureAndDistanceSweep
{
}

/// <summary>
/// Trials that cannot differ (a temperature with the LogitMse distance, which reads none) are one configuration: the plan runs the
/// first of them only, its configuration shows the temperatures as not applicable, and the report neither counts it twice nor
/// credits it to one temperature value.
/// </summary>
public sealed class SameConfigurationTests
{
    private static readonly SweepDataset Digits = new("digits", _ => throw new System.InvalidOperationException("not loaded"));

    [Fact]
    public void Trials_that_differ_only_in_axes_their_distance_does_not_read_are_the_same_configuration()
    {
        var sweep = TemperatureAndDistanceSweep.Sweep;
        Assert.Equal(8, sweep.TrialCount); // grid order: Distance, then Temperature, then StudentTemperature fastest
        Assert.Equal(new[] { 0, 0, 0, 0, 4, 5, 6, 7 }, Enumerable.Range(0, 8).Select(sweep.SameAs));
        Assert.Equal("Distance=LogitMse, Temperature=-, StudentTemperature=-", SweepGrid.Describe(sweep.Configuration(0)));
        Assert.Equal("Distance=KlDivergence, Temperature=2, StudentTemperature=4", SweepGrid.Describe(sweep.Configuration(5)));

        var plan = SweepPlan.Enumerate(new[] { sweep }, new[] { Digits }, 2, Shard.All);
        Assert.Equal(new[] { 0, 4, 5, 6, 7, 0, 4, 5, 6, 7 }, plan.Select(i => i.Trial));
        Assert.Equal(Enumerable.Range(0, 10), plan.Select(i => i.Position)); // skipped trials take no position: shards stay balanced
        Assert.Equal(new[] { 0, 5, 7 }, SweepPlan.Enumerate(new[] { sweep }, new[] { Digits }, 1, new Shard(0, 2)).Select(i => i.Trial));
        Assert.Equal(new[] { 4, 6 }, SweepPlan.Enumerate(new[] { sweep }, new[] { Digits }, 1, new Shard(1, 2)).Select(i => i.Trial));

        // An experiment whose axes all act on every trial keeps the whole grid.
        Assert.Equal(Enumerable.Range(0, 4), Enumerable.Range(0, 4).Select(HostWideSweep.Sweep.SameAs));
        var list = new StringWriter();
        Assert.Equal(0, SweepCommandLine.Invoke(new[] { "list" }, new[] { sweep }, new[] { Digits }, output: list));
        Assert.Contains("seed 7): 8 trials, 5 distinct (3 repeat an earlier configuration and are skipped)", list.ToString());
        Assert.Contains("Work items with 1 seed(s): 5", list.ToString());
    }

    [Fact]
    public void The_report_compares_a_knob_only_among_configurations_it_acts_on()
    {
        // LogitMse (temperatures not applicable) is best on pair A; on pair B, KL with T_s = 4 is, 2 points above T_s = 1.
        var rows = new List<TrialRecord>();
        void Add(string dataset, int trial, string distance, string studentTemperature, double accuracy) => rows.Add(new TrialRecord("Exp", dataset, "Sample.Small", trial, 1,
            new[] { new KeyValuePair<string, string>("Distance", distance), new KeyValuePair<string, string>("StudentTemperature", studentTemperature) },
            TrialStatus.Finished, accuracy, 0.9, null, 0.3, 1.0, null, null, 1, null, null));
        Add("A", 0, "LogitMse", SweepGrid.NotApplicableValue, 0.90);
        Add("A", 2, "KlDivergence", "1", 0.80);
        Add("A", 3, "KlDivergence", "4", 0.82);
        Add("B", 0, "LogitMse", SweepGrid.NotApplicableValue, 0.70);
        Add("B", 2, "KlDivergence", "1", 0.75);
        Add("B", 3, "KlDivergence", "4", 0.77);
        var analysis = SweepAnalysis.From(rows);
        Assert.Equal(3, analysis.Configurations.Count); // LogitMse once
        var costs = analysis.Costs.Where(c => c.Knob == "StudentTemperature").ToDictionary(c => c.Value, c => (c.MeanCost, c.WorstCost));
        // Forcing T_s still leaves LogitMse open (it reads no T_s): on A neither value costs anything; on B, T_s = 1 costs 2 points.
        // Had LogitMse been recorded as T_s = 1, forcing T_s = 4 would have cost 8 points on A.
        Assert.Equal(new[] { "1", "4" }, costs.Keys.Order());
        Assert.Equal((0.01, 0.02), (System.Math.Round(costs["1"].MeanCost, 12), System.Math.Round(costs["1"].WorstCost, 12)));
        Assert.Equal((0.0, 0.0), costs["4"]);
        Assert.DoesNotContain(analysis.Costs, c => c.Value == SweepGrid.NotApplicableValue);
    }
}
