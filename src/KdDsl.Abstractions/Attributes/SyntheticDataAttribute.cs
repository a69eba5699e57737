using System;

namespace KdDsl;

/// <summary>
/// Shape of the <see cref="DatasetKind.Synthetic"/> data set: inputs x ~ N(0, I_d), class weight vectors
/// <c>w_k = tau * u_group(k) + sqrt(1 - tau^2) * u_k</c> over orthonormal u, label <c>argmax_k (w_k.x + sum_j sin(a_j w_k.x + b_j))</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SyntheticDataAttribute : Attribute
{
    /// <summary>Training samples, &gt; 0. Default 5,000.</summary>
    public int TrainSamples { get; set; } = 5000;

    /// <summary>Test samples, &gt; 0. Default 2,000.</summary>
    public int TestSamples { get; set; } = 2000;

    /// <summary>Input width d, at least <see cref="Classes"/> + <see cref="Groups"/>. Default 64.</summary>
    public int Features { get; set; } = 64;

    /// <summary>Classes K, &gt;= 2. Default 10.</summary>
    public int Classes { get; set; } = 10;

    /// <summary>Groups of related classes, in [1, K]. Default 2.</summary>
    public int Groups { get; set; } = 2;

    /// <summary>tau in [0, 1]: how similar the classes of one group are (0: unrelated, 1: identical directions). Default 0.5.</summary>
    public double ClassCorrelation { get; set; } = 0.5;

    /// <summary>Seed of the generator (independent of the training seed). Default 0.</summary>
    public int Seed { get; set; }
}
