using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using KdDsl.TestHost;
using KdDsl.Training;
using Xunit;
using Xunit.Abstractions;

namespace KdDsl.Tests.Training;

/// <summary>
/// A real kill: a child process (tests/KdDsl.TestHost) runs a checkpointed distillation, is killed once its checkpoint holds a
/// completed epoch and before the run ends, and is started again. The resumed run must end exactly like an uninterrupted one.
/// </summary>
public sealed class KillAndResumeTests(ITestOutputHelper output)
{
    private static readonly string Host = Path.Combine(AppContext.BaseDirectory, "KdDsl.TestHost.dll");

    private static Process Start(string checkpoint, string result, int stepDelayMs)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Host, checkpoint, result, stepDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(argument);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the test host");
    }

    private static JsonElement RunToEnd(string checkpoint, string result)
    {
        using var process = Start(checkpoint, result, 0);
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the test host did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, $"the test host failed ({process.ExitCode}): {stdout} {stderr}");
        return JsonDocument.Parse(File.ReadAllText(result)).RootElement;
    }

    /// <summary>The completed-epoch count in a checkpoint's header, read here without the library (format 2: magic, version, two strings, count).</summary>
    private static int CompletedEpochs(string checkpoint)
    {
        try
        {
            using var reader = new BinaryReader(new FileStream(checkpoint, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            if (reader.ReadInt32() != 0x4B44434B || reader.ReadInt32() != 2) return -1;
            reader.ReadString();
            reader.ReadString();
            return reader.ReadInt32();
        }
        catch (IOException)
        {
            return 0; // not there yet
        }
    }

    [Fact]
    public void A_killed_child_process_resumes_and_ends_like_an_uninterrupted_run()
    {
        string folder = Path.Combine(Path.GetTempPath(), "kddsl-kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var uninterrupted = RunToEnd(Path.Combine(folder, "uninterrupted.ckpt"), Path.Combine(folder, "uninterrupted.json"));
            Assert.Equal(0, uninterrupted.GetProperty("resumedAfterEpoch").GetInt32());

            // 10 steps per epoch, 4 epochs; 50 ms per step makes an epoch last at least 0.5 s, so there is time to kill the
            // process between the checkpoint of epoch 1 (or 2) and the end of the run.
            string checkpoint = Path.Combine(folder, "killed.ckpt"), killedResult = Path.Combine(folder, "killed.json");
            int completedAtKill;
            using (var victim = Start(checkpoint, killedResult, 50))
            {
                var clock = Stopwatch.StartNew();
                while ((completedAtKill = CompletedEpochs(checkpoint)) < 1)
                {
                    if (victim.HasExited) Assert.Fail($"the test host exited before its first checkpoint: {victim.StandardError.ReadToEnd()}");
                    Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "no checkpoint after 2 minutes");
                    Thread.Sleep(20);
                }
                if (victim.HasExited) Assert.Fail($"the test host ended before it could be killed: {victim.StandardOutput.ReadToEnd()}");
                victim.Kill(entireProcessTree: true);
                Assert.True(victim.WaitForExit(30_000));
                output.WriteLine($"killed after {clock.Elapsed.TotalSeconds:F1} s, with {completedAtKill} epoch(s) in the checkpoint");
            }
            Assert.False(File.Exists(killedResult), "the killed run must not have reached its end");
            int completed = CompletedEpochs(checkpoint);
            Assert.InRange(completed, 1, 3);
            // The kill may not land in a checkpoint write (that is not controllable); what must hold is that no temporary
            // file survives and the checkpoint loads.
            Assert.Empty(Directory.GetFiles(folder, "*.tmp-*"));
            using (var student = new HostStudent(64, 10))
            {
                var settings = KillResumeKd.DeclaredSettings;
                using var optimization = OptimizationStep.Create(settings, student.parameters(), stepsPerEpoch: 10);
                var loaded = DistillationCheckpoint.Load(checkpoint, nameof(KillResumeKd), settings, student, optimization);
                Assert.Equal(completed, loaded.CompletedEpochs);
                Assert.Equal(10 * completed, optimization.OptimizerSteps);
            }

            var resumed = RunToEnd(checkpoint, Path.Combine(folder, "resumed.json"));
            Assert.Equal(completed, resumed.GetProperty("resumedAfterEpoch").GetInt32());
            // Every epoch's losses and accuracy, the test accuracy and the weights: bit for bit.
            var expectedEpochs = uninterrupted.GetProperty("epochs").EnumerateArray().Select(e => e.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
            var actualEpochs = resumed.GetProperty("epochs").EnumerateArray().Select(e => e.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
            Assert.Equal(4, actualEpochs.Length);
            for (int i = 0; i < 4; i++) Assert.Equal(expectedEpochs[i], actualEpochs[i]);
            Assert.Equal(uninterrupted.GetProperty("studentAccuracy").GetDouble(), resumed.GetProperty("studentAccuracy").GetDouble());
            Assert.Equal(uninterrupted.GetProperty("weights").GetString(), resumed.GetProperty("weights").GetString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
