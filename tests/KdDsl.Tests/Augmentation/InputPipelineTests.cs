using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Tests.EndToEnd;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Augmentation;

/// <summary>
/// [Normalize] statistics come from the training split alone; training batches are augmented exactly as the augmentation says,
/// evaluation batches never; an augmented run repeats exactly and resumes bit for bit.
/// </summary>
public sealed class InputPipelineTests
{
    private static DatasetSplits Splits(int seed)
    {
        var generator = new Generator((ulong)seed);
        var train = new LabeledDataset("train", rand(new long[] { 40, 3, 4, 4 }, generator: generator) * 5 + 2, randint(0, 3, new long[] { 40 }, generator: generator), 3);
        var test = new LabeledDataset("test", rand(new long[] { 10, 3, 4, 4 }, generator: generator) * 50, randint(0, 3, new long[] { 10 }, generator: generator), 3);
        var validation = new LabeledDataset("validation", rand(new long[] { 8, 3, 4, 4 }, generator: generator) - 9, randint(0, 3, new long[] { 8 }, generator: generator), 3);
        return new DatasetSplits(train, test, validation);
    }

    [Fact]
    public void Statistics_are_fitted_on_the_training_split_only_and_applied_to_every_split()
    {
        using var data = Splits(1);
        using var inputs = new InputPipeline(data, new NormalizeAttribute { FromTrainingSplit = true }, null);
        // Float64 reference over the training split alone, per channel, population std.
        double[] train = data.Train.Features.to_type(ScalarType.Float64).data<double>().ToArray();
        for (int c = 0; c < 3; c++)
        {
            var values = Enumerable.Range(0, 40).SelectMany(n => Enumerable.Range(0, 16).Select(p => train[(n * 3 + c) * 16 + p])).ToArray();
            double mean = values.Average();
            double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
            Assert.Equal(mean, inputs.Normalization!.Mean[c], 10);
            Assert.Equal(std, inputs.Normalization.Std[c], 10);
            foreach (var (split, normalized) in new[] { (data.Train, inputs.Data.Train), (data.Test, inputs.Data.Test), (data.Validation!, inputs.Data.Validation!) })
            {
                float[] raw = split.Features.data<float>().ToArray(), output = normalized.Features.data<float>().ToArray();
                for (int i = c * 16; i < raw.Length; i += 48)
                    Assert.Equal((raw[i] - mean) / std, output[i], 4);
            }
        }
        Assert.Null(inputs.Augmentation);
    }

    [Fact]
    public void Declared_statistics_must_fit_the_channels()
    {
        using var data = Splits(2);
        using var declared = new InputPipeline(data, new NormalizeAttribute { Mean = new[] { 1.0, 2.0, 3.0 }, Std = new[] { 2.0, 4.0, 0.5 } }, null);
        Assert.Equal((data.Test.Features[0, 2, 0, 0].item<float>() - 3) / 0.5, declared.Data.Test.Features[0, 2, 0, 0].item<float>(), 4);
        Assert.Throws<DatasetException>(() => new InputPipeline(data, new NormalizeAttribute { Mean = new[] { 1.0 }, Std = new[] { 2.0 } }, null));
    }

    [Fact]
    public void Flat_images_are_normalised_per_channel_of_their_image_view_and_flat_features_per_feature()
    {
        using var scope = NewDisposeScope();
        var features = rand(new long[] { 20, 9 }) * 3;
        using var data = new DatasetSplits(new LabeledDataset("flat", features, zeros(20, ScalarType.Int64), 2), new LabeledDataset("flat test", features.clone(), zeros(20, ScalarType.Int64), 2));
        using var asImages = new InputPipeline(data, new NormalizeAttribute { FromTrainingSplit = true }, null, flatImageShape: new[] { 1, 3, 3 });
        Assert.True(asImages.Normalization!.PerChannel);
        Assert.Single(asImages.Normalization.Mean);
        Assert.Equal(features.to_type(ScalarType.Float64).mean().item<double>(), asImages.Normalization.Mean[0], 6);
        using var perFeature = new InputPipeline(data, new NormalizeAttribute { FromTrainingSplit = true }, null);
        Assert.Equal(9, perFeature.Normalization!.Mean.Length);
        Assert.Throws<DatasetException>(() => new InputPipeline(data, null, new AugmentAttribute { HorizontalFlip = true }));
    }

