using System;
using System.Linq;
using KdDsl.Calibration;
using KdDsl.Data;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.EndToEnd;

/// <summary>Teacher-free, self-taught, selected, defective and calibrated teachers, run through their generated loops.</summary>
public sealed class TeacherKindsTests
{
    private static bool SameWeights(nn.Module a, nn.Module b) =>
        a.parameters().Zip(b.parameters()).All(p => p.First.allclose(p.Second, 0, 0));

    [Fact]
    public void Teacher_free_experiment_trains_with_label_smoothing_and_the_virtual_teacher_only()
    {
        using var result = TeacherFreeKd.Run();
        Assert.Null(((KdDsl.Reporting.IDistillationResult)result).TeacherAccuracy);
        Assert.Equal(4, result.Epochs.Count);
        foreach (var e in result.Epochs) Assert.Equal(0.5 * e.LabelSmoothing + 0.5 * e.TfKdRegularization, e.Total, 9);
        Assert.True(result.Epochs[^1].Total < result.Epochs[0].Total);
        Assert.InRange(result.StudentAccuracy, 0.5, 1.0);
    }

    [Fact]
    public void Self_teacher_is_exactly_the_students_own_normally_trained_copy()
    {
        // Same architecture, same initial weights, same batches, cross-entropy: the self teacher (2 epochs, its own Epochs)
        // must equal the student-alone baseline trained for the same 2 epochs.
        using var result = SelfTaughtKd.Run();
        Assert.True(SameWeights(result.Teacher, result.StudentAlone));
        Assert.Equal(result.StudentAloneAccuracy, result.TeacherAccuracy);
        Assert.Equal(result.StudentAloneEpochLosses, result.TeacherEpochLosses);
    }

    [Fact]
    public void A_teacher_learning_rate_of_its_own_trains_the_teacher_only()
    {
        using var result = OwnTeacherRateKd.Run();
        Assert.Equal(1e-3, result.Settings.LearningRate); // the student's

        // The teacher equals one trained directly, from the same seed, at 0.02, and differs from one trained at [Train]'s 1e-3.
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 300, 100);
        TinyTeacher Reference(double learningRate)
        {
            var settings = OwnTeacherRateKd.DeclaredSettings with { Epochs = 2, LearningRate = learningRate };
            ExperimentRuntime.Seed(settings.Seed);
            var teacher = new TinyTeacher(data.Train.FeatureCount, data.Train.ClassCount);
            TeacherTraining.Train(teacher, data, settings, KdDsl.TeacherSelection.LastEpoch, 0, CPU, null);
            return teacher;
        }
        using var atOwnRate = Reference(0.02);
        using var atTrainRate = Reference(1e-3);
        Assert.True(SameWeights(result.Teacher, atOwnRate));
        Assert.False(SameWeights(result.Teacher, atTrainRate));
    }

    [Fact]
    public void Best_validation_accuracy_selection_keeps_the_best_epoch()
    {
        using var result = SelectedTeacherKd.Run();
        var report = result.TeacherTraining!;
        Assert.Equal(5, report.ValidationAccuracy.Count);
        int best = report.ValidationAccuracy.Select((a, i) => (a, i)).OrderByDescending(p => p.a).ThenBy(p => p.i).First().i + 1;
        Assert.Equal(best, report.SelectedEpoch);

        // The teacher the run kept really has that validation accuracy (recomputed independently from the returned model).
        using var loaded = BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 100);
        using var data = loaded.WithValidation(0.25);
        double recomputed = Evaluation.Accuracy(result.Teacher, data.Validation!, 64, CPU);
        Assert.Equal(report.ValidationAccuracy.Max(), recomputed, 12);
    }

    [Fact]
    public void Lowest_validation_loss_selection_keeps_the_lowest_loss_epoch()
    {
        using var result = LowestLossTeacherKd.Run();
        var report = result.TeacherTraining!;
        int lowest = report.ValidationLoss.Select((l, i) => (l, i)).OrderBy(p => p.l).ThenBy(p => p.i).First().i + 1;
        Assert.Equal(lowest, report.SelectedEpoch);

        using var loaded = BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 100);
        using var data = loaded.WithValidation(0.25);
        using var logits = Evaluation.Logits(result.Teacher, data.Validation!, 64, CPU);
        double recomputed = nn.functional.cross_entropy(logits, data.Validation!.Labels).item<float>();
        Assert.Equal(report.ValidationLoss.Min(), recomputed, 5);
    }

    [Fact]
    public void Defective_teacher_stops_as_soon_as_it_reaches_the_target_accuracy()
    {
        using var result = DefectiveTeacherKd.Run();
        var report = result.TeacherTraining!;
        Assert.True(report.StoppedAtTargetAccuracy);
        Assert.True(report.EpochLosses.Count < 5, $"stopped after {report.EpochLosses.Count} of 5 epochs");
        using var loaded = BuiltInDatasets.Load(DatasetKind.Digits, null, 600, 100);
        using var data = loaded.WithValidation(0.2);
        double validationAccuracy = Evaluation.Accuracy(result.Teacher, data.Validation!, 64, CPU);
        Assert.InRange(validationAccuracy, 0.5, 0.95); // reached the target, far from a trained teacher
    }

    [Fact]
    public void Calibrated_teacher_reports_the_fitted_temperature_and_lower_validation_nll()
    {
        using var result = CalibratedTeacherKd.Run();
        var calibration = result.TeacherCalibration;
        Assert.True(double.IsFinite(calibration.Temperature) && calibration.Temperature > 0);
        Assert.True(calibration.Fit.NllAfter <= calibration.Fit.NllBefore + 1e-9);

        // Independent check of the fit's optimality: NLL on the validation split at T* is no higher than at 0.9 T* or 1.1 T*.
        using var loaded = BuiltInDatasets.Load(DatasetKind.Digits, null, 500, 200);
        using var data = loaded.WithValidation(0.3);
        using var logits = Evaluation.Logits(result.Teacher, data.Validation!, 64, CPU);
        double Nll(double t) => nn.functional.cross_entropy(logits / t, data.Validation!.Labels).item<float>();
        Assert.True(Nll(calibration.Temperature) <= Nll(0.9 * calibration.Temperature) + 1e-6);
        Assert.True(Nll(calibration.Temperature) <= Nll(1.1 * calibration.Temperature) + 1e-6);

        // The test-split reports before/after agree with the report computed for the teacher alone.
        Assert.Equal(result.TeacherTest.ExpectedCalibrationError, calibration.TestBefore.ExpectedCalibrationError, 12);
        Assert.Equal(10, calibration.TestAfter.Bins.Count);
    }

    [Fact]
    public void Synthetic_data_experiment_runs_from_its_declared_shape()
    {
        using var result = SyntheticKd.Run();
        Assert.Equal(16, result.Teacher.parameters().First().shape[1]); // TinyTeacher built for the 16 synthetic features
        Assert.InRange(result.TeacherAccuracy, 0.3, 1.0);  // 4 classes: chance is 25%
    }

    [Fact]
    public void Teacher_selection_without_a_validation_split_fails_before_training()
    {
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 100, 50);
        var error = Assert.Throws<InvalidOperationException>(() => SelectedTeacherKd.Run(data));
        Assert.Contains("needs a validation split", error.Message);
    }
}
