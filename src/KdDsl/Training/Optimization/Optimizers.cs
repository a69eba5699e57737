using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;

namespace KdDsl.Training;

/// <summary>Builds the optimizer declared in <see cref="TrainAttribute"/>.</summary>
public static class Optimizers
{
    /// <summary>Creates the optimizer for <paramref name="parameters"/>.</summary>
    public static torch.optim.Optimizer Create(TrainingSettings settings, IEnumerable<Parameter> parameters) => settings.Optimizer switch
    {
        OptimizerKind.Adam => torch.optim.Adam(parameters, settings.LearningRate, weight_decay: settings.WeightDecay),
        OptimizerKind.AdamW => torch.optim.AdamW(parameters, settings.LearningRate, weight_decay: settings.WeightDecay),
        OptimizerKind.Sgd => torch.optim.SGD(parameters, settings.LearningRate, momentum: settings.Momentum, weight_decay: settings.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Optimizer, "Unknown optimizer."),
    };
}
