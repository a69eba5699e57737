using System.Collections.Generic;
using System;
using System.Linq;
using KdDsl.Data;
using KdDsl.Matching;
using KdDsl.Reporting;
using KdDsl.Training;
using KdDsl.Tests.Training;
using Xunit;

namespace KdDsl.Tests.Matching;

/// <summary>The generated matching loops of <see cref="MatchingExperiments"/>-declared classes, end to end.</summary>
public sealed class MatchingRunTests
{
    private static DatasetSplits Digits() => BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 200);

    [Fact]
    public void Forward_matching_lowers_the_hidden_state_loss_and_reports_the_map()
    {
        using var data = Digits();
        using var result = ForwardMatchingKd.Run(data);

        Assert.Equal(new[] { "CrossEntropy", "KlDivergence", "HiddenStates" }, ForwardMatchingKd.LossTermNames);
        // 2 student blocks of 4 teacher blocks: S1 -> T2, S2 -> T4, plus the embeddings.
        Assert.Equal("embedding -> embedding, blocks.0 -> blocks.1, blocks.1 -> blocks.3", result.LayerMap.ToString());
        Assert.Equal(6, result.Epochs.Count);
        Assert.True(result.Epochs[^1].HiddenStates < 0.8 * result.Epochs[0].HiddenStates,
            $"HiddenStates per epoch: {string.Join(", ", result.Epochs.Select(e => e.HiddenStates))}");
        foreach (var e in result.Epochs)
            Assert.Equal(e.CrossEntropy + e.KlDivergence + 0.5 * e.HiddenStates, e.Total, 9);
        Assert.Equal(result.Epochs.Select(e => e.HiddenStates), ((IDistillationResult)result).LossHistory.Select(h => h.Terms[2]));
        Assert.True(result.StudentAccuracy > 0.4, $"teacher {result.TeacherAccuracy}, student {result.StudentAccuracy}, epochs " +
            string.Join("; ", result.Epochs.Select(e => $"{e.CrossEntropy:F3} {e.KlDivergence:F3} {e.HiddenStates:F3}")));
    }

    [Fact]
    public void Random_map_is_drawn_from_the_run_seed()
    {
        using var data = Digits();
        using var first = RandomMatchingKd.Run(data);
        using var again = RandomMatchingKd.Run(data);
        var expected = LayerMapping.Targets(LayerSelection.Random, 2, 4, seed: 11).Select(t => "blocks." + (t - 1)).ToArray();
        Assert.Equal(expected, first.LayerMap.Pairs.Select(p => p.TeacherPath));
        Assert.Equal(first.LayerMap.ToString(), again.LayerMap.ToString());
        Assert.Equal(first.Epochs[0].HiddenStates, again.Epochs[0].HiddenStates);
        using var other = RandomMatchingKd.Run(data, new RunOptions { Seed = 12 });
        Assert.Equal(LayerMapping.Targets(LayerSelection.Random, 2, 4, seed: 12).Select(t => "blocks." + (t - 1)), other.LayerMap.Pairs.Select(p => p.TeacherPath));
        // Cosine distance after LayerNorm lies in [0, 2].
        Assert.InRange(first.Epochs[0].HiddenStates, 0, 2);
    }

    [Fact]
    public void Explicit_map_and_none()
    {
        using var data = Digits();
        using var explicitRun = ExplicitMatchingKd.Run(data);
        Assert.Equal("blocks.1 -> blocks.2, embedding -> blocks.0", explicitRun.LayerMap.ToString());
        Assert.True(explicitRun.Epochs[0].HiddenStates > 0);

        using var none = NoMatchingKd.Run(data);
        Assert.Empty(none.LayerMap.Pairs);
        Assert.Equal(0, none.Epochs[0].HiddenStates);
        Assert.Equal(none.Epochs[0].CrossEntropy + none.Epochs[0].KlDivergence, none.Epochs[0].Total, 9);
    }

    [Fact]
    public void Transformer_students_match_a_transformer_teacher_on_token_data()
    {
        using var data = LayeredModelsTests.TokenData(256, 64, 5);
        using var result = TextMatchingKd.Run(data);
        Assert.Equal("blocks.0 -> blocks.2", result.LayerMap.ToString());
        Assert.Equal(3, result.Epochs.Count);
        Assert.True(result.Epochs[^1].HiddenStates < result.Epochs[0].HiddenStates,
            $"HiddenStates per epoch: {string.Join(", ", result.Epochs.Select(e => e.HiddenStates))}");
        // L2-normalised states: squared distance in [0, 4].
        Assert.All(result.Epochs, e => Assert.InRange(e.HiddenStates, 0, 4));
    }

    [Fact]
    public void Projections_are_trained_with_the_student_and_serve_the_angle_analysis()
    {
        using var data = Digits();
        using var one = ForwardMatchingKd.Run(data, new RunOptions { Epochs = 1 });
        using var two = ForwardMatchingKd.Run(data, new RunOptions { Epochs = 2 });
        // Student width 16, teacher 32: one bias-free projection per pair (embedding + 2 blocks), 32 x 16.
        Assert.Equal(3, one.Matcher.ProjectionCount);
        Assert.Equal(new long[] { 32, 16 }, one.Matcher.Projection(0).weight!.shape);
        // Same seed, so the same initial projections: they differ after one more epoch only if the optimizer trains them.
        var w1 = one.Matcher.Projection(1).weight!.data<float>().ToArray();
        var w2 = two.Matcher.Projection(1).weight!.data<float>().ToArray();
        Assert.True(w1.Zip(w2).Max(p => Math.Abs(p.First - p.Second)) > 1e-4, "the projection did not change between epoch 1 and 2");
        using var again = ForwardMatchingKd.Run(data, new RunOptions { Epochs = 1 });
        Assert.Equal(w1, again.Matcher.Projection(1).weight!.data<float>().ToArray()); // and the comparison is not noise

        using var scope = TorchSharp.torch.NewDisposeScope();
        var inputs = data.Test.Features.narrow(0, 0, 50);
        var projection = two.Matcher.Projection(2); // student blocks.1's pair
        var angles = AngleAnalysis.Measure("trained", two.Student, two.Teacher, inputs, studentState: 2, s => projection.call(s));
        Assert.Equal(50 * 6, angles.Cosines.Count); // 4 teacher blocks: 6 pairs
    }

    [Fact]
    public void An_interrupted_run_with_projections_resumes_to_the_uninterrupted_result()
    {
        using var data = Digits();
        string Fresh() => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kddsl-matching-" + Guid.NewGuid().ToString("N") + ".ckpt");
        var options = new RunOptions { Epochs = 3 };
        using var uninterrupted = ForwardMatchingKd.Run(data, options with { Checkpoint = Fresh() });
        Assert.True(uninterrupted.Matcher.ProjectionCount > 0); // the case that needs the projections in the checkpoint

        string path = Fresh();
        Assert.Throws<OperationCanceledException>(() => ForwardMatchingKd.Run(data, options with { Checkpoint = path, Progress = new CrashAt(3, 2) }));
        using var resumed = ForwardMatchingKd.Run(data, options with { Checkpoint = path });
        Assert.Equal(2, resumed.DistillationResumedAfterEpoch);
        Assert.Equal(uninterrupted.Epochs, resumed.Epochs); // losses (HiddenStates included) and accuracy, bit for bit
        Assert.Equal(uninterrupted.StudentAccuracy, resumed.StudentAccuracy);
        for (int pair = 0; pair < uninterrupted.Matcher.ProjectionCount; pair++)
            Assert.Equal(uninterrupted.Matcher.Projection(pair).weight!.data<float>().ToArray(),
                resumed.Matcher.Projection(pair).weight!.data<float>().ToArray());
    }

    [Fact]
    public void A_student_deeper_than_the_map_allows_is_refused_before_training()
    {
        // The same experiment on a teacher built with fewer layers than declared is impossible here (the count is static), so
        // check the run-time path directly with the models as built: Resolve is what the generated Run calls before training.
        using var student = new TwoBlockStudent(64, 10);
        using var teacher = new KdDsl.Models.LayeredMlp(64, 10, 1, 32);
        var e = Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(ForwardMatchingKd.DeclaredMatching,
            LayerStackShape.Of(student, "student", "S", "blocks", "embedding"), LayerStackShape.Of(teacher, "teacher", "T", "blocks", "embedding"), 0));
        Assert.Contains("teacher has only 1", e.Message);
    }

    [Fact]
    public void A_swept_strategy_equals_the_experiment_written_with_it()
    {
        using var data = Digits();
        Assert.Equal(new[] { LayerSelection.Forward, LayerSelection.Reverse }, StrategySweepKd.Grid.Select(t => t.LayerSelection));
        using var forward = StrategySweepKd.Run(StrategySweepKd.Grid[0], data);
        Assert.Equal("blocks.0 -> blocks.1, blocks.1 -> blocks.3", forward.LayerMap.ToString());

        using var swept = StrategySweepKd.Run(StrategySweepKd.Grid[1], data);
        using var written = ReverseWrittenOutKd.Run(data);
        Assert.Equal("blocks.0 -> blocks.3, blocks.1 -> blocks.1", swept.LayerMap.ToString());
        Assert.Equal(written.LayerMap.ToString(), swept.LayerMap.ToString());
        Assert.Equal(written.Epochs.Select(e => (e.Total, e.HiddenStates, e.Accuracy)), swept.Epochs.Select(e => (e.Total, e.HiddenStates, e.Accuracy)));
        Assert.Equal(written.StudentAccuracy, swept.StudentAccuracy);
        Assert.NotEqual(forward.Epochs[^1].HiddenStates, swept.Epochs[^1].HiddenStates);
        Assert.Equal(new[] { new KeyValuePair<string, string>("LayerSelection", "Reverse") }, StrategySweepKd.Sweep.Configuration(1));
    }
}
