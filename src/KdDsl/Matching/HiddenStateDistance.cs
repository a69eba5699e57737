using System;
using static TorchSharp.torch;

namespace KdDsl.Matching;

/// <summary>
/// The distances of intermediate-layer matching. States are [N, W] or [N, L, W]; the last dimension is the width. Every
/// distance is a mean of per-token values (squared L2, mean squared difference or 1 - cosine of one token's W-vector), and a
/// token mask restricts that mean to the real tokens of a sequence batch. Feature maps [N, C, H, W] are compared as tokens too:
/// each pixel's C-vector is a token (<see cref="ChannelsLast"/>), so SquaredL2 is the per-pixel squared L2 over channels
/// averaged over pixels, and Mse FitNets' mean over every element. <see cref="AttentionTransfer"/> compares their attention maps.
/// </summary>
public static class HiddenStateDistance
{
    /// <summary>A feature map [N, C, H, W] as [N, H, W, C] (every pixel a token of width C); other states unchanged.</summary>
    public static Tensor ChannelsLast(Tensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.dim() == 4 ? state.permute(0, 2, 3, 1) : state;
    }

    /// <summary>
    /// Zagoruyko and Komodakis's spatial attention map of feature maps [N, C, H, W]: <c>sum_c F_c^2</c> per pixel, flattened to
    /// [N, H*W] and divided by its L2 norm per sample.
    /// </summary>
    public static Tensor AttentionMap(Tensor featureMap)
    {
        ArgumentNullException.ThrowIfNull(featureMap);
        if (featureMap.dim() != 4)
            throw new ArgumentException($"Attention maps are taken of feature maps [N, C, H, W], not of [{string.Join(", ", featureMap.shape)}].", nameof(featureMap));
        return nn.functional.normalize(featureMap.square().sum(1).flatten(1), p: 2, dim: 1, eps: 1e-12);
    }

    /// <summary>
    /// Attention transfer between two feature maps of the same height and width (channels may differ): the mean over samples
    /// and pixels of the squared difference of their <see cref="AttentionMap"/>s, the authors' <c>(at(s) - at(t)).pow(2).mean()</c>.
    /// </summary>
    public static Tensor AttentionTransfer(Tensor student, Tensor teacher)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (student.dim() != 4 || teacher.dim() != 4 || student.shape[0] != teacher.shape[0] || student.shape[2] != teacher.shape[2] || student.shape[3] != teacher.shape[3])
            throw new ArgumentException(
                $"Attention transfer needs feature maps of the same batch, height and width: student [{string.Join(", ", student.shape)}], teacher [{string.Join(", ", teacher.shape)}].");
        return (AttentionMap(student) - AttentionMap(teacher)).square().mean();
    }

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
        if (distance == HiddenDistance.AttentionTransfer) return AttentionTransfer(student, teacher);
        var (s, t) = Prepare(ChannelsLast(student), ChannelsLast(teacher), normalization);
        return distance switch
        {
            HiddenDistance.SquaredL2 => (s - t).square().sum(-1).mean(),
            HiddenDistance.Mse => (s - t).square().mean(),
            HiddenDistance.Cosine => (1 - nn.functional.cosine_similarity(s, t, dim: -1, eps: 1e-8)).mean(),
            _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, null),
        };
    }

    /// <summary>
    /// As <see cref="Compute(Tensor, Tensor, HiddenDistance, HiddenNormalization)"/>, averaging only over the real tokens of
    /// <paramref name="tokenMask"/> (the states' shape without the width, e.g. [N, L]; bool, or 0/1 floats): the sum of the
    /// per-token distances over the batch's real tokens divided by their count (0 when there is none). MSE is the per-token
    /// mean over the width, so it stays squared L2 / W. Every real token of the batch weighs the same, whatever its sample's
    /// length (DistilBERT's masked hidden-state loss does the same). The real tokens are selected before anything is computed
    /// (not multiplied by the mask), so whatever the padded positions hold, NaN or 1e20 included, neither the loss nor its
    /// gradient sees it. With a null mask, or [N, W] states (no tokens), this is exactly the unmasked distance. No host
    /// synchronisation: the count stays a tensor.
    /// </summary>
    public static Tensor Compute(Tensor student, Tensor teacher, HiddenDistance distance, HiddenNormalization normalization, Tensor? tokenMask)
    {
        if (tokenMask is null || student.dim() <= 2 || student.dim() == 4) return Compute(student, teacher, distance, normalization);
        var tokenShape = student.shape.AsSpan(0, student.shape.Length - 1);
        if (!tokenShape.SequenceEqual(tokenMask.shape))
            throw new ArgumentException(
                $"The token mask [{string.Join(", ", tokenMask.shape)}] does not fit states [{string.Join(", ", student.shape)}]: it must be [{string.Join(", ", tokenShape.ToArray())}].",
                nameof(tokenMask));
        if (!student.shape.AsSpan().SequenceEqual(teacher.shape))
            throw new ArgumentException(
                $"Matched states differ in shape: student [{string.Join(", ", student.shape)}], teacher [{string.Join(", ", teacher.shape)}].");
        // [R, W]: the real tokens only, so padding takes part in neither the values nor the gradient.
        long width = student.shape[^1];
        var keep = tokenMask.to(ScalarType.Bool, student.device).unsqueeze(-1).expand(student.shape);
        var (s, t) = Prepare(student.masked_select(keep).reshape(-1, width), teacher.masked_select(keep).reshape(-1, width), normalization);
        var perToken = distance switch
        {
            HiddenDistance.SquaredL2 => (s - t).square().sum(-1),
            HiddenDistance.Mse => (s - t).square().mean(new long[] { -1 }),
            HiddenDistance.Cosine => 1 - nn.functional.cosine_similarity(s, t, dim: -1, eps: 1e-8),
            _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, null),
        };
        var count = tokenMask.to(ScalarType.Bool, perToken.device).sum().to(perToken.dtype);
        return perToken.sum() / count.clamp_min(1);
    }

    private static (Tensor Student, Tensor Teacher) Prepare(Tensor student, Tensor teacher, HiddenNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (!student.shape.AsSpan().SequenceEqual(teacher.shape))
            throw new ArgumentException(
                $"Matched states differ in shape: student [{string.Join(", ", student.shape)}], teacher [{string.Join(", ", teacher.shape)}].");
        return (Normalize(student, normalization), Normalize(teacher, normalization));
    }
}
