using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>Maps <see cref="LearningRateSchedule"/> to TorchSharp's schedulers, stepped once per optimizer step.</summary>
public static class LearningRateSchedules
{
    /// <summary>The scheduler for <paramref name="settings"/>, or null for a constant rate without warm-up.</summary>
    public static optim.lr_scheduler.LRScheduler? Create(optim.Optimizer optimizer, TrainingSettings settings, int updatesPerEpoch)
    {
        int total = Math.Max(1, settings.Epochs * updatesPerEpoch);
        int warmup = Math.Min(settings.WarmupSteps, total);
        optim.lr_scheduler.LRScheduler? main = settings.Schedule switch
        {
            LearningRateSchedule.Constant => null,
            // lr_t = lr * (1 + cos(pi t / T)) / 2 over the steps after warm-up.
            LearningRateSchedule.Cosine => optim.lr_scheduler.CosineAnnealingLR(optimizer, Math.Max(1, total - warmup), 0),
            // lr_t = lr * gamma^floor(t / (epochs * updates per epoch)).
            LearningRateSchedule.StepDecay => optim.lr_scheduler.StepLR(optimizer, Math.Max(1, settings.StepDecayEpochs * updatesPerEpoch), settings.StepDecayFactor),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Schedule, "Unknown learning-rate schedule."),
        };
        if (warmup == 0) return main;
        // Linear warm-up from lr / warmup to lr over the first `warmup` steps, then the main schedule.
        var warm = optim.lr_scheduler.LinearLR(optimizer, 1.0 / warmup, 1.0, warmup);
        return main is null
            ? warm
            : optim.lr_scheduler.SequentialLR(optimizer, new List<optim.lr_scheduler.LRScheduler> { warm, main }, new List<int> { warmup });
    }
}
