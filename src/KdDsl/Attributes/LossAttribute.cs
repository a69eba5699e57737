using System;

namespace KdDsl;

/// <summary>
/// One weighted term of the distillation loss. The student minimises <c>sum_i Weight_i * term_i</c> over all declared terms.
/// Each kind may appear once.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LossAttribute : Attribute
{
    /// <summary>Declares a loss term of the given kind.</summary>
    public LossAttribute(LossKind kind) => Kind = kind;

    /// <summary>Which loss this term computes.</summary>
    public LossKind Kind { get; }

    /// <summary>Weight of this term in the total loss; must be &gt;= 0, and not all weights may be 0. Default 1.</summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>
    /// Softmax temperature T for <see cref="LossKind.KlDivergence"/> (must be &gt; 0; default 1). The term is scaled by T^2 so its
    /// gradients keep their size as T changes (Hinton et al.). Not valid for other kinds.
    /// </summary>
    public double Temperature { get; set; } = 1.0;
}

/// <summary>The loss terms a distillation experiment can combine.</summary>
public enum LossKind
{
    /// <summary>Cross-entropy with the true labels: <c>H(y, p_s) = -log softmax(z_s)_c</c>, averaged over the batch.</summary>
    CrossEntropy = 0,

    /// <summary>
    /// Hinton's KD term: <c>T^2 * KL(softmax(z_t/T) || softmax(z_s/T))</c>, summed over classes and averaged over the batch (batchmean).
    /// </summary>
    KlDivergence = 1,

    /// <summary>Mean squared error between student and teacher logits, averaged over batch and classes.</summary>
    LogitMse = 2,
}
