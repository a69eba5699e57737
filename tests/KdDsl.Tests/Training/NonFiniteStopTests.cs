using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Training;

/// <summary>
/// A student whose next training-mode forward pass returns NaN logits once <see cref="PoisonNextStep"/> is set: a loss that
/// goes non-finite in the middle of a run, on demand (the flag is cleared when used).
/// </summary>
public sealed class PoisonableStudent : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public PoisonableStudent(int inputFeatures, int classCount) : base(nameof(PoisonableStudent))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, 16), nn.ReLU(), nn.Linear(16, classCount));
        RegisterComponents();
    }

    public static bool PoisonNextStep { get; set; }

    public override Tensor forward(Tensor input)
    {
        var logits = layers.call(input);
        if (!training || !PoisonNextStep) return logits;
        PoisonNextStep = false;
        return logits * double.NaN;
    }
}

[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 200, TestLimit = 100)]
[Student(typeof(PoisonableStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.LabelSmoothing, Weight = 0.5, Epsilon = 0.1)]
[Train(Epochs = 3, BatchSize = 50, LearningRate = 3e-3, Seed = 5)]
public partial class NonFiniteKd
{
}

/// <summary>"The run stops cleanly with its last good checkpoint": a loss that turns NaN in epoch 2 of 3.</summary>
public sealed class NonFiniteStopTests
{
    /// <summary>Sets the student's poison flag when the given step has been reported, so the next step's loss is NaN.</summary>
    private sealed class PoisonAfter(int epoch, int step) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Phase == TrainingPhase.Distillation && value.Epoch == epoch && value.Step == step) PoisonableStudent.PoisonNextStep = true;
        }
    }

    [Fact]
    public void A_nan_loss_in_epoch_2_names_where_and_leaves_the_epoch_1_checkpoint()
    {
        string path = Path.GetFullPath("kddsl-test-artifacts/nonfinite/student.ckpt");
        if (File.Exists(path)) File.Delete(path);
        PoisonableStudent.PoisonNextStep = false;

        // Reference: the same run stopped after epoch 1 (constant learning rate, so its epoch 1 is the same epoch 1).
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 200, 100);
        using var afterEpoch1 = NonFiniteKd.Run(data, new RunOptions { Epochs = 1 });

        // 200 samples / 50 = 4 steps per epoch: step 3 of epoch 2 gets NaN logits.
        var error = Assert.Throws<NonFiniteLossException>(() =>
            NonFiniteKd.Run(data, new RunOptions { Checkpoint = path, Progress = new PoisonAfter(2, 2) }));
        Assert.False(PoisonableStudent.PoisonNextStep); // the poisoned forward pass did run
        Assert.Equal(TrainingPhase.Distillation, error.Phase);
        Assert.Equal("CrossEntropy", error.Term); // the first declared term is checked first
        Assert.Equal(2, error.Epoch);
        Assert.Equal(3, error.Step);
        Assert.True(double.IsNaN(error.Value));
        Assert.Contains("Distillation: loss term 'CrossEntropy' is NaN at epoch 2, step 3", error.Message);
        Assert.False(System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion, "the steps' no-GC region was left open");

        // The checkpoint on disk is epoch 1's: it loads, says 1 completed epoch, and holds the weights after epoch 1.
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp-*"));
        var settings = NonFiniteKd.DeclaredSettings;
        using var student = new PoisonableStudent(data.Train.FeatureCount, data.Train.ClassCount);
        int steps = Batches.StepsPerEpoch(data.Train.Count, settings.BatchSize);
        using var optimization = OptimizationStep.Create(settings, student.parameters(), steps);
        var resumed = DistillationCheckpoint.Load(path, nameof(NonFiniteKd), settings, student, optimization);
        Assert.Equal(1, resumed.CompletedEpochs);
        Assert.Single(resumed.History);
        var e1 = afterEpoch1.Epochs[0];
        Assert.Equal(new[] { e1.Total, e1.CrossEntropy, e1.LabelSmoothing, e1.Accuracy }, resumed.History[0]);
        Assert.Equal(steps, optimization.OptimizerSteps); // one epoch of optimizer steps, none of epoch 2
        foreach (var (saved, reference) in student.parameters().Zip(afterEpoch1.Student.parameters()))
            Assert.True(saved.allclose(reference, 0, 0), "checkpointed weights differ from the weights after epoch 1"); // bit for bit

        // And a resumed run (nothing poisoned now) carries on from epoch 1.
        using var resumedRun = NonFiniteKd.Run(data, new RunOptions { Checkpoint = path });
        Assert.Equal(1, resumedRun.DistillationResumedAfterEpoch);
        Assert.Equal(e1, resumedRun.Epochs[0]);
        Assert.All(resumedRun.Epochs, e => Assert.True(double.IsFinite(e.Total)));
        File.Delete(path);
    }
}
