using System;
using System.Linq;
using KdDsl.Matching;
using KdDsl.Reporting;
using KdDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Matching;

/// <summary>
/// Generated experiments with the relational distances (RelationalExperiments.cs): each trains with a finite term that
/// decreases, named after its method, without connectors or resizing; the memory cache gives the live run; the angle
/// analysis measures the trained models' feature maps.
/// </summary>
public sealed class RelationalMatchingTests
{
    private static double[] Values(IDistillationResult result) =>
        result.LossHistory.SelectMany(e => new[] { e.Epoch, e.Total }.Concat(e.Terms).Append(e.Accuracy)).ToArray();

    private static void AssertTrains(IDistillationResult result, ResolvedLayerMap map, HiddenStateMatcher matcher, string term)
    {
        Assert.Equal(new[] { "CrossEntropy", term }, result.LossTermNames);
        Assert.Equal("blocks.0 -> stages.2, blocks.1 -> stages.1", map.ToString());
        Assert.Equal(new long[] { 16, 4, 4 }, map.Plans[0].StudentShape);
        Assert.Equal(new long[] { 64, 2, 2 }, map.Plans[0].TeacherShape);
        Assert.All(map.Plans, p => Assert.True(!p.NeedsConnector && p.PooledSize is null));
        Assert.Equal(0, matcher.ProjectionCount);
        Assert.Empty(matcher.parameters());
        var values = result.LossHistory.Select(e => e.Terms[1]).ToArray();
        Assert.All(values, v => Assert.True(v > 0 && double.IsFinite(v), $"{term} per epoch: {string.Join(", ", values)}"));
        Assert.True(values[^1] < values[0], $"{term} per epoch: {string.Join(", ", values)}");
        Assert.InRange(result.StudentAccuracy, 0.4, 1.0); // chance is 0.25
    }

    [Fact]
    public void Similarity_preserving_trains_as_its_own_term()
    {
        using var data = TinyImages.Splits();
        using var result = SimilarityPreservingImageKd.Run(data);
        AssertTrains(result, result.LayerMap, result.Matcher, "SimilarityPreserving");
        Assert.All(result.Epochs, e => Assert.True(e.SimilarityPreserving > 0));
    }

    [Fact]
    public void Relational_distance_and_angle_train_as_one_term()
    {
        using var data = TinyImages.Splits();
        using var result = RelationalImageKd.Run(data);
        AssertTrains(result, result.LayerMap, result.Matcher, "RelationalDistanceAngle");
        Assert.All(result.Epochs, e => Assert.True(e.RelationalDistanceAngle > 0));
    }

    [Fact]
    public void Probabilistic_transfer_trains_as_its_own_term()
    {
        using var data = TinyImages.Splits();
        using var result = ProbabilisticTransferImageKd.Run(data);
        AssertTrains(result, result.LayerMap, result.Matcher, "ProbabilisticTransfer");
        Assert.All(result.Epochs, e => Assert.True(e.ProbabilisticTransfer > 0));
    }

    [Fact]
    public void Cached_feature_maps_give_the_live_teachers_relational_run()
    {
        using var data = TinyImages.Splits();
        using var live = RelationalImageKd.Run(data);
        using var cached = CachedRelationalImageKd.Run(data);
        Assert.Equal(live.LayerMap.ToString(), cached.LayerMap.ToString());
        var a = Values(live);
        var b = Values(cached);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 5);
        Assert.Equal(live.StudentAccuracy, cached.StudentAccuracy);
    }

    [Fact]
    public void The_angle_analysis_measures_a_relational_runs_feature_maps()
    {
        using var data = TinyImages.Splits();
        using var result = SimilarityPreservingImageKd.Run(data, new RunOptions { Epochs = 1 });
        using var scope = NewDisposeScope();
        // The student's blocks.0 (16@4x4) against the teacher's stem and stages.0 (both 16@8x8): no connector exists, so the
        // student's map is brought to the teacher's size by repeating each pixel.
        var angles = AngleAnalysis.Measure("sp", result.Student, result.Teacher, data.Test.Features.narrow(0, 0, 10), studentState: 1,
            s => s.repeat_interleave(2, 2).repeat_interleave(2, 3), teacherStates: new[] { 0, 1 });
        Assert.Equal(10 * 64, angles.Cosines.Count); // 64 pixels per image, one teacher pair
        Assert.All(angles.Cosines, c => Assert.InRange(c, -1.0000001, 1.0000001));
    }
}
