using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.SweepHost;
using KdDsl.Sweeps;
using Xunit;

namespace KdDsl.Tests.Sweeps;

/// <summary>The generated grid, the runtime's index arithmetic and the shard slices.</summary>
public sealed class SweepGridTests
{
    [Fact]
    public void Generated_grid_enumerates_the_axes_with_the_last_varying_fastest()
    {
        // Written out by hand from [Sweep(Alpha, 0.3, 0.9)] [Sweep(Distance, KlDivergence, LogitMse)].
        var expected = new (double Alpha, LossKind Distance)[]
        {
            (0.3, LossKind.KlDivergence), (0.3, LossKind.LogitMse), (0.9, LossKind.KlDivergence), (0.9, LossKind.LogitMse),
        };
        Assert.Equal(expected, HostWideSweep.Grid.Select(t => (t.Alpha, t.Distance)));
        Assert.Equal(Enumerable.Range(0, 4), HostWideSweep.Grid.Select(t => t.Index));
        Assert.Equal("Alpha=0.9, Distance=LogitMse", SweepGrid.Describe(HostWideSweep.Sweep.Configuration(3)));
    }

    [Fact]
    public void Runtime_index_arithmetic_agrees_with_the_generated_configuration()
    {
        var sweep = HostWideSweep.Sweep;
        Assert.Equal(4, sweep.TrialCount);
        Assert.Equal(4, SweepGrid.Size(sweep.Axes));
        for (int i = 0; i < sweep.TrialCount; i++)
            Assert.Equal(sweep.Configuration(i), SweepGrid.Configuration(sweep.Axes, i));

        // Three axes of sizes 2, 3, 2: index 7 = 1*6 + 0*2 + 1 → (b, x, q).
        var axes = new[] { new SweepAxis("A", new[] { "a", "b" }), new SweepAxis("B", new[] { "x", "y", "z" }), new SweepAxis("C", new[] { "p", "q" }) };
        Assert.Equal(12, SweepGrid.Size(axes));
        Assert.Equal("A=b, B=x, C=q", SweepGrid.Describe(SweepGrid.Configuration(axes, 7)));
        Assert.Equal("A=a, B=z, C=p", SweepGrid.Describe(SweepGrid.Configuration(axes, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SweepGrid.Configuration(axes, 12));
    }

    [Fact]
    public void Shards_partition_the_work_round_robin()
    {
        var all = SweepPlan.Enumerate(HostSweep.Experiments, HostSweep.Datasets, 2, Shard.All);
        Assert.Equal(2 * 2 * 2 * 4, all.Count);
        Assert.Equal(Enumerable.Range(0, all.Count), all.Select(i => i.Position));
        // The order: experiment, data set, seed, trial.
        Assert.Equal(("HostWideSweep", "digits-400", 11, 0), (all[0].Experiment.Name, all[0].Dataset.Name, all[0].Seed, all[0].Trial));
        Assert.Equal(("HostWideSweep", "digits-400", 12, 1), (all[5].Experiment.Name, all[5].Dataset.Name, all[5].Seed, all[5].Trial));
        Assert.Equal(("HostNarrowSweep", "digits-250", 12, 3), (all[^1].Experiment.Name, all[^1].Dataset.Name, all[^1].Seed, all[^1].Trial));

        var shards = Enumerable.Range(0, 3).Select(i => SweepPlan.Enumerate(HostSweep.Experiments, HostSweep.Datasets, 2, new Shard(i, 3))).ToList();
        Assert.Equal(new[] { 11, 11, 10 }, shards.Select(s => s.Count));
        Assert.Equal(new[] { 0, 3, 6 }, shards[0].Take(3).Select(i => i.Position));
        Assert.Equal(all.Select(i => i.Position), shards.SelectMany(s => s).Select(i => i.Position).OrderBy(p => p));
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    public void Shard_parses_i_of_n(string text, int index, int count)
    {
        Assert.Equal(new Shard(index, count), Shard.Parse(text));
        Assert.Equal(text, Shard.Parse(text).ToString());
    }

    [Theory]
    [InlineData("4/4")]
    [InlineData("1/0")]
    [InlineData("-1/3")]
    [InlineData("2")]
    [InlineData("a/b")]
    public void Shard_rejects_what_is_not_i_of_n(string text) => Assert.Throws<FormatException>(() => Shard.Parse(text));
}
