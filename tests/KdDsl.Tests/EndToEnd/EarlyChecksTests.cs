using System;
using System.Collections.Generic;
using System.IO;
using KdDsl.Data;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.EndToEnd;

/// <summary>
/// What used to fail only after the teacher had trained is refused before any training step: a student that does not fit the
/// data, a calibration without a validation split, a checkpoint path that cannot be written. No progress report is sent.
/// </summary>
public sealed class EarlyChecksTests
{
    [Fact]
    public void A_student_with_the_wrong_class_count_is_refused_before_the_teacher_trains()
    {
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 100, 50);
        var reports = new List<TrainingProgress>();
        var error = Assert.Throws<InvalidOperationException>(() => WrongClassCountKd.Run(data, new RunOptions { Progress = new Recorder(reports) }));
        Assert.Contains("student KdDsl.Tests.EndToEnd.FiveClassNet returned shape [1, 5]", error.Message);
        Assert.Empty(reports); // not one teacher step
    }

    [Fact]
    public void A_calibration_without_a_validation_split_is_refused_before_the_teacher_trains()
    {
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 100, 50);
        var reports = new List<TrainingProgress>();
        var error = Assert.Throws<InvalidOperationException>(() => EarlyChecksKd.Run(data, new RunOptions
        {
            Progress = new Recorder(reports),
            TeacherCheckpoint = Path.Combine(Path.GetTempPath(), $"kddsl-early-{Guid.NewGuid():N}", "teacher.ckpt"),
        }));
        Assert.Contains("[CalibratedTeacher] needs a validation split", error.Message);
        Assert.Empty(reports);
    }

    [Fact]
    public void A_checkpoint_path_that_cannot_be_written_is_refused_before_the_teacher_trains()
    {
        using var digits = BuiltInDatasets.Load(DatasetKind.Digits, null, 100, 50);
        using var data = digits.WithValidation(0.2);
        string file = Path.GetTempFileName(); // a file where the checkpoint's folder would have to be
        try
        {
            var reports = new List<TrainingProgress>();
            var error = Assert.Throws<IOException>(() => EarlyChecksKd.Run(data, new RunOptions
            {
                Progress = new Recorder(reports),
                TeacherCheckpoint = Path.Combine(file, "teacher.ckpt"),
            }));
            Assert.Contains("The teacher checkpoint", error.Message);
            Assert.Contains("cannot be written", error.Message);
            Assert.Empty(reports);

            error = Assert.Throws<IOException>(() => EarlyChecksKd.Run(data, new RunOptions
            {
                Progress = new Recorder(reports),
                TeacherCheckpoint = Path.Combine(Path.GetTempPath(), $"kddsl-early-{Guid.NewGuid():N}", "teacher.ckpt"),
                Checkpoint = Path.Combine(file, "distill.ckpt"),
            }));
            Assert.Contains("The distillation checkpoint", error.Message);
            Assert.Empty(reports);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private sealed class Recorder(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}
