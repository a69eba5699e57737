using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.Training;

/// <summary>The checkpoint lock that makes runs started together train a teacher once (the process-level test is in SweepProcessTests).</summary>
public sealed class TeacherCheckpointLockTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kddsl-lock-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_second_holder_waits_until_the_first_releases_the_lock()
    {
        string checkpoint = Path.Combine(folder, "teachers", "t.pt"); // the folder does not exist yet: Lock creates it
        var first = TeacherCheckpoint.Lock(checkpoint);
        Assert.True(File.Exists(checkpoint + ".lock"));
        using var secondHolds = new ManualResetEventSlim();
        var second = Task.Run(() =>
        {
            using (TeacherCheckpoint.Lock(checkpoint)) secondHolds.Set();
        });
        Assert.False(secondHolds.Wait(TimeSpan.FromMilliseconds(500)), "The second Lock returned while the first still held it.");
        first.Dispose();
        Assert.True(secondHolds.Wait(TimeSpan.FromSeconds(10)), "The second Lock did not return after the first was released.");
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(File.Exists(checkpoint + ".lock")); // the last holder leaves no lock file behind
        using (TeacherCheckpoint.Lock(checkpoint)) { } // and it can be taken again
    }
}
