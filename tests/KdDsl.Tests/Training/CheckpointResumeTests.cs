using System;
using System.IO;
using System.Linq;
using KdDsl.Tests.EndToEnd;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.Training;

/// <summary>A run stopped in the middle of an epoch and started again ends exactly where an uninterrupted run ends.</summary>
public sealed class CheckpointResumeTests
{
    private static string Fresh(string name)
    {
        string path = Path.GetFullPath($"kddsl-test-artifacts/resume/{name}.ckpt");
        if (File.Exists(path)) File.Delete(path);
        return path;
    }

    [Fact]
    public void Interrupted_and_resumed_run_equals_the_uninterrupted_run()
    {
        using var uninterrupted = ResumableKd.Run(new RunOptions { Checkpoint = Fresh("uninterrupted") });

        string path = Fresh("interrupted");
        Assert.Throws<OperationCanceledException>(() => ResumableKd.Run(new RunOptions { Checkpoint = path, Progress = new CrashAt(3, 4) }));
        Assert.True(File.Exists(path)); // epochs 1 and 2 were saved
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp-*"));

        using var resumed = ResumableKd.Run(new RunOptions { Checkpoint = path });
        Assert.Equal(2, resumed.DistillationResumedAfterEpoch);
        Assert.Equal(uninterrupted.Epochs, resumed.Epochs);               // all four epochs, bit for bit
        Assert.Equal(uninterrupted.StudentAccuracy, resumed.StudentAccuracy);
        Assert.True(uninterrupted.Student.parameters().Zip(resumed.Student.parameters()).All(p => p.First.allclose(p.Second, 0, 0)));

        // Running again finds all epochs done and trains nothing more.
        using var again = ResumableKd.Run(new RunOptions { Checkpoint = path });
        Assert.Equal(4, again.DistillationResumedAfterEpoch);
        Assert.Equal(uninterrupted.StudentAccuracy, again.StudentAccuracy);
    }

    [Fact]
    public void A_checkpoint_of_another_configuration_is_refused_with_its_path()
    {
        string path = Fresh("other-seed");
        using (ResumableKd.Run(new RunOptions { Checkpoint = path, Epochs = 1 })) { }
        var error = Assert.Throws<InvalidOperationException>(() => ResumableKd.Run(new RunOptions { Checkpoint = path, Epochs = 1, Seed = 99 }));
        Assert.Contains(path, error.Message);
        Assert.Contains("RunOptions.Checkpoint", error.Message);
    }

    [Fact]
    public void The_declared_path_is_used_when_no_override_is_given()
    {
        string declared = Fresh("student");
        using var result = ResumableKd.Run(new RunOptions { Epochs = 1 });
        Assert.True(File.Exists(declared));
        File.Delete(declared);
    }
}
