using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Losses;
using KdDsl.Tests.Losses;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace KdDsl.Tests.Training;

/// <summary>
/// The top-k teacher store (<see cref="SparseTeacherStore"/>): on a synthetic 50,000-class problem its file and its tensors grow
/// with k (header + N (8k + 8t) bytes, measured for two k), a tiny linear student distils from it; written and read back
/// unchanged; foreign, truncated and corrupt files refused with a message naming the difference; and a store computed from a
/// teacher equals the top k of that teacher's logits.
/// </summary>
public sealed class SparseTeacherStoreTests(ITestOutputHelper output)
{
    private const int Samples = 512, ManyClasses = 50_000, Features = 32;

    private static string Folder(string name)
    {
        string folder = Path.GetFullPath(Path.Combine("kddsl-test-artifacts", "topk-store", name));
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Random teacher logits [512, 50,000] with a spread like a trained large-vocabulary head's (seeded).</summary>
    private static Tensor ManyClassLogits()
    {
        using var generator = new Generator(18);
        using var noise = randn(new long[] { Samples, ManyClasses }, generator: generator);
        return (noise * 3.0).DetachFromDisposeScope();
    }

    [Fact]
    public void A_50000_class_store_grows_with_k_not_with_the_class_count_and_a_linear_student_distils_from_it()
    {
        string folder = Folder("fifty-thousand");
        using var logits = ManyClassLogits();
        long dense = (long)Samples * ManyClasses * 4; // what the dense cache keeps: float32 per class
        double[] temperatures = { 2.0 };               // the store adds T = 1: t = 2 normalisers per sample
        var sizes = new long[2];
        var memory = new long[2];
        int[] ks = { 8, 64 };
        for (int i = 0; i < ks.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            using var store = SparseTeacherStore.FromLogits(logits, ks[i], temperatures);
            double buildSeconds = watch.Elapsed.TotalSeconds;
            Assert.Equal(new long[] { Samples, ks[i] }, store.Indices.shape);
            Assert.Equal(new long[] { Samples, ks[i] }, store.Logits.shape);
            Assert.Equal(new long[] { Samples, 2 }, store.LogNormalizers.shape);
            Assert.Equal(new[] { 1.0, 2.0 }, store.Temperatures);
            memory[i] = store.BytesInMemory;
            Assert.Equal((long)Samples * (8L * ks[i] + 16), memory[i]);

            string file = Path.Combine(folder, $"k{ks[i]}{SparseTeacherStore.Extension}");
            store.Write(file);
            sizes[i] = new FileInfo(file).Length;
            Assert.Equal(SparseTeacherStore.FileSize(Samples, ks[i], 2), sizes[i]);
            Assert.Equal(68 + 16 + (long)Samples * (8L * ks[i] + 16), sizes[i]); // header (68 + 8t) + N (8k + 8t)
            output.WriteLine($"k = {ks[i]}: file {sizes[i]:N0} bytes, tensors {memory[i]:N0} bytes " +
                             $"({100.0 * sizes[i] / dense:F3}% of the dense {dense:N0}), built in {buildSeconds:F2} s");
        }
        // Proportional to k: the difference between the two is exactly 8 bytes per added logit and sample.
        Assert.Equal((long)Samples * 8 * (ks[1] - ks[0]), sizes[1] - sizes[0]);
        Assert.Equal((long)Samples * 8 * (ks[1] - ks[0]), memory[1] - memory[0]);
        Assert.True(sizes[1] * 300 < dense, "k = 64 of 50,000 classes must be a small fraction of the dense cache.");

        // A tiny linear student distils from the k = 64 store (spread remainder, T = 2): the loss equals the float64 reference
        // on a batch and falls over a few steps.
        using var store64 = SparseTeacherStore.Read(Path.Combine(folder, $"k64{SparseTeacherStore.Extension}"));
        using var generator = new Generator(5);
        using var inputs = randn(new long[] { Samples, Features }, generator: generator);
        using var student = nn.Linear(Features, ManyClasses);
        using var optimizer = optim.Adam(student.parameters(), lr: 0.05);
        double first = 0, last = 0;
        for (int step = 0; step < 8; step++)
        {
            using var scope = NewDisposeScope();
            var indices = arange(step % 8 * 64, step % 8 * 64 + 64, ScalarType.Int64);
            var batch = store64.Take(indices);
            Assert.Equal(ScalarType.Int64, batch.Indices.dtype);
            var studentLogits = student.call(inputs.index_select(0, indices));
            var loss = SparseDistillationLosses.KlDivergence(studentLogits, batch, 2.0, SparseRemainder.Spread);
            if (step == 0)
            {
                double reference = SparseKlDivergenceTests.Reference(LossReference.ToArray(studentLogits.narrow(0, 0, 4)),
                    LossReference.ToArray(logits.narrow(0, 0, 4)), 64, 2, 2, SparseRemainder.Spread);
                var firstRows = SparseDistillationLosses.KlDivergence(studentLogits.narrow(0, 0, 4), store64.Take(indices.narrow(0, 0, 4)),
                    2.0, 2.0, KlReduction.BatchMean, true, SparseRemainder.Spread, KlPrecision.Float64);
                LossReference.Close(reference, LossReference.Item(firstRows), relative: 1e-6);
                first = LossReference.Item(loss);
            }
            last = LossReference.Item(loss);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        output.WriteLine($"linear student, 8 steps of 64 samples: sparse KL {first:F4} -> {last:F4}");
        Assert.True(last < first, $"The loss did not fall: {first} -> {last}.");

        // For the record (docs/sparse-teacher-store.md): one forward and backward of the KL term alone on a batch of 64 student
        // logits, sparse (k = 64, spread) and dense (the teacher's [64, 50,000] logits), both float32 at T = 2.
        using (var scope = NewDisposeScope())
        {
            var indices = arange(0, 64, ScalarType.Int64);
            var batch = store64.Take(indices);
            var denseTeacher = logits.index_select(0, indices);
            var studentLogits = student.call(inputs.index_select(0, indices)).detach();
            double Time(Func<Tensor, Tensor> term)
            {
                double best = double.MaxValue;
                for (int i = 0; i < 13; i++)
                {
                    using var step = NewDisposeScope();
                    var leaf = studentLogits.clone().requires_grad_(true);
                    var watch = Stopwatch.StartNew();
                    term(leaf).backward();
                    if (i >= 3) best = Math.Min(best, watch.Elapsed.TotalMilliseconds); // after 3 warm-ups
                }
                return best;
            }
            double sparseMs = Time(s => SparseDistillationLosses.KlDivergence(s, batch, 2.0, SparseRemainder.Spread));
            double denseMs = Time(s => DistillationLosses.KlDivergence(s, denseTeacher, 2.0));
            output.WriteLine($"KL term forward + backward, batch 64 x 50,000 (best of 10): sparse k = 64 {sparseMs:F1} ms, dense {denseMs:F1} ms");
        }
    }

    [Fact]
    public void A_store_written_and_read_back_is_unchanged()
    {
        string file = Path.Combine(Folder("round-trip"), "store" + SparseTeacherStore.Extension);
        using var generator = new Generator(3);
        using var logits = randn(new long[] { 40, 30 }, generator: generator) * 2;
        using var written = SparseTeacherStore.FromLogits(logits, 7, new[] { 4.0, 2.0 }, calibrationTemperature: 1.5);
        written.Write(file);
        using var read = SparseTeacherStore.Read(file);
        Assert.True(read.LoadedFromDisk);
        Assert.Equal(file, read.File);
        Assert.Equal((written.Count, written.ClassCount, written.TopK, written.Fingerprint, written.CalibrationTemperature),
            (read.Count, read.ClassCount, read.TopK, read.Fingerprint, read.CalibrationTemperature));
        Assert.Equal(new[] { 1.0, 2.0, 4.0 }, read.Temperatures);
        Assert.True(written.Indices.equal(read.Indices).all().item<bool>());
        Assert.True(written.Logits.equal(read.Logits).all().item<bool>());
        Assert.True(written.LogNormalizers.equal(read.LogNormalizers).all().item<bool>());

        // What it holds: the top 7 of each row of logits / T*, largest first, and logsumexp(z / T*T) over all 30 classes.
        using var scaled = logits / 1.5;
        var (values, indices) = scaled.topk(7, 1);
        Assert.True(values.equal(read.Logits).all().item<bool>());
        Assert.True(indices.to_type(ScalarType.Int32).equal(read.Indices).all().item<bool>());
        using var expected = (scaled.to_type(ScalarType.Float64) / 4.0).logsumexp(1);
        Assert.True(expected.allclose(read.LogNormalizers.select(1, 2), rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void A_foreign_truncated_or_corrupt_file_is_refused_with_a_clear_message()
    {
        string folder = Folder("refused");
        string file = Path.Combine(folder, "store" + SparseTeacherStore.Extension);
        using var generator = new Generator(4);
        using var logits = randn(new long[] { 20, 16 }, generator: generator);
        using var store = SparseTeacherStore.FromLogits(logits, 4, new[] { 2.0 });
        store.Write(file);

        InvalidDataException Refused(Action read)
        {
            var error = Assert.Throws<InvalidDataException>(read);
            Assert.Contains(file, error.Message);
            Assert.Contains("refused as a top-k teacher store", error.Message);
            return error;
        }

        // Another teacher or data, another k, other temperatures, another calibration: named, never read as if they fitted.
        string other = new('a', 64);
        Assert.Contains("another teacher or training data",
            Refused(() => SparseTeacherStore.Read(file, CPU, other, 20, 16, 4, new[] { 2.0 })).Message);
        Assert.Contains("keeps k = 4 logits per sample, and CacheTopK asks for 5",
            Refused(() => SparseTeacherStore.Read(file, CPU, store.Fingerprint, 20, 16, 5, new[] { 2.0 })).Message);
        Assert.Contains("keeps the normaliser at T = 1, 2, and the terms need T = 1, 4",
            Refused(() => SparseTeacherStore.Read(file, CPU, store.Fingerprint, 20, 16, 4, new[] { 4.0 })).Message);
        Assert.Contains("holds 20 samples of 16 classes, and the data has 19 of 16",
            Refused(() => SparseTeacherStore.Read(file, CPU, store.Fingerprint, 19, 16, 4, new[] { 2.0 })).Message);
        Assert.Contains("T* = 1, and the calibrated teacher's T* is 2",
            Refused(() => SparseTeacherStore.Read(file, CPU, store.Fingerprint, 20, 16, 4, new[] { 2.0 }, calibrationTemperature: 2)).Message);
        using (SparseTeacherStore.Read(file, CPU, store.Fingerprint, 20, 16, 4, new[] { 2.0 })) { } // the right expectations read it

        byte[] bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^3]);
        Assert.Contains("truncated or corrupt", Refused(() => SparseTeacherStore.Read(file)).Message);
        File.WriteAllBytes(file, bytes[..30]);
        Assert.Contains("truncated or corrupt", Refused(() => SparseTeacherStore.Read(file)).Message);
        File.WriteAllText(file, "not a store at all, but long enough to hold a header of one, 1234567890 1234567890 1234567890");
        Assert.Contains("not a KdDsl top-k teacher store", Refused(() => SparseTeacherStore.Read(file)).Message);
        var newer = (byte[])bytes.Clone();
        newer[4] = 2; // the version
        File.WriteAllBytes(file, newer);
        Assert.Contains("format version 2", Refused(() => SparseTeacherStore.Read(file)).Message);
        var badIndex = (byte[])bytes.Clone();
        int firstIndex = 68 + 8 * 2; // header with t = 2
        BitConverter.GetBytes(16).CopyTo(badIndex, firstIndex);
        File.WriteAllBytes(file, badIndex);
        Assert.Contains("class indices outside [0, 16)", Refused(() => SparseTeacherStore.Read(file)).Message);
    }

    [Fact]
    public void A_store_on_disk_is_computed_from_the_teacher_once_then_read_and_a_corrupt_one_is_refused()
    {
        string folder = Folder("on-disk");
        using var generator = new Generator(6);
        using var features = randn(new long[] { 100, 8 }, generator: generator);
        using var labels = randint(0, 20, new long[] { 100 }, generator: generator);
        using var train = new LabeledDataset("train", features, labels, 20);
        using var teacher = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 20));

        using var first = SparseTeacherStore.OnDisk(teacher, train, 5, new[] { 3.0 }, 32, CPU, folder);
        Assert.False(first.LoadedFromDisk);
        Assert.Equal(TeacherOutputCache.Key(teacher, train), first.Fingerprint);
        using var second = SparseTeacherStore.OnDisk(teacher, train, 5, new[] { 3.0 }, 32, CPU, folder);
        Assert.True(second.LoadedFromDisk);
        Assert.Equal(first.File, second.File);
        Assert.True(first.Logits.equal(second.Logits).all().item<bool>());
        Assert.True(first.Indices.equal(second.Indices).all().item<bool>());

        // The store is the top k of the teacher's logits (eval mode, batch by batch).
        using (no_grad())
        {
            teacher.eval();
            using var dense = teacher.call(features);
            using var expected = SparseTeacherStore.FromLogits(dense, 5, new[] { 3.0 });
            Assert.True(expected.Logits.allclose(first.Logits, rtol: 1e-6, atol: 1e-6));
            Assert.True(expected.Indices.equal(first.Indices).all().item<bool>());
            Assert.True(expected.LogNormalizers.allclose(first.LogNormalizers, rtol: 1e-9, atol: 1e-9));
        }

        // Another k (or temperature) is another file; the first is kept.
        using (var otherK = SparseTeacherStore.OnDisk(teacher, train, 6, new[] { 3.0 }, 32, CPU, folder))
            Assert.False(otherK.LoadedFromDisk);
        Assert.Equal(2, Directory.GetFiles(folder, "*" + SparseTeacherStore.Extension).Length);

        // A damaged file under the expected name is refused, not silently read or replaced.
        File.WriteAllBytes(first.File!, File.ReadAllBytes(first.File!)[..^8]);
        var error = Assert.Throws<InvalidDataException>(() => SparseTeacherStore.OnDisk(teacher, train, 5, new[] { 3.0 }, 32, CPU, folder));
        Assert.Contains("truncated or corrupt", error.Message);
        Assert.Contains("delete it to recompute it", error.Message);
    }
}
