using System;
using System.IO;
using System.Linq;
using KdDsl.Models;
using KdDsl.Reporting;
using KdDsl.Tests.Matching;
using KdDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Training;

/// <summary>FitNets' recipe in two stages: the hint trains the lower student (and the connector), then KD trains all of it.</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 2)]
[Student(typeof(NarrowCnn))]
[Stage(1, Epochs = 2, LearningRate = 1e-2, Trains = new[] { "embedding", "blocks.0" })]
[Stage(2, Epochs = 3)]
[MatchLayers(LayerSelection.Explicit, Weight = 1, Stage = 1)]
[LayerMap("blocks.0", "stages.1")]
[Loss(LossKind.CrossEntropy, Weight = 0.5, Stage = 2)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2, Stage = 2)]
[Train(Epochs = 4, BatchSize = 32, LearningRate = 3e-3, Seed = 5)]
public partial class FitNetsInStages { }

/// <summary>One stage that trains only the classifier, with cross-entropy in every stage (no Stage on the term).</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 1)]
[Student(typeof(NarrowCnn))]
[Stage(1, Trains = new[] { "head" })]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Temperature = 2)]
[Train(Epochs = 2, BatchSize = 32, Seed = 5)]
public partial class HeadOnlyStage { }

/// <summary>A stage that names a parameter the student does not have.</summary>
[Distillation]
[Teacher(typeof(ResNet8), Epochs = 1)]
[Student(typeof(NarrowCnn))]
[Stage(1, Trains = new[] { "blocks.7" })]
[Loss(LossKind.KlDivergence, Temperature = 2)]
[Train(Epochs = 1, BatchSize = 32, Seed = 5)]
public partial class MisnamedStage { }

public sealed class StagedDistillationTests
{
    private static string Fresh() => Path.Combine(Path.GetTempPath(), "kddsl-stages-" + Guid.NewGuid().ToString("N") + ".ckpt");

    [Fact]
    public void Stages_run_in_order_with_their_own_terms_and_epochs()
    {
        using var data = TinyImages.Splits();
        using var result = FitNetsInStages.Run(data);
        Assert.Equal(new[] { "CrossEntropy", "KlDivergence", "HiddenStates" }, result.LossTermNames);
        Assert.Equal(5, result.Epochs.Count); // 2 hint epochs, then 3 KD epochs
        foreach (var epoch in result.Epochs.Take(2))
        {
            Assert.True(double.IsNaN(epoch.CrossEntropy) && double.IsNaN(epoch.KlDivergence), "stage 1 has only the hint");
            Assert.True(epoch.HiddenStates > 0);
            Assert.Equal(epoch.HiddenStates, epoch.Total, 12); // weight 1
        }
        foreach (var epoch in result.Epochs.Skip(2))
        {
            Assert.True(double.IsNaN(epoch.HiddenStates), "stage 2 has no hint");
            Assert.Equal(0.5 * epoch.CrossEntropy + 0.5 * epoch.KlDivergence, epoch.Total, 9);
        }
        Assert.True(result.Epochs[1].HiddenStates < result.Epochs[0].HiddenStates, "the hint stage lowers the hint loss");
        Assert.True(result.StudentAccuracy > 0.5, $"student accuracy {result.StudentAccuracy}");
    }

    [Fact]
    public void A_stage_trains_only_the_parameters_it_names()
    {
        using var data = TinyImages.Splits();
        using var result = HeadOnlyStage.Run(data);
        var before = StudentAtStart(data);
        var after = result.Student.state_dict();
        foreach (var (name, value) in after.Select(p => (p.Key, p.Value)))
        {
            if (value.dtype != ScalarType.Float32 || name.Contains("running_", StringComparison.Ordinal)) continue;
            bool equal = value.equal(before[name]).all().item<bool>();
            Assert.True(name.StartsWith("head.", StringComparison.Ordinal) ? !equal : equal, $"{name} {(equal ? "did not change" : "changed")}");
        }
        foreach (var parameter in result.Student.parameters()) Assert.True(parameter.requires_grad, "frozen parameters are restored after the stage");
    }

    [Fact]
    public void A_stage_naming_no_parameter_is_refused_before_it_trains()
    {
        using var data = TinyImages.Splits();
        var error = Assert.Throws<InvalidOperationException>(() => MisnamedStage.Run(data));
        Assert.Contains("\"blocks.7\", which names no parameter of the student NarrowCnn", error.Message);
        Assert.Contains("blocks.0", error.Message);
    }

    [Fact]
    public void A_run_killed_in_stage_two_resumes_in_stage_two_and_ends_bit_for_bit()
    {
        using var data = TinyImages.Splits();
        using var uninterrupted = FitNetsInStages.Run(data, new RunOptions { Checkpoint = Fresh() });
        string path = Fresh();
        // Stage 2's epoch 2 (stage 1 has epochs 1 and 2 too, but its progress reports come first: crash in stage 2 by counting).
        var crash = new CrashInStage(stage: 2, epoch: 2, step: 2);
        Assert.Throws<OperationCanceledException>(() => FitNetsInStages.Run(data, new RunOptions { Checkpoint = path, Progress = crash }));
        Assert.True(File.Exists(path + ".stage1") && File.Exists(path + ".stage2"));
        using var resumed = FitNetsInStages.Run(data, new RunOptions { Checkpoint = path });
        Assert.Equal(3, resumed.DistillationResumedAfterEpoch); // stage 1's 2 epochs and stage 2's first
        Assert.Equal(uninterrupted.Epochs, resumed.Epochs); // every term (NaN where a stage lacks it) and accuracy, bit for bit
        var a = uninterrupted.Student.state_dict();
        var b = resumed.Student.state_dict();
        foreach (var key in a.Keys.Where(k => a[k].dtype == ScalarType.Float32)) Assert.True(a[key].equal(b[key]).all().item<bool>(), key);
        var ma = uninterrupted.Matcher.state_dict();
        var mb = resumed.Matcher.state_dict();
        foreach (var key in ma.Keys.Where(k => ma[k].dtype == ScalarType.Float32)) Assert.True(ma[key].equal(mb[key]).all().item<bool>(), key);
    }

    /// <summary>The student as the run builds it (seed offset 1 of the run's seed 5), before any training.</summary>
    private static System.Collections.Generic.Dictionary<string, Tensor> StudentAtStart(KdDsl.Data.DatasetSplits data)
    {
        var run = new ExperimentRun("probe", data, HeadOnlyStage.DeclaredSettings, new RunOptions());
        var student = run.Build(() => new NarrowCnn(2, 4), "student", typeof(NarrowCnn).FullName!, seedOffset: 1);
        return student.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
    }

    /// <summary>Throws at a distillation epoch and step of the given stage, counting stages by their epoch counters restarting.</summary>
    private sealed class CrashInStage(int stage, int epoch, int step) : IProgress<TrainingProgress>
    {
        private int currentStage;
        private int lastEpoch = int.MaxValue;

        public void Report(TrainingProgress value)
        {
            if (value.Phase != TrainingPhase.Distillation) return;
            if (value.Epoch < lastEpoch) currentStage++;
            lastEpoch = value.Epoch;
            if (currentStage == stage && value.Epoch == epoch && value.Step == step)
                throw new OperationCanceledException("simulated kill in stage " + stage);
        }
    }
}
