using System;
using System.IO;
using KdDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Benchmarks;

/// <summary>Fashion-MNIST-shaped random data (784 features in [0, 1), 10 classes) and the shared teacher checkpoint.</summary>
internal static class BenchData
{
    public const int Features = 784;
    public const int Classes = 10;

    /// <summary><paramref name="trainSamples"/> training and <paramref name="testSamples"/> test samples, float32 / int64, from a fixed seed.</summary>
    public static DatasetSplits FashionMnistShaped(int trainSamples, int testSamples, int seed = 2024)
    {
        using var generator = new Generator((ulong)seed);
        LabeledDataset Make(string name, int count) => new(
            name,
            rand(new long[] { count, Features }, generator: generator),
            randint(0, Classes, new long[] { count }, generator: generator, dtype: ScalarType.Int64),
            Classes);
        return new DatasetSplits(Make($"random {trainSamples}x784 (train)", trainSamples), Make($"random {testSamples}x784 (test)", testSamples));
    }

    /// <summary>
    /// Writes the teacher checkpoint the declared experiments load (a seeded, untrained 784-1024-1024-10 MLP: a step costs the
    /// same whatever the weights are), so no benchmark run spends time training a teacher.
    /// </summary>
    public static void WriteTeacherCheckpoint()
    {
        if (File.Exists(Paths.TeacherCheckpoint)) return;
        torch.manual_seed(1234);
        using var teacher = new TeacherMlp(Features, Classes);
        KdDsl.Training.TeacherCheckpoint.SaveAtomically(teacher, Paths.TeacherCheckpoint);
    }

    /// <summary>
    /// (h): <paramref name="trainSamples"/> training and <paramref name="testSamples"/> test images [N, 1, 28, 28] in [0, 1)
    /// (Fashion-MNIST's shape, as <c>IdxLayout.Images</c> loads it), 10 classes, float32 / int64, from a fixed seed.
    /// </summary>
    public static DatasetSplits FashionMnistImages(int trainSamples, int testSamples, int seed = 2024)
    {
        using var generator = new Generator((ulong)seed);
        LabeledDataset Make(string name, int count) => new(
            name,
            rand(new long[] { count, 1, 28, 28 }, generator: generator),
            randint(0, Classes, new long[] { count }, generator: generator, dtype: ScalarType.Int64),
            Classes);
        return new DatasetSplits(Make($"random {trainSamples}x1x28x28 (train)", trainSamples), Make($"random {testSamples}x1x28x28 (test)", testSamples));
    }

    /// <summary>(h): writes the ResNet-20 teacher checkpoint the CNN experiments load (seeded, untrained, for 1x28x28 images).</summary>
    public static void WriteCnnTeacherCheckpoint()
    {
        if (File.Exists(Paths.CnnTeacherCheckpoint)) return;
        torch.manual_seed(1234);
        using var teacher = new KdDsl.Models.ResNet20(1, Classes);
        KdDsl.Training.TeacherCheckpoint.SaveAtomically(teacher, Paths.CnnTeacherCheckpoint);
    }

    /// <summary>(h): a ResNet-20 with the checkpoint's weights, for the hand-written CNN loop.</summary>
    public static KdDsl.Models.ResNet20 LoadCnnTeacher()
    {
        var teacher = new KdDsl.Models.ResNet20(1, Classes);
        teacher.load(Paths.CnnTeacherCheckpoint);
        return teacher;
    }

    /// <summary>A teacher with the checkpoint's weights, for the hand-written loop.</summary>
    public static TeacherMlp LoadTeacher()
    {
        var teacher = new TeacherMlp(Features, Classes);
        teacher.load(Paths.TeacherCheckpoint);
        return teacher;
    }
}
