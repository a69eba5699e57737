using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.SweepHost;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.Sweeps;

// The same experiments written out with constants: a trial of a sweep must train exactly what they train.

[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy, Weight = 0.7)]
[Loss(LossKind.KlDivergence, Weight = 0.3, Temperature = 4)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
public partial class FixedAlpha03Kl
{
}

[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy, Weight = 0.1)]
[Loss(LossKind.LogitMse, Weight = 0.9)]
[Train(Epochs = 3, BatchSize = 32, LearningRate = 3e-3, Seed = 11)]
public partial class FixedAlpha09Mse
{
}

/// <summary>The other three knobs: teacher checkpoint, student temperature and learning rate.</summary>
[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4)]
[Train(Epochs = 2, BatchSize = 32, Seed = 5)]
[Sweep(SweepAxes.TeacherSelection, TeacherSelection.BestValidationAccuracy, TeacherSelection.LowestValidationLoss)]
[Sweep(SweepAxes.StudentTemperature, 1.0, 4.0)]
[Sweep(SweepAxes.LearningRate, 1e-3, 1e-2)]
public partial class SelectionTemperatureRateSweep
{
}

[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3, Selection = TeacherSelection.LowestValidationLoss)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4, StudentTemperature = 1)]
[Train(Epochs = 2, BatchSize = 32, LearningRate = 1e-2, Seed = 5)]
public partial class FixedLowestLossT1Rate01
{
}

/// <summary>The same at the declared learning rate (1e-3): the rate the swept experiment's teacher trains with in every trial.</summary>
[Distillation]
[Teacher(typeof(HostTeacher), Epochs = 3, Selection = TeacherSelection.LowestValidationLoss)]
[Student(typeof(HostStudent16))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4, StudentTemperature = 1)]
[Train(Epochs = 2, BatchSize = 32, Seed = 5)]
public partial class FixedLowestLossT1
{
}

/// <summary>A sweep trial and the same configuration declared with constants give identical runs, knob by knob.</summary>
public sealed class SweepEquivalenceTests
{
    [Fact]
    public void Alpha_and_distance_trials_equal_the_experiments_written_with_constants()
    {
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 200);
        var options = new RunOptions { Device = TorchSharp.torch.CPU };

        using (var swept = HostWideSweep.Run(HostWideSweep.Grid[0], data, options)) // Alpha 0.3, KL
        using (var fixedRun = FixedAlpha03Kl.Run(data, options))
        {
            Assert.Equal((0.3, LossKind.KlDivergence), (swept.Trial.Alpha, swept.Trial.Distance));
            Assert.Equal(fixedRun.TeacherAccuracy, swept.TeacherAccuracy);
            Assert.Equal(fixedRun.StudentAccuracy, swept.StudentAccuracy);
            Assert.Equal(fixedRun.Epochs.Select(e => (e.Total, e.CrossEntropy, e.KlDivergence)), swept.Epochs.Select(e => (e.Total, e.CrossEntropy, e.Distance)));
        }
        using (var swept = HostWideSweep.Run(HostWideSweep.Grid[3], data, options)) // Alpha 0.9, MSE
        using (var fixedRun = FixedAlpha09Mse.Run(data, options))
        {
            Assert.Equal((0.9, LossKind.LogitMse), (swept.Trial.Alpha, swept.Trial.Distance));
            Assert.Equal(fixedRun.StudentAccuracy, swept.StudentAccuracy);
            Assert.Equal(fixedRun.Epochs.Select(e => (e.CrossEntropy, e.LogitMse)), swept.Epochs.Select(e => (e.CrossEntropy, e.Distance)));
            // The reported total is L = (1 - alpha) * CE + alpha * D, per epoch (a mean of a linear combination).
            Assert.All(swept.Epochs, e => Assert.Equal(0.1 * e.CrossEntropy + 0.9 * e.Distance, e.Total, 9));
        }
    }

    [Fact]
    public void Teacher_selection_student_temperature_and_learning_rate_trials_equal_the_constants()
    {
        using var loaded = BuiltInDatasets.Load(DatasetKind.Digits, null, 400, 200);
        using var data = loaded.WithValidation(0.2);
        var options = new RunOptions { Device = TorchSharp.torch.CPU };
        var trial = SelectionTemperatureRateSweep.Grid.Single(t =>
            t.TeacherSelection == TeacherSelection.LowestValidationLoss && t.StudentTemperature == 1 && t.LearningRate == 1e-2);
        Assert.Equal(5, trial.Index); // (1, 0, 1) in a 2 × 2 × 2 grid

        // The swept learning rate is the student's: the teacher trains with the declared 1e-3 in every trial. Written with constants,
        // that is FixedLowestLossT1's teacher (trained at 1e-3, saved) loaded into FixedLowestLossT1Rate01 (student at 1e-2).
        string teacherFile = Path.Combine(Path.GetTempPath(), "kddsl-equivalence-" + Guid.NewGuid().ToString("N"), "teacher.pt");
        try
        {
            using var swept = SelectionTemperatureRateSweep.Run(trial, data, options);
            using var declaredRate = FixedLowestLossT1.Run(data, options with { TeacherCheckpoint = teacherFile });
            using var fixedRun = FixedLowestLossT1Rate01.Run(data, options with { TeacherCheckpoint = teacherFile });
            Assert.False(declaredRate.TeacherLoadedFromCheckpoint);
            Assert.True(fixedRun.TeacherLoadedFromCheckpoint);
            Assert.Equal(0.01, swept.Settings.LearningRate);
            Assert.Equal(TeacherSelection.LowestValidationLoss, swept.TeacherTraining!.Selection);
            Assert.Equal(declaredRate.TeacherTraining!.SelectedEpoch, swept.TeacherTraining.SelectedEpoch);
            Assert.Equal(declaredRate.TeacherEpochLosses, swept.TeacherEpochLosses);
            Assert.Equal(fixedRun.TeacherAccuracy, swept.TeacherAccuracy);
            Assert.Equal(fixedRun.StudentAccuracy, swept.StudentAccuracy);
            Assert.Equal(fixedRun.Epochs.Select(e => (e.Total, e.KlDivergence)), swept.Epochs.Select(e => (e.Total, e.KlDivergence)));

            // At the declared rate the trial (index 4) is FixedLowestLossT1 itself, teacher and student.
            using var sweptDeclaredRate = SelectionTemperatureRateSweep.Run(SelectionTemperatureRateSweep.Grid[4], data, options);
            Assert.Equal(0.001, sweptDeclaredRate.Trial.LearningRate);
            Assert.Equal(declaredRate.TeacherAccuracy, sweptDeclaredRate.TeacherAccuracy);
            Assert.Equal(declaredRate.StudentAccuracy, sweptDeclaredRate.StudentAccuracy);
            Assert.Equal(declaredRate.Epochs.Select(e => (e.Total, e.KlDivergence)), sweptDeclaredRate.Epochs.Select(e => (e.Total, e.KlDivergence)));

            // Another trial of the grid does train something else (the knobs are not ignored).
            using var other = SelectionTemperatureRateSweep.Run(SelectionTemperatureRateSweep.Grid[0], data, options);
            Assert.NotEqual(swept.Epochs[^1].KlDivergence, other.Epochs[^1].KlDivergence);
        }
        finally
        {
            if (Directory.Exists(Path.GetDirectoryName(teacherFile))) Directory.Delete(Path.GetDirectoryName(teacherFile)!, recursive: true);
        }
    }
}
