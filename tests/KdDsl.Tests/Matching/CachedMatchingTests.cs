using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Matching;
using KdDsl.Reporting;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.Matching;

/// <summary>
/// Teacher-output caching with layer matching (<see cref="CachedMatchingExperiments"/>-declared classes): the cache holds the
/// teacher's logits and the hidden states the resolved map reads, the loop reads both by batch indices, and the run is the live
/// teacher's run bit for bit.
/// </summary>
public sealed class CachedMatchingTests
{
    private static DatasetSplits Digits() => BuiltInDatasets.Load(DatasetKind.Digits, null, 300, 100);

    /// <summary>Every epoch's total, terms and accuracy, in order (the generated EpochLosses types differ between experiments).</summary>
    private static double[] Values(IDistillationResult result) =>
        result.LossHistory.SelectMany(e => new[] { e.Epoch, e.Total }.Concat(e.Terms).Append(e.Accuracy)).ToArray();

    [Fact]
    public void The_teacher_forward_is_deterministic_in_eval_mode()
    {
        // The live loop runs the teacher in eval mode; the cache is computed in eval mode too. Neither layered model has a
        // dropout (or any other random) module, so the teacher's outputs do not depend on the RNG state.
        foreach (TorchSharp.torch.nn.Module model in new TorchSharp.torch.nn.Module[] { new FourBlockTeacher(64, 10), new TinyTextTeacher() })
        {
            using (model)
                Assert.DoesNotContain(model.named_modules(), m => m.module.GetType().Name.Contains("Dropout", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Cached_matching_runs_are_the_live_teachers_run_bit_for_bit()
    {
        using var data = Digits();
        using var live = LiveTeacherMatchingKd.Run(data);
        using var memory = MemoryCachedMatchingKd.Run(data);
        Assert.Equal(live.LayerMap.ToString(), memory.LayerMap.ToString());
        Assert.Equal(Values(live), Values(memory)); // every term and accuracy, exactly
        Assert.Equal(live.StudentAccuracy, memory.StudentAccuracy);
        Assert.True(live.Epochs.All(e => e.HiddenStates > 0));

        string folder = Path.GetFullPath("kddsl-test-artifacts/matching-cache");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        using var written = DiskCachedMatchingKd.Run(data);
        Assert.False(written.TeacherOutputsReadFromCache);
        using var read = DiskCachedMatchingKd.Run(data);
        Assert.True(read.TeacherOutputsReadFromCache);
        Assert.Equal(Values(live), Values(written));
        Assert.Equal(Values(live), Values(read));
        Assert.Equal(live.StudentAccuracy, read.StudentAccuracy);
    }

    [Fact]
    public void Cached_text_matching_with_token_states_is_the_live_run()
    {
        using var data = LayeredModelsTests.TokenData(192, 64, 5);
        using var live = LiveTextMatchingKd.Run(data);
        using var cached = CachedTextMatchingKd.Run(data);
        Assert.Equal("blocks.0 -> blocks.2", cached.LayerMap.ToString());
        Assert.Equal(Values(live), Values(cached));
        Assert.Equal(live.StudentAccuracy, cached.StudentAccuracy);
    }

    [Fact]
    public void Disk_cache_is_invalidated_when_the_matched_layers_change()
    {
        using var data = Digits();
        string folder = Path.GetFullPath("kddsl-test-artifacts/matching-cache");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);

        using var first = DiskCachedMatchingKd.Run(data);
        Assert.False(first.TeacherOutputsReadFromCache);
        Assert.Single(Directory.GetFiles(folder, "*.teacher-outputs"));

        // Same teacher weights and data, other teacher layers: a new key, a second file, never a file without those states.
        using var other = DiskCachedOtherLayersMatchingKd.Run(data);
        Assert.Equal(TeacherOutputCache.Key(first.Teacher, data.Train), TeacherOutputCache.Key(other.Teacher, data.Train));
        Assert.NotEqual(TeacherOutputCache.CachedStates(first.LayerMap), TeacherOutputCache.CachedStates(other.LayerMap));
        Assert.False(other.TeacherOutputsReadFromCache);
        Assert.Equal(2, Directory.GetFiles(folder, "*.teacher-outputs").Length);
        using var otherAgain = DiskCachedOtherLayersMatchingKd.Run(data);
        Assert.True(otherAgain.TeacherOutputsReadFromCache);
        Assert.Equal(other.Epochs.ToArray(), otherAgain.Epochs.ToArray());

        // Another seed: another random pairing of the same teacher layers, and another teacher (its weights are in the key): a new file.
        using var reseeded = DiskCachedMatchingKd.Run(data, new RunOptions { Seed = 8 });
        Assert.False(reseeded.TeacherOutputsReadFromCache);
        Assert.Equal(3, Directory.GetFiles(folder, "*.teacher-outputs").Length);
    }

    [Fact]
    public void Key_covers_the_set_of_cached_states()
    {
        using var data = Digits();
        TorchSharp.torch.manual_seed(1);
        using var teacher = new FourBlockTeacher(data.Train.FeatureCount, data.Train.ClassCount);
        string logitsOnly = TeacherOutputCache.Key(teacher, data.Train);
        Assert.Equal(logitsOnly, TeacherOutputCache.Key(teacher, data.Train, null));
        string some = TeacherOutputCache.Key(teacher, data.Train, new[] { 0, 2, 4 });
        Assert.NotEqual(logitsOnly, some);
        Assert.Equal(some, TeacherOutputCache.Key(teacher, data.Train, new[] { 4, 2, 0, 2 })); // a set: order and repeats do not matter
        Assert.NotEqual(some, TeacherOutputCache.Key(teacher, data.Train, new[] { 0, 2, 3 }));
    }

    [Fact]
    public void A_truncated_cache_file_is_recomputed_not_read()
    {
        using var data = Digits();
        string folder = Path.GetFullPath("kddsl-test-artifacts/matching-cache-truncated");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        TorchSharp.torch.manual_seed(3);
        using var teacher = new FourBlockTeacher(data.Train.FeatureCount, data.Train.ClassCount);
        using var student = new TwoBlockStudent(data.Train.FeatureCount, data.Train.ClassCount);
        var map = LayerMapping.Resolve(new MatchingSettings(LayerSelection.Forward),
            LayerStackShape.Of(student, "student", "S", "blocks", "embedding"), LayerStackShape.Of(teacher, "teacher", "T", "blocks", "embedding"), 0);
        var device = TorchSharp.torch.CPU;
        using var first = TeacherOutputCache.OnDisk(teacher, map, data.Train, 64, device, folder);
        Assert.False(first.LoadedFromDisk);
        Assert.Equal(new[] { 2, 4 }, first.States);
        Assert.Equal(new long[] { data.Train.Count, 32 }, first.HiddenState(4).shape);
        using (var stream = File.OpenWrite(first.File!)) stream.SetLength(stream.Length - 4);
        using var second = TeacherOutputCache.OnDisk(teacher, map, data.Train, 64, device, folder);
        Assert.False(second.LoadedFromDisk);
        using var third = TeacherOutputCache.OnDisk(teacher, map, data.Train, 64, device, folder);
        Assert.True(third.LoadedFromDisk);
        Assert.Equal(first.HiddenState(2).data<float>().ToArray(), third.HiddenState(2).data<float>().ToArray());
        Assert.Equal(first.Logits.data<float>().ToArray(), third.Logits.data<float>().ToArray());
    }
}
