using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Training;
using Xunit;
using Xunit.Abstractions;

namespace KdDsl.Tests.EndToEnd;

/// <summary>
/// Generated experiments with <c>CacheOutputs = TeacherOutputCaching.SparseTopK</c> (<see cref="TopKStoreExperiments"/>): with
/// k = K the run equals the dense cached run; with k = 3 it runs end to end, writes its store once and reads it in the next run.
/// </summary>
public sealed class TopKStoreRunTests(ITestOutputHelper output)
{
    private static string Folder()
    {
        string folder = Path.GetFullPath("kddsl-test-artifacts/topk-runs");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        return folder;
    }

    [Fact]
    public void Keeping_every_class_gives_the_dense_cached_run()
    {
        Folder();
        using var dense = DenseCachedPeerKd.Run();
        using var sparse = EveryClassTopKKd.Run();
        Assert.False(sparse.TeacherOutputsReadFromCache);
        Assert.Equal(dense.TeacherAccuracy, sparse.TeacherAccuracy); // the same teacher
        Assert.Equal(dense.Epochs.Count, sparse.Epochs.Count);
        for (int i = 0; i < dense.Epochs.Count; i++)
        {
            output.WriteLine($"epoch {i + 1}: KL dense {dense.Epochs[i].KlDivergence:R}, top-k (k = K) {sparse.Epochs[i].KlDivergence:R}; " +
                             $"total {dense.Epochs[i].Total:R} vs {sparse.Epochs[i].Total:R}; accuracy {dense.Epochs[i].Accuracy} vs {sparse.Epochs[i].Accuracy}");
            // Both compute the KL in float32 (T = 3), in a different order of operations: equal to float32's precision.
            Assert.Equal(dense.Epochs[i].KlDivergence, sparse.Epochs[i].KlDivergence, 1e-5 * Math.Abs(dense.Epochs[i].KlDivergence));
            Assert.Equal(dense.Epochs[i].Total, sparse.Epochs[i].Total, 1e-5 * Math.Abs(dense.Epochs[i].Total));
            Assert.Equal(dense.Epochs[i].Accuracy, sparse.Epochs[i].Accuracy);
        }
        Assert.Equal(dense.StudentAccuracy, sparse.StudentAccuracy);
    }

    [Fact]
    public void A_calibrated_teacher_store_keeps_the_calibrated_logits()
    {
        using var dense = CalibratedDensePeerKd.Run();
        using var sparse = CalibratedEveryClassTopKKd.Run();
        Assert.Equal(dense.TeacherCalibration.Temperature, sparse.TeacherCalibration.Temperature);
        Assert.NotEqual(1.0, sparse.TeacherCalibration.Temperature);
        for (int i = 0; i < dense.Epochs.Count; i++)
        {
            Assert.Equal(dense.Epochs[i].KlDivergence, sparse.Epochs[i].KlDivergence, 1e-5 * Math.Abs(dense.Epochs[i].KlDivergence));
            Assert.Equal(dense.Epochs[i].Accuracy, sparse.Epochs[i].Accuracy);
        }
        // Its file records the T* its logits were divided by.
        var calibrations = Directory.GetFiles(Path.GetFullPath("kddsl-test-artifacts/topk-runs"), "*" + SparseTeacherStore.Extension)
            .Select(file =>
            {
                using var store = SparseTeacherStore.Read(file);
                return store.CalibrationTemperature;
            }).ToList();
        Assert.Contains(sparse.TeacherCalibration.Temperature, calibrations);
    }

    [Fact]
    public void A_top_three_store_is_written_once_and_read_by_the_next_run()
    {
        string folder = Folder();
        using var first = TopThreeKd.Run();
        Assert.False(first.TeacherOutputsReadFromCache);
        string file = Assert.Single(Directory.GetFiles(folder, "*" + SparseTeacherStore.Extension));
        Assert.Equal(SparseTeacherStore.FileSize(300, 3, 2), new FileInfo(file).Length); // T = 1 and T = 3
        Assert.All(first.Epochs, e => Assert.True(double.IsFinite(e.KlDivergence) && e.KlDivergence > 0));

        using var second = TopThreeKd.Run();
        Assert.True(second.TeacherOutputsReadFromCache);
        Assert.Equal(first.Epochs, second.Epochs);
        Assert.Equal(first.StudentAccuracy, second.StudentAccuracy);

        // The store holds the teacher's top 3 and the normalisers at T = 1 and 3 for exactly this teacher and data.
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 300, 100);
        using var store = SparseTeacherStore.Read(file);
        Assert.Equal(TeacherOutputCache.Key(first.Teacher, data.Train), store.Fingerprint);
        Assert.Equal(new[] { 1.0, 3.0 }, store.Temperatures);
        Assert.Equal((300L, 10, 3), (store.Count, store.ClassCount, store.TopK));
    }

    private sealed class LiveTensorProbe : IProgress<TrainingProgress>
    {
        public Dictionary<int, long> AtEndOfEpoch { get; } = new();

        public void Report(TrainingProgress value)
        {
            if (value.Phase == TrainingPhase.Distillation && value.Step == value.StepsPerEpoch)
                AtEndOfEpoch[value.Epoch] = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        }
    }

    [Fact]
    public void No_tensor_outlives_a_step_that_reads_the_store()
    {
        // The batch's top-k tensors (indices, logits, normalisers) and the sparse KL's intermediates belong to the step's scope.
        var probe = new LiveTensorProbe();
        using var result = TopThreeKd.Run(new RunOptions { Epochs = 4, Progress = probe });
        output.WriteLine($"live tensors at the end of epochs 2, 3, 4: {probe.AtEndOfEpoch[2]}, {probe.AtEndOfEpoch[3]}, {probe.AtEndOfEpoch[4]}");
        Assert.Equal(probe.AtEndOfEpoch[2], probe.AtEndOfEpoch[4]);
    }
}
