using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Tests.EndToEnd;
using KdDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Training;

/// <summary>Learning-rate schedules, gradient accumulation and clipping, and teacher-output caching, against independent references.</summary>
public sealed class EngineTests
{
    private static TrainingSettings Settings(int epochs = 1, LearningRateSchedule schedule = LearningRateSchedule.Constant, int warmup = 0,
        OptimizerKind optimizer = OptimizerKind.Sgd, double learningRate = 0.1, int batch = 32, int accumulation = 1, double clip = 0) =>
        TrainingSettings.From(new TrainAttribute
        {
            Epochs = epochs, BatchSize = batch, LearningRate = learningRate, Optimizer = optimizer, AccumulationSteps = accumulation,
            ClipGradientNorm = clip, Schedule = schedule, WarmupSteps = warmup, StepDecayEpochs = 2, StepDecayFactor = 0.5,
        });

    /// <summary>The learning rate in force for each of <paramref name="steps"/> optimizer steps.</summary>
    private static List<double> RatesUsed(TrainingSettings settings, int stepsPerEpoch)
    {
        var parameter = new Parameter(zeros(3));
        using var optimization = OptimizationStep.Create(settings, new[] { parameter }, stepsPerEpoch);
        var rates = new List<double>();
        for (int epoch = 0; epoch < settings.Epochs; epoch++)
            for (int step = 1; step <= stepsPerEpoch; step++)
            {
                rates.Add(optimization.LearningRate);
                optimization.Apply((parameter * 1.0).sum(), step, stepsPerEpoch);
            }
        return rates;
    }

    [Fact]
    public void Cosine_schedule_follows_its_formula()
    {
        // 2 epochs x 10 steps = T = 20 optimizer steps: lr_t = 0.1 * (1 + cos(pi t / 20)) / 2.
        var rates = RatesUsed(Settings(epochs: 2, schedule: LearningRateSchedule.Cosine), 10);
        for (int t = 0; t < 20; t++) Assert.Equal(0.1 * (1 + Math.Cos(Math.PI * t / 20)) / 2, rates[t], 9);
    }

    [Fact]
    public void Step_decay_halves_the_rate_every_two_epochs()
    {
        var rates = RatesUsed(Settings(epochs: 5, schedule: LearningRateSchedule.StepDecay), 4);
        for (int t = 0; t < 20; t++) Assert.Equal(0.1 * Math.Pow(0.5, t / 8), rates[t], 9);
    }

    [Fact]
    public void Warmup_rises_linearly_then_hands_over_to_the_schedule()
    {
        // 4 warm-up steps: lr * (1/4 + (3/4) t/4) for t < 4, then cosine over the remaining 16 steps.
        var rates = RatesUsed(Settings(epochs: 2, schedule: LearningRateSchedule.Cosine, warmup: 4), 10);
        for (int t = 0; t < 4; t++) Assert.Equal(0.1 * (0.25 + 0.75 * t / 4), rates[t], 9);
        for (int t = 4; t < 20; t++) Assert.Equal(0.1 * (1 + Math.Cos(Math.PI * (t - 4) / 16)) / 2, rates[t], 9);
    }

    [Fact]
    public void Constant_schedule_keeps_the_rate()
    {
        Assert.All(RatesUsed(Settings(epochs: 2), 5), r => Assert.Equal(0.1, r, 12));
    }

    [Fact]
    public void Two_accumulated_batches_of_32_step_like_one_batch_of_64()
    {
        // 256 samples: batches of 64 are exactly the pairs of consecutive batches of 32 in the same epoch order.
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 256, 10);
        manual_seed(5);
        using var large = new TinyStudent(64, 10);
        manual_seed(5);
        using var accumulated = new TinyStudent(64, 10);
        SupervisedTraining.Train(large, data.Train, Settings(epochs: 2, batch: 64), TrainingPhase.StudentAlone, CPU, null);
        SupervisedTraining.Train(accumulated, data.Train, Settings(epochs: 2, batch: 32, accumulation: 2), TrainingPhase.StudentAlone, CPU, null);
        foreach (var (a, b) in large.parameters().Zip(accumulated.parameters()))
            Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-6), "accumulated weights differ from the large-batch weights");

        // And accumulation changes something: one batch of 32 per step is a different run.
        manual_seed(5);
        using var small = new TinyStudent(64, 10);
        SupervisedTraining.Train(small, data.Train, Settings(epochs: 2, batch: 32), TrainingPhase.StudentAlone, CPU, null);
        Assert.False(large.parameters().Zip(small.parameters()).All(p => p.First.allclose(p.Second, rtol: 1e-4, atol: 1e-6)));
    }

    [Fact]
    public void Clipping_bounds_the_update_by_learning_rate_times_the_norm()
    {
        var parameter = new Parameter(zeros(4));
        using var optimization = OptimizationStep.Create(Settings(learningRate: 1.0, clip: 1e-3), new[] { parameter }, 1);
        using var target = tensor(new float[] { 100, -200, 300, -400 });
        optimization.Apply((parameter - target).pow(2).sum(), 1, 1); // gradient norm ~ 1,095
        using var norm = parameter.detach().norm();
        Assert.InRange(norm.item<float>(), 0.999e-3, 1.001e-3); // plain SGD: |update| = lr * min(|g|, 1e-3)
    }

    [Fact]
    public void Cached_teacher_outputs_give_exactly_the_live_teachers_run()
    {
        using var live = LiveTeacherKd.Run();
        using var cached = MemoryCachedTeacherKd.Run();
        Assert.Equal(live.Epochs.Select(e => (e.Total, e.KlDivergence, e.KdTopK)), cached.Epochs.Select(e => (e.Total, e.KlDivergence, e.KdTopK)));
        Assert.Equal(live.StudentAccuracy, cached.StudentAccuracy);
    }

    [Fact]
    public void Disk_cache_is_written_once_reused_and_keyed_by_teacher_and_data()
    {
        string folder = Path.GetFullPath("kddsl-test-artifacts/teacher-cache");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);

        using var first = DiskCachedTeacherKd.Run();
        Assert.False(first.TeacherOutputsReadFromCache);
        Assert.Single(Directory.GetFiles(folder, "*.teacher-logits"));
        using var second = DiskCachedTeacherKd.Run();
        Assert.True(second.TeacherOutputsReadFromCache);
        Assert.Equal(first.Epochs, second.Epochs);

        // Another seed trains another teacher: a new key, a second file, never the stale outputs.
        using var other = DiskCachedTeacherKd.Run(new RunOptions { Seed = 12 });
        Assert.False(other.TeacherOutputsReadFromCache);
        Assert.Equal(2, Directory.GetFiles(folder, "*.teacher-logits").Length);

        // Different data with the same teacher weights gives a different key too.
        using var data = BuiltInDatasets.Load(DatasetKind.Digits, null, 300, 100);
        using var fewer = data.Train.Take(299);
        Assert.NotEqual(TeacherOutputCache.Key(first.Teacher, data.Train), TeacherOutputCache.Key(first.Teacher, fewer));
    }
}