    /// <summary>Records every batch a model sees, in training mode and in eval mode.</summary>
    private sealed class Recorder : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear head;

        public Recorder(int inputs, int classes) : base(nameof(Recorder))
        {
            head = nn.Linear(inputs, classes);
            RegisterComponents();
        }

        public List<float[]> Training { get; } = new();

        public List<float[]> Evaluation { get; } = new();

        public override Tensor forward(Tensor input)
        {
            (training ? Training : Evaluation).Add(input.cpu().data<float>().ToArray());
            return head.call(input.flatten(1));
        }
    }

    [Fact]
    public void Training_batches_are_augmented_and_evaluation_batches_never()
    {
        using var data = Splits(3);
        using var inputs = new InputPipeline(data, null, new AugmentAttribute { RandomCropPadding = 1, HorizontalFlip = true });
        var settings = inputs.Apply(new TrainingSettings(2, 16, 1e-3, 4, OptimizerKind.Sgd, 0, 0, 1, 0, LearningRateSchedule.Constant, 0, 1, 1));
        using var model = new Recorder(48, 3);
        SupervisedTraining.Train(model, data.Train, settings, TrainingPhase.Teacher, CPU, null, null,
            epoch => KdDsl.Training.Evaluation.Accuracy(model, data.Test, 16, CPU));

        int steps = Batches.StepsPerEpoch(40, 16);
        Assert.Equal(2 * steps, model.Training.Count);
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            using var order = Batches.EpochOrder(40, 4, epoch);
            for (int step = 1; step <= steps; step++)
            {
                using var scope = NewDisposeScope();
                var (batch, _) = Batches.Take(data.Train, order, step - 1, 16, CPU);
                var expected = inputs.Augmentation!.Apply(batch, 4, epoch, step).data<float>().ToArray();
                Assert.Equal(expected, model.Training[(epoch - 1) * steps + step - 1]);
                Assert.NotEqual(batch.data<float>().ToArray(), expected);
            }
        }
        // Evaluation (after each epoch, on the test split): the stored samples as they are.
        float[] test = data.Test.Features.data<float>().ToArray();
        Assert.Equal(2, model.Evaluation.Count);
        Assert.All(model.Evaluation, batch => Assert.Equal(test, batch));
    }

    [Fact]
    public void In_distillation_the_live_teacher_sees_the_students_augmented_batch_and_a_cache_is_refused()
    {
        using var data = Splits(5);
        using var inputs = new InputPipeline(data, null, new AugmentAttribute { RandomCropPadding = 2, HorizontalFlip = true });
        var settings = inputs.Apply(new TrainingSettings(1, 16, 1e-3, 8, OptimizerKind.Adam, 0, 0, 1, 0, LearningRateSchedule.Constant, 0, 1, 1));
        using var student = new Recorder(48, 3);
        using var teacher = new Recorder(48, 3);
        var terms = new LossTerms(new[] { "CrossEntropy", "KlDivergence" }, new[] { 0.5, 0.5 }, (batch, values) =>
        {
            values[0] = KdDsl.Losses.DistillationLosses.CrossEntropy(batch.StudentLogits, batch.Labels);
            values[1] = KdDsl.Losses.DistillationLosses.KlDivergence(batch.StudentLogits, batch.TeacherLogits, 2);
        });
        var phase = new DistillationPhase("Augmented", student, TeacherSource.Live(teacher), data.Train, data.Test, "test", settings, CPU, null, null);
        DistillationLoop.Run(phase, terms);

        int steps = Batches.StepsPerEpoch(40, 16);
        Assert.Equal(steps, student.Training.Count);
        Assert.Equal(steps, teacher.Evaluation.Count); // the teacher runs in eval mode, once per step
        using var order = Batches.EpochOrder(40, 8, 1);
        for (int step = 1; step <= steps; step++)
        {
            using var scope = NewDisposeScope();
            var (batch, _) = Batches.Take(data.Train, order, step - 1, 16, CPU);
            var expected = inputs.Augmentation!.Apply(batch, 8, 1, step).data<float>().ToArray();
            Assert.Equal(expected, student.Training[step - 1]);
            Assert.Equal(expected, teacher.Evaluation[step - 1]);
        }

        // The teacher-output cache holds outputs for the un-augmented images: refused before any step (KD0045 at compile time).
        using var cached = TeacherOutputCache.InMemory(teacher, data.Train, 16, CPU);
        var error = Assert.Throws<InvalidOperationException>(() => DistillationLoop.Run(phase with { Teacher = TeacherSource.Cached(cached) }, terms));
        Assert.Contains("KD0045", error.Message);
    }

    [Fact]
    public void A_generated_image_experiment_normalises_augments_and_repeats_exactly()
    {
        using var data = new DatasetSplits(Quadrants(96, 1), Quadrants(48, 2));
        using var first = AugmentedImageKd.Run(data);
        using var second = AugmentedImageKd.Run(data);
        Assert.Equal(new[] { 0.25, 0.25 }, first.Normalization.Mean);
        Assert.Equal(first.Epochs, second.Epochs);
        Assert.Equal(first.TeacherAccuracy, second.TeacherAccuracy);
        Assert.InRange(first.TeacherAccuracy, 0.4, 1.0); // chance is 0.25
        Assert.All(first.Epochs, e => Assert.True(double.IsFinite(e.Total)));
        Assert.Equal(data.Train.Features.shape, new long[] { 96, 2, 8, 8 }); // the caller's data is left as it was
    }

    /// <summary>Two-channel 8x8 images whose class is the brighter quadrant (of 4), plus noise.</summary>
    private static LabeledDataset Quadrants(int count, int seed)
    {
        var generator = new Generator((ulong)seed);
        var labels = randint(0, 4, new long[] { count }, generator: generator, dtype: ScalarType.Int64);
        var images = randn(new long[] { count, 2, 8, 8 }, generator: generator) * 0.3;
        var label = labels.data<long>().ToArray();
        for (int i = 0; i < count; i++)
        {
            long row = label[i] / 2 * 4, column = label[i] % 2 * 4;
            images[i, TensorIndex.Colon, TensorIndex.Slice(row, row + 4), TensorIndex.Slice(column, column + 4)] += 1.0;
        }
        return new LabeledDataset("quadrants " + seed, images, labels, 4);
    }

    private static string Fresh(string name)
    {
        string path = Path.GetFullPath($"kddsl-test-artifacts/augment/{name}.ckpt");
        if (File.Exists(path)) File.Delete(path);
        return path;
    }

    [Fact]
    public void An_augmented_run_repeats_exactly_differs_from_an_unaugmented_one_and_resumes_bit_for_bit()
    {
        using var uninterrupted = AugmentedDigitsKd.Run(new RunOptions { Checkpoint = Fresh("uninterrupted") });
        using var again = AugmentedDigitsKd.Run(new RunOptions { Checkpoint = Fresh("again") });
        Assert.Equal(uninterrupted.Epochs, again.Epochs);
        Assert.Equal(uninterrupted.TeacherAccuracy, again.TeacherAccuracy);
        Assert.Equal(uninterrupted.StudentAloneAccuracy, again.StudentAloneAccuracy);

        using var plain = NormalizedDigitsKd.Run();
        Assert.NotEqual(plain.Epochs.Select(e => e.Total), uninterrupted.Epochs.Select(e => e.Total));
        Assert.Equal(plain.Normalization.Mean, uninterrupted.Normalization.Mean);
        Assert.Single(uninterrupted.Normalization.Mean); // the 8x8 digits are one-channel images

        string path = Fresh("interrupted");
        Assert.Throws<OperationCanceledException>(() => AugmentedDigitsKd.Run(new RunOptions { Checkpoint = path, Progress = new KdDsl.Tests.Training.CrashAt(2, 5) }));
        using var resumed = AugmentedDigitsKd.Run(new RunOptions { Checkpoint = path });
        Assert.Equal(1, resumed.DistillationResumedAfterEpoch);
        Assert.Equal(uninterrupted.Epochs, resumed.Epochs);
        Assert.Equal(uninterrupted.StudentAccuracy, resumed.StudentAccuracy);
        Assert.True(uninterrupted.Student.parameters().Zip(resumed.Student.parameters()).All(p => p.First.allclose(p.Second, 0, 0)));
    }
}
