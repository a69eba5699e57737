using System;

namespace KdDsl;

/// <summary>Training settings shared by the teacher, the student-alone baseline and the distilled student. Every property is optional.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TrainAttribute : Attribute
{
    /// <summary>Passes over the training data; &gt; 0. Default 5.</summary>
    public int Epochs { get; set; } = 5;

    /// <summary>Samples per optimisation step; &gt; 0. Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Optimizer step size; &gt; 0. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Seed for weight initialisation and batch order; a run with the same seed on the CPU repeats exactly. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>The optimizer. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Momentum for <see cref="OptimizerKind.Sgd"/> only, in [0, 1). Default 0.</summary>
    public double Momentum { get; set; }

    /// <summary>L2 weight decay (decoupled for AdamW); &gt;= 0. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>
    /// Batches whose gradients are summed before each optimizer step, &gt;= 1 (default 1). Each batch's loss is divided by the group
    /// size, so a group of k batches of size B steps like one batch of k*B.
    /// </summary>
    public int AccumulationSteps { get; set; } = 1;

    /// <summary>Clip the global L2 norm of the gradients to this value before each optimizer step; 0 (default) disables clipping.</summary>
    public double ClipGradientNorm { get; set; }

    /// <summary>Learning-rate schedule over the optimizer steps of a training run. Default <see cref="LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Optimizer steps of linear warm-up (from LearningRate / WarmupSteps to LearningRate) before the schedule; default 0.</summary>
    public int WarmupSteps { get; set; }

    /// <summary>For <see cref="LearningRateSchedule.StepDecay"/>: multiply the rate by <see cref="StepDecayFactor"/> every this many epochs (10).</summary>
    public int StepDecayEpochs { get; set; } = 10;

    /// <summary>For <see cref="LearningRateSchedule.StepDecay"/>: the factor, in (0, 1] (0.1).</summary>
    public double StepDecayFactor { get; set; } = 0.1;

    /// <summary>
    /// Path of the distillation checkpoint, written atomically after every epoch (student, optimizer, schedule, random state,
    /// losses so far). When it exists, <c>Run</c> resumes after its last epoch and ends with the same numbers as an uninterrupted
    /// run; when a loss turns NaN the run stops and the file still holds the last good epoch. Unset: no checkpoint.
    /// </summary>
    public string? Checkpoint { get; set; }

    /// <summary>Also train the student alone (cross-entropy only, same initial weights and batch order) as a baseline. Default false.</summary>
    public bool StudentBaseline { get; set; }
}

/// <summary>Learning-rate schedules, stepped once per optimizer step.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant = 0,

    /// <summary>Cosine annealing to 0 over the run: <c>lr * (1 + cos(pi t / T)) / 2</c>.</summary>
    Cosine = 1,

    /// <summary>Multiply by <see cref="TrainAttribute.StepDecayFactor"/> every <see cref="TrainAttribute.StepDecayEpochs"/> epochs.</summary>
    StepDecay = 2,
}

/// <summary>Optimizers available to experiments.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba).</summary>
    Adam = 0,

    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    AdamW = 1,

    /// <summary>Stochastic gradient descent, with optional momentum.</summary>
    Sgd = 2,
}
