using System;
using System.Collections.Generic;
using KdDsl.Data;
using KdDsl.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>Plain cross-entropy training, used for the teacher and for the student-alone baseline.</summary>
public static class SupervisedTraining
{
    private static readonly string[] CrossEntropyOnly = { nameof(LossKind.CrossEntropy) };

    /// <summary>Trains <paramref name="model"/> and returns the mean loss of each epoch.</summary>
    public static IReadOnlyList<double> Train(
        nn.Module<Tensor, Tensor> model, LabeledDataset train, TrainingSettings settings, TrainingPhase phase, Device device,
        IProgress<TrainingProgress>? progress) =>
        Train(model, train, settings, phase, device, progress, stopAfterStep: null, afterEpoch: null);

    /// <summary>
    /// Trains <paramref name="model"/>; <paramref name="stopAfterStep"/> (epoch, step) may end training early, and
    /// <paramref name="afterEpoch"/> (epoch) runs after each full epoch. Returns the mean loss of each epoch begun.
    /// </summary>
    public static IReadOnlyList<double> Train(
        nn.Module<Tensor, Tensor> model, LabeledDataset train, TrainingSettings settings, TrainingPhase phase, Device device,
        IProgress<TrainingProgress>? progress, Func<int, int, bool>? stopAfterStep, Action<int>? afterEpoch)
    {
        int steps = Batches.StepsPerEpoch(train.Count, settings.BatchSize);
        using var optimization = OptimizationStep.Create(settings, model.parameters(), steps);
        var history = new List<double>(settings.Epochs);
        var termValue = new double[1];
        model.train();
        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            double sum = 0;
            int done = 0;
            using var order = Batches.EpochOrder(train.Count, settings.Seed, epoch);
            for (int step = 1; step <= steps; step++)
            {
                using var scope = NewDisposeScope();
                using var noGc = NoGcRegion.Enter(); // see NoGcRegion
                var (inputs, labels) = Batches.Take(train, order, step - 1, settings.BatchSize, device);
                if (settings.Augmentation is { } augmentation) inputs = augmentation.Apply(inputs, settings.Seed, epoch, step);
                var loss = DistillationLosses.CrossEntropy(model.call(inputs), labels);
                double value = LossGuard.Finite(loss, phase, nameof(LossKind.CrossEntropy), epoch, step);
                optimization.Apply(loss, step, steps);
                sum += value;
                done++;
                termValue[0] = value;
                progress?.Report(new TrainingProgress(phase, epoch, settings.Epochs, step, steps, value, CrossEntropyOnly, termValue));
                if (stopAfterStep?.Invoke(epoch, step) == true)
                {
                    NoGcRegion.Leave();
                    history.Add(sum / done);
                    return history;
                }
            }
            NoGcRegion.Leave(); // the steps' region ends before anything else runs
            history.Add(sum / steps);
            afterEpoch?.Invoke(epoch);
        }
        return history;
    }
}
