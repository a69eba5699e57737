using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Reporting;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.EndToEnd;

/// <summary>Runs the generated loops of <see cref="TestExperiments"/>-declared classes on the embedded digits.</summary>
public sealed class GeneratedLoopTests
{
    [Fact]
    public void Hinton_experiment_trains_all_three_models_and_reports_every_term()
    {
        using var result = TinyDigitsKd.Run();

        Assert.Equal(new[] { "CrossEntropy", "KlDivergence" }, TinyDigitsKd.LossTermNames);
        Assert.Equal(4, result.TeacherEpochLosses.Count); // the teacher's own Epochs = 4
        Assert.Equal(3, result.StudentAloneEpochLosses.Count);
        Assert.Equal(3, result.Epochs.Count);
        Assert.False(result.TeacherLoadedFromCheckpoint);

        // Ten balanced classes: chance is ~10%. Even tiny models on 400 samples are far above it.
        Assert.InRange(result.TeacherAccuracy, 0.6, 1.0);
        Assert.InRange(result.StudentAloneAccuracy!.Value, 0.4, 1.0);
        Assert.InRange(result.StudentAccuracy, 0.4, 1.0);

        // The reported total is the declared weighted sum of the terms (the mean is linear, so this holds per epoch).
        foreach (var e in result.Epochs)
            Assert.Equal(0.25 * e.CrossEntropy + 0.75 * e.KlDivergence, e.Total, 9);
        // Training lowers the loss, and the teacher's cross-entropy falls too.
        Assert.True(result.Epochs[^1].Total < result.Epochs[0].Total);
        Assert.True(result.TeacherEpochLosses[^1] < result.TeacherEpochLosses[0]);

        // The generic view agrees with the typed one.
        var history = ((IDistillationResult)result).LossHistory;
        Assert.Equal(result.Epochs.Select(e => e.KlDivergence), history.Select(h => h.Terms[1]));
    }

    [Fact]
    public void Accuracy_reported_equals_accuracy_recomputed_from_the_returned_model()
    {
        using var result = TinyDigitsKd.Run(new RunOptions { Epochs = 1 });
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 300);
        using var scope = NewDisposeScope();
        result.Student.eval();
        using var noGrad = no_grad();
        var predictions = result.Student.call(data.Test.Features).argmax(1).data<long>().ToArray();
        var labels = data.Test.Labels.data<long>().ToArray();
        double expected = predictions.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;
        Assert.Equal(expected, result.StudentAccuracy, 12);
    }

    [Fact]
    public void Same_seed_gives_identical_losses_and_another_seed_does_not()
    {
        using var first = TinyDigitsKd.Run(new RunOptions { Epochs = 2 });
        using var second = TinyDigitsKd.Run(new RunOptions { Epochs = 2 });
        using var other = TinyDigitsKd.Run(new RunOptions { Epochs = 2, Seed = 8 });

        Assert.Equal(first.Epochs, second.Epochs);
        Assert.Equal(first.StudentAccuracy, second.StudentAccuracy);
        Assert.NotEqual(first.Epochs, other.Epochs);
    }

    [Fact]
    public void With_cross_entropy_as_the_only_term_the_distilled_student_repeats_the_baseline_exactly()
    {
        // Same initial weights, same batch order, same dropout stream and the same loss: the two runs must coincide.
        // Any unfairness between baseline and distilled student (different init or batches) breaks this equality.
        using var result = CrossEntropyOnlyKd.Run();
        Assert.Equal(result.StudentAloneEpochLosses, result.Epochs.Select(e => e.CrossEntropy));
        Assert.Equal(result.StudentAloneAccuracy, result.StudentAccuracy);
        Assert.True(result.StudentAlone.parameters().Zip(result.Student.parameters()).All(p => p.First.allclose(p.Second, 0, 0)));
    }

    [Fact]
    public void Teacher_checkpoint_is_written_once_then_loaded()
    {
        string path = Path.GetFullPath("kddsl-test-artifacts/tiny-teacher.ckpt");
        if (File.Exists(path)) File.Delete(path);

        using var trained = CheckpointedTeacherKd.Run();
        Assert.False(trained.TeacherLoadedFromCheckpoint);
        Assert.True(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp-*")); // the temporary file was renamed away

        using var loaded = CheckpointedTeacherKd.Run();
        Assert.True(loaded.TeacherLoadedFromCheckpoint);
        Assert.Empty(loaded.TeacherEpochLosses);
        Assert.Equal(trained.TeacherAccuracy, loaded.TeacherAccuracy);
        Assert.True(trained.Teacher.parameters().Zip(loaded.Teacher.parameters()).All(p => p.First.allclose(p.Second, 0, 0)));
    }

    [Fact]
    public void Corrupt_teacher_checkpoint_is_reported_with_its_path()
    {
        string path = Path.GetFullPath("kddsl-test-artifacts/tiny-teacher.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "not a checkpoint");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => CheckpointedTeacherKd.Run());
            Assert.Contains(path, error.Message);
            Assert.Contains("TinyTeacher", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Input_width_mismatch_is_refused_before_training()
    {
        int steps = 0;
        var options = new RunOptions { Progress = new Counter(() => steps++) };
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 100, 50);
        var error = Assert.Throws<InvalidOperationException>(() => WrongWidthKd.Run(data, options));
        Assert.Contains("teacher KdDsl.Tests.EndToEnd.HundredInputNet expects inputs of width 100", error.Message);
        Assert.Contains("64 features", error.Message);
        Assert.Equal(0, steps);
    }

    [Fact]
    public void Logit_count_mismatch_is_refused_before_training()
    {
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 100, 50);
        var error = Assert.Throws<InvalidOperationException>(() => WrongClassCountKd.Run(data));
        Assert.Contains("student KdDsl.Tests.EndToEnd.FiveClassNet returned shape [1, 5]", error.Message);
        Assert.Contains("expected [1, 10]", error.Message);
    }

    [Fact]
    public void Missing_data_files_are_named()
    {
        var error = Assert.Throws<DatasetException>(() => MissingFilesKd.Run());
        Assert.Contains("/nonexistent/kddsl/mnist", error.Message);
    }

    [Fact]
    public void Splits_that_disagree_are_refused()
    {
        using var digits = BuiltInDatasets.Load(DatasetKind.Digits, null, 100, 50);
        using var narrow = new LabeledDataset("narrow test", zeros(10, 32), zeros(10, ScalarType.Int64), 10);
        var error = Assert.Throws<DatasetException>(() => TinyDigitsKd.Run(new DatasetSplits(digits.Train, narrow)));
        Assert.Contains("'narrow test' has 32 features per sample", error.Message);
    }

    [Fact]
    public void A_nan_input_is_refused_before_any_run_naming_the_set_and_the_sample()
    {
        // Non-finite inputs are refused when the data set is built (LabeledDataset), so they never reach a step; a loss that
        // turns NaN inside the loop is still stopped by the loop's guard (NonFiniteStopTests).
        using var digits = BuiltInDatasets.Load(DatasetKind.Digits, null, 100, 50);
        var features = digits.Train.Features.clone();
        features[37, 5] = tensor(float.NaN);
        var error = Assert.Throws<DatasetException>(() => new LabeledDataset("poisoned", features, digits.Train.Labels.clone(), 10));
        Assert.Contains("'poisoned': sample 37 holds NaN at column 5", error.Message);
    }

    private sealed class Counter(Action onReport) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onReport();
    }
}
