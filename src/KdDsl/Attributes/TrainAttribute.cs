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

    /// <summary>Also train the student alone (cross-entropy only, same initial weights and batch order) as a baseline. Default false.</summary>
    public bool StudentBaseline { get; set; }
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
