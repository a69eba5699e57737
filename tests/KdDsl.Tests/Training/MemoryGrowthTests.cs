using System;
using System.Diagnostics;
using KdDsl.Data;
using KdDsl.Tests.EndToEnd;
using KdDsl.Training;
using Xunit;
using Xunit.Abstractions;

namespace KdDsl.Tests.Training;

/// <summary>
/// Tensors are native memory the GC does not see: a step that leaks one shows up as resident memory that keeps growing.
/// Runs thousands of steps of a generated loop and bounds the growth after warm-up.
/// </summary>
public sealed class MemoryGrowthTests(ITestOutputHelper output)
{
    private sealed class ResidentMemoryProbe(int warmupSteps, int totalSteps) : IProgress<TrainingProgress>
    {
        private int steps;

        public long AfterWarmup { get; private set; }

        public long AtEnd { get; private set; }

        public long LiveTensorsAfterWarmup { get; private set; }

        public long LiveTensorsAtEnd { get; private set; }

        public void Report(TrainingProgress value)
        {
            if (value.Phase != TrainingPhase.Distillation) return;
            steps++;
            // Both probes sit at the last step of an epoch, so the same tensors are alive at each.
            if (steps == warmupSteps)
            {
                AfterWarmup = ResidentBytes();
                LiveTensorsAfterWarmup = LiveTensors();
            }
            if (steps == totalSteps)
            {
                AtEnd = ResidentBytes();
                LiveTensorsAtEnd = LiveTensors();
            }
        }

        private static long LiveTensors() => TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

        private static long ResidentBytes()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }
    }

    [Fact]
    public void Resident_memory_stays_flat_over_thousands_of_distillation_steps()
    {
        // 250 training samples at batch size 2 → 125 steps per epoch; 32 epochs → 4,000 distillation steps. The heap settles
        // by about step 2,000 (the no-GC regions around optimizer steps make it settle higher and later: see NoGcRegion).
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 250, 50);
        const int epochs = 32, stepsPerEpoch = 125;
        var probe = new ResidentMemoryProbe(warmupSteps: 16 * stepsPerEpoch, totalSteps: epochs * stepsPerEpoch);
        using var result = MemoryKd.Run(data, new RunOptions { Epochs = epochs, Progress = probe });

        long growth = probe.AtEnd - probe.AfterWarmup;
        output.WriteLine($"resident after warm-up {probe.AfterWarmup / 1e6:F1} MB, at end {probe.AtEnd / 1e6:F1} MB, growth {growth / 1e6:F2} MB; " +
                         $"live tensors {probe.LiveTensorsAfterWarmup} then {probe.LiveTensorsAtEnd}");
        Assert.True(probe.AfterWarmup > 0 && probe.AtEnd > 0);
        // Exact: not a single tensor created by 2,000 steps outlives its step (one leaked tensor per step fails this).
        Assert.Equal(probe.LiveTensorsAfterWarmup, probe.LiveTensorsAtEnd);
        // Native memory outside tensors (scalars, autograd graphs, allocator growth) is bounded by resident memory.
        Assert.True(growth < 8_000_000, $"resident memory grew by {growth / 1e6:F2} MB over 2,000 steps");
    }
}

/// <summary>
/// The passes outside the loop's steps (evaluation, the teacher-output cache, calibration) run a model over a whole split:
/// a conv model's intermediate activations there are 100+ MB per batch, so each batch must free them, not the finalizer.
/// </summary>
public sealed class EvaluationMemoryTests
{
    private static long LiveTensors() => TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [Fact]
    public void Whole_split_passes_leave_no_tensor_but_their_result()
    {
        using var data = KdDsl.Tests.Matching.TinyImages.Splits();
        using var model = new KdDsl.Models.ResNet8(2, 4);
        var device = TorchSharp.torch.CPU;
        long before = LiveTensors();
        using (var logits = Evaluation.Logits(model, data.Train, 16, device))
            Assert.Equal(before + 1, LiveTensors()); // 8 batches of 16 through 7 conv layers: only the [128, 4] logits are left
        Assert.Equal(before, LiveTensors());
        Evaluation.Accuracy(model, data.Train, 16, device);
        Evaluation.CrossEntropy(model, data.Train, 16, device);
        Assert.Equal(before, LiveTensors());
        using (var cached = TeacherOutputCache.InMemory(model, data.Train, 16, device))
            Assert.Equal(before + 1, LiveTensors());
        Assert.Equal(before, LiveTensors());
    }
}
