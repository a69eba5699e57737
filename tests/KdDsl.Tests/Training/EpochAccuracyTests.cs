using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Reporting;
using KdDsl.Tests.EndToEnd;
using KdDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Training;

/// <summary>The distilled student's accuracy recorded after every epoch, checked against accuracies recomputed here.</summary>
public sealed class EpochAccuracyTests
{
    /// <summary>Accuracy by hand: one forward pass in eval mode, arg-max and comparison done in C# on copied arrays.</summary>
    internal static double AccuracyOf(nn.Module<Tensor, Tensor> model, LabeledDataset data)
    {
        using var scope = NewDisposeScope();
        model.eval();
        using var noGrad = no_grad();
        var logits = model.call(data.Features).data<float>().ToArray();
        var labels = data.Labels.data<long>().ToArray();
        int classes = logits.Length / labels.Length, correct = 0;
        for (int n = 0; n < labels.Length; n++)
        {
            int best = 0;
            for (int k = 1; k < classes; k++)
                if (logits[n * classes + k] > logits[n * classes + best]) best = k;
            if (best == labels[n]) correct++;
        }
        return correct / (double)labels.Length;
    }

    [Fact]
    public void Each_epochs_accuracy_is_the_test_accuracy_of_the_student_after_that_epoch()
    {
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 300, 100); // LiveTeacherKd's data set
        using var twoEpochs = LiveTeacherKd.Run(data);
        using var oneEpoch = LiveTeacherKd.Run(data, new RunOptions { Epochs = 1 }); // constant rate: its epoch 1 is the same epoch 1

        Assert.Equal("test", twoEpochs.EpochAccuracySplit);
        Assert.Equal(2, twoEpochs.Epochs.Count);
        Assert.Equal(twoEpochs.Epochs[0], oneEpoch.Epochs[0]); // same seed, same first epoch (losses and accuracy)
        Assert.Equal(AccuracyOf(oneEpoch.Student, data.Test), twoEpochs.Epochs[0].Accuracy, 15);
        Assert.Equal(AccuracyOf(twoEpochs.Student, data.Test), twoEpochs.Epochs[1].Accuracy, 15);
        Assert.Equal(twoEpochs.StudentAccuracy, twoEpochs.Epochs[1].Accuracy, 15); // no validation split: the same measurement
        Assert.InRange(twoEpochs.Epochs[1].Accuracy, 0.15, 1.0); // 10 classes (chance 0.1); 0.26 here after 2 short epochs

        // The generic view carries the same figures.
        var history = ((IDistillationResult)twoEpochs).LossHistory;
        Assert.Equal(twoEpochs.Epochs.Select(e => e.Accuracy), history.Select(h => h.Accuracy));
    }

    [Fact]
    public void With_a_validation_split_the_accuracy_is_measured_on_it()
    {
        using var loaded = BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 100);
        using var data = loaded.WithValidation(0.25);
        using var result = SelectedTeacherKd.Run(data);

        Assert.Equal("validation", result.EpochAccuracySplit);
        double validation = AccuracyOf(result.Student, data.Validation!), test = AccuracyOf(result.Student, data.Test);
        Assert.Equal(validation, result.Epochs[0].Accuracy, 15);
        Assert.Equal(test, result.StudentAccuracy, 15);
    }

    [Fact]
    public void A_checkpoint_in_the_old_format_is_refused_with_a_clear_message()
    {
        string path = Path.GetFullPath("kddsl-test-artifacts/resume/format1.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var writer = new BinaryWriter(File.Create(path)))
        {
            writer.Write(0x4B44434B); // "KDCK"
            writer.Write(1);          // format 1: rows without accuracy
            writer.Write(nameof(ResumableKd));
        }
        var error = Assert.Throws<InvalidOperationException>(() => ResumableKd.Run(new RunOptions { Checkpoint = path, Epochs = 1 }));
        Assert.Contains(path, error.Message);
        Assert.Contains("checkpoint format 1", error.Message);
        Assert.Contains("no per-epoch accuracy", error.Message);
        File.Delete(path);
    }
}
