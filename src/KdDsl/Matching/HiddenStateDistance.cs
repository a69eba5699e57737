using System;
using static TorchSharp.torch;

namespace KdDsl.Matching;

/// <summary>The distances of intermediate-layer matching. States are [N, W] or [N, L, W]; the last dimension is the width.</summary>
public static class HiddenStateDistance
{
    /// <summary>Applies <paramref name="normalization"/> over the last dimension.</summary>
    public static Tensor Normalize(Tensor state, HiddenNormalization normalization) => normalization switch
    {
        HiddenNormalization.None => state,
        HiddenNormalization.LayerNorm => nn.functional.layer_norm(state, new[] { state.shape[^1] }, eps: 1e-5),
        HiddenNormalization.L2 => nn.functional.normalize(state, p: 2, dim: -1, eps: 1e-12),
        _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, null),
    };

    /// <summary>
    /// The distance between <paramref name="student"/> and <paramref name="teacher"/> (same shape), after normalising both:
    /// squared L2 per token averaged over tokens, MSE over all elements, or 1 - cosine per token averaged over tokens.
    /// </summary>
    public static Tensor Compute(Tensor student, Tensor teacher, HiddenDistance distance, HiddenNormalization normalization = HiddenNormalization.None)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (!student.shape.AsSpan().SequenceEqual(teacher.shape))
            throw new ArgumentException(
                $"Matched states differ in shape: student [{string.Join(", ", student.shape)}], teacher [{string.Join(", ", teacher.shape)}].");
        var s = Normalize(student, normalization);
        var t = Normalize(teacher, normalization);
        return distance switch
        {
            HiddenDistance.SquaredL2 => (s - t).square().sum(-1).mean(),
            HiddenDistance.Mse => (s - t).square().mean(),
            HiddenDistance.Cosine => (1 - nn.functional.cosine_similarity(s, t, dim: -1, eps: 1e-8)).mean(),
            _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, null),
        };
    }
}
