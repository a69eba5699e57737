using System;
using System.Linq;
using KdDsl.Losses;
using KdDsl.Tests.Losses;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.EndToEnd;

/// <summary>DKD alone on tiny synthetic data: 4 epochs of 4 steps.</summary>
[Distillation]
[Dataset(DatasetKind.Synthetic)]
[SyntheticData(TrainSamples = 256, TestSamples = 128, Features = 16, Classes = 4, Groups = 2, ClassCorrelation = 0.7, Seed = 5)]
[Teacher(typeof(TinyTeacher), Epochs = 4)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.DecoupledKd, Temperature = 4)]
[Train(Epochs = 4, BatchSize = 64, LearningRate = 3e-3, Seed = 5)]
public partial class SyntheticDecoupledKd
{
}

/// <summary>DIST alone on the same data.</summary>
[Distillation]
[Dataset(DatasetKind.Synthetic)]
[SyntheticData(TrainSamples = 256, TestSamples = 128, Features = 16, Classes = 4, Groups = 2, ClassCorrelation = 0.7, Seed = 5)]
[Teacher(typeof(TinyTeacher), Epochs = 4)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.Dist, Temperature = 4)]
[Train(Epochs = 4, BatchSize = 64, LearningRate = 3e-3, Seed = 5)]
public partial class SyntheticDist
{
}

/// <summary>
/// Every logit-family kind logged at weight 0 beside the cross-entropy, in one full-batch step, with options that are not the
/// defaults: each logged value is the term between the student's initial logits and the teacher's.
/// </summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 120, TestLimit = 60)]
[Teacher(typeof(TinyTeacher), Epochs = 2)]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.DecoupledKd, Weight = 0, Temperature = 4, TargetClassWeight = 2, NonTargetClassWeight = 0.5)]
[Loss(LossKind.Dist, Weight = 0, Temperature = 3, InterClassWeight = 1.5, IntraClassWeight = 0.5)]
[Loss(LossKind.SymmetricKl, Weight = 0, Temperature = 2)]
[Loss(LossKind.SkewedJensenShannon, Weight = 0, Temperature = 2, Skew = 0.3, StandardizeLogits = true)]
[Loss(LossKind.TotalVariation, Weight = 0, Temperature = 3, StudentTemperature = 1.5)]
[Train(Epochs = 1, BatchSize = 120, Seed = 13)]
public partial class LoggedLogitMethodsKd
{
}

/// <summary>The logit-family kinds run in generated loops: DKD and DIST train a student, and every kind logs its reference value.</summary>
public sealed class LogitMethodsRunTests
{
    [Fact]
    public void Decoupled_kd_trains_with_a_finite_loss_that_decreases()
    {
        using var result = SyntheticDecoupledKd.Run();
        Assert.Equal(new[] { "DecoupledKd" }, SyntheticDecoupledKd.LossTermNames);
        var losses = result.Epochs.Select(e => e.DecoupledKd).ToList();
        Assert.Equal(4, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0, $"DKD loss {l}"));
        Assert.True(losses[^1] < losses[0], $"DKD loss per epoch: {string.Join(", ", losses)}");
        Assert.True(double.IsFinite(result.StudentAccuracy));
    }

    [Fact]
    public void Dist_trains_with_a_finite_loss_that_decreases()
    {
        using var result = SyntheticDist.Run();
        Assert.Equal(new[] { "Dist" }, SyntheticDist.LossTermNames);
        var losses = result.Epochs.Select(e => e.Dist).ToList();
        Assert.Equal(4, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0, $"DIST loss {l}"));
        Assert.True(losses[^1] < losses[0], $"DIST loss per epoch: {string.Join(", ", losses)}");
        Assert.True(double.IsFinite(result.StudentAccuracy));
    }

    [Fact]
    public void Declared_options_reach_the_loop_as_the_float64_references_say()
    {
        using var result = LoggedLogitMethodsKd.Run();
        Assert.Equal(new[] { "CrossEntropy", "DecoupledKd", "Dist", "SymmetricKl", "SkewedJensenShannon", "TotalVariation" },
            LoggedLogitMethodsKd.LossTermNames);

        // The one step saw the whole training split with the student as the run built it (seed + 1).
        using var data = KdDsl.Data.BuiltInDatasets.Load(DatasetKind.Digits, null, 120, 60);
        ExperimentRuntime.Seed(result.Settings.Seed + 1);
        using var initial = new TinyStudent(data.Train.FeatureCount, data.Train.ClassCount);
        double[,] student, teacher;
        using (no_grad())
        {
            initial.eval();
            result.Teacher.eval();
            student = LossReference.ToArray(initial.call(data.Train.Features));
            teacher = LossReference.ToArray(result.Teacher.call(data.Train.Features));
        }
        var labels = data.Train.Labels.data<long>().ToArray();
        var epoch = result.Epochs.Single();

        double dkd = LogitReference.DecoupledKd(student, teacher, labels, 4, 2, 0.5);
        double dist = LogitReference.Dist(student, teacher, 3, 1.5, 0.5);
        double symmetric = DivergenceReference.Term(LogitReference.SymmetricKlRow, student, teacher, 2, 2, KlReduction.BatchMean, true);
        double skewed = DivergenceReference.Term(LogitReference.SkewedJensenShannonRow(0.3), LogitReference.Standardize(student),
            LogitReference.Standardize(teacher), 2, 2, KlReduction.BatchMean, true);
        double totalVariation = DivergenceReference.Term(LogitReference.TotalVariationRow, student, teacher, 3, 1.5, KlReduction.BatchMean, false);
        Assert.Equal(dkd, epoch.DecoupledKd, 4);
        Assert.Equal(dist, epoch.Dist, 4);
        Assert.Equal(symmetric, epoch.SymmetricKl, 4);
        Assert.Equal(skewed, epoch.SkewedJensenShannon, 4);
        Assert.Equal(totalVariation, epoch.TotalVariation, 4);
        Assert.All(new[] { dkd, dist, symmetric, skewed, totalVariation }, v => Assert.True(v > 1e-3, $"value {v}")); // not trivially zero
        Assert.Equal(epoch.CrossEntropy, epoch.Total, 12); // weight 0: logged, not trained on
    }
}
