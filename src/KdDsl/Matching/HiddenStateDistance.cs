using System;
using static TorchSharp.torch;

namespace KdDsl.Matching;

/// <summary>
/// The distances of intermediate-layer matching. States are [N, W] or [N, L, W]; the last dimension is the width. Every
/// distance is a mean of per-token values (squared L2, mean squared difference or 1 - cosine of one token's W-vector), and a
/// token mask restricts that mean to the real tokens of a sequence batch. Feature maps [N, C, H, W] are compared as tokens too:
/// each pixel's C-vector is a token (<see cref="ChannelsLast"/>), so SquaredL2 is the per-pixel squared L2 over channels
/// averaged over pixels, and Mse FitNets' mean over every element. <see cref="AttentionTransfer"/> compares their attention maps.
/// The relational distances (<see cref="IsRelational"/>: SP, RKD, PKT) compare the relations between a batch's samples within
/// each model instead, so the two states may differ in width, size and rank (<see cref="Relational"/>).
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
        if (IsRelational(distance)) return Relational(student, teacher, distance, normalization, null);
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
        if (IsRelational(distance)) return Relational(student, teacher, distance, normalization, tokenMask);
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

    /// <summary>
    /// Whether <paramref name="distance"/> compares relations between the samples of a batch (SP, RKD, PKT) rather than the two
    /// states element by element: the states' widths, sizes and ranks may then differ, and no connector is made.
    /// </summary>
    public static bool IsRelational(HiddenDistance distance) => distance is HiddenDistance.SimilarityPreserving or HiddenDistance.RelationalDistance
        or HiddenDistance.RelationalAngle or HiddenDistance.RelationalDistanceAngle or HiddenDistance.ProbabilisticTransfer;

    /// <summary>
    /// The smallest batch on which a relational distance carries information: 3 for RKD (with 2 samples the one normalised
    /// distance is 1 and the only angles are 0 or 1 for any embedding), 2 for SP and PKT; 1 for the other distances.
    /// </summary>
    public static int MinimumBatchSize(HiddenDistance distance) => distance switch
    {
        HiddenDistance.RelationalDistance or HiddenDistance.RelationalAngle or HiddenDistance.RelationalDistanceAngle => 3,
        HiddenDistance.SimilarityPreserving or HiddenDistance.ProbabilisticTransfer => 2,
        _ => 1,
    };

    /// <summary>
    /// The per-sample vectors [b, D] a relational distance compares. <paramref name="flatten"/> (SP: Tung and Mori reshape a
    /// b x c x h x w activation map to b x chw): every value of the sample, a sequence's padding tokens (per <paramref name="tokenMask"/>)
    /// set to 0 so that they add nothing to a dot product. Otherwise (RKD, PKT, which the authors apply to the penultimate
    /// embedding): a feature map [b, C, H, W] is averaged over its pixels to [b, C] (global average pooling: for the library's
    /// conv models, whose heads pool, the last stage's vector is exactly that embedding), a sequence [b, L, W] over its real
    /// tokens to [b, W], and a vector [b, W] is kept. The mask is used only when it fits ([b, L] for a [b, L, W] state); padded
    /// positions are replaced, not multiplied, so whatever they hold reaches neither the value nor the gradient.
    /// </summary>
    public static Tensor RelationVectors(Tensor state, bool flatten, Tensor? tokenMask = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.dim() < 2) throw new ArgumentException($"States have a batch dimension and at least one more, not [{string.Join(", ", state.shape)}].", nameof(state));
        bool masked = tokenMask is not null && state.dim() == 3 && tokenMask.dim() == 2
            && tokenMask.shape[0] == state.shape[0] && tokenMask.shape[1] == state.shape[1];
        if (masked)
        {
            var real = tokenMask!.to(ScalarType.Bool, state.device).unsqueeze(-1);
            var kept = state.masked_fill(real.logical_not(), 0);
            if (flatten) return kept.flatten(1);
            var count = real.to(state.dtype).sum(1).clamp_min(1); // [b, 1]
            return kept.sum(1) / count;
        }
        if (flatten) return state.flatten(1);
        return state.dim() switch
        {
            2 => state,
            4 => state.mean(new long[] { 2, 3 }),
            _ => state.flatten(2).mean(new long[] { 1 }), // [b, L, W] (and other ranks): the mean over the positions
        };
    }

    /// <summary>
    /// SP between per-sample vectors [b, Ds] and [b, Dt]: <c>G = A A^T</c> per model, rows divided by their L2 norm (at least
    /// 1e-12, PyTorch's <c>F.normalize</c>), and <c>sum (G_t - G_s)^2 / b^2</c>.
    /// </summary>
    public static Tensor SimilarityPreserving(Tensor student, Tensor teacher)
    {
        CheckBatch(student, teacher);
        long b = student.shape[0];
        Tensor Gram(Tensor a) => nn.functional.normalize(a.mm(a.t()), p: 2, dim: 1, eps: 1e-12);
        return (Gram(teacher) - Gram(student)).square().sum() / (double)(b * b);
    }

    /// <summary>
    /// The pairwise Euclidean distances [b, b] of vectors [b, D] as the RKD authors compute them: <c>|e_i|^2 + |e_j|^2 - 2 e_i.e_j</c>
    /// clamped to at least 1e-12, its square root, and 0 on the diagonal.
    /// </summary>
    public static Tensor PairwiseDistances(Tensor embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        long b = embeddings.shape[0];
        var square = embeddings.square().sum(1);
        var squared = (square.unsqueeze(1) + square.unsqueeze(0) - 2 * embeddings.mm(embeddings.t())).clamp_min(1e-12);
        var offDiagonal = 1 - eye(b, dtype: embeddings.dtype, device: embeddings.device);
        return squared.sqrt() * offDiagonal;
    }

    /// <summary>
    /// RKD-D between vectors [b, Ds] and [b, Dt]: each model's <see cref="PairwiseDistances"/> divided by their mean over the
    /// b(b-1) off-diagonal pairs (every one of them is at least 1e-6, so this is the authors' mean over the positive entries),
    /// then smooth L1 (delta 1) averaged over the b x b entries. 0 for a batch of one sample (no pair).
    /// </summary>
    public static Tensor RelationalDistance(Tensor student, Tensor teacher)
    {
        CheckBatch(student, teacher);
        long b = student.shape[0];
        if (b < 2) return (student.sum() * 0).to(student.dtype);
        Tensor Normalised(Tensor e)
        {
            var d = PairwiseDistances(e);
            return d / (d.sum() / (double)(b * (b - 1)));
        }
        return SmoothL1(Normalised(student), Normalised(teacher));
    }

    /// <summary>
    /// RKD-A between vectors [b, Ds] and [b, Dt]: for every triplet, <c>cos = &lt;n_ij, n_ik&gt;</c> with <c>n_ij = (e_j - e_i) /
    /// max(|e_j - e_i|, 1e-12)</c> (a zero difference gives a zero direction, as in the authors' code), compared with smooth
    /// L1 averaged over the b^3 triplets.
    /// </summary>
    public static Tensor RelationalAngle(Tensor student, Tensor teacher)
    {
        CheckBatch(student, teacher);
        static Tensor Angles(Tensor e)
        {
            var directions = nn.functional.normalize(e.unsqueeze(0) - e.unsqueeze(1), p: 2, dim: 2, eps: 1e-12); // [b, b, D]: e_j - e_i
            return directions.bmm(directions.transpose(1, 2)); // [b, b, b]
        }
        return SmoothL1(Angles(student), Angles(teacher));
    }

    /// <summary>
    /// PKT between vectors [b, Ds] and [b, Dt], the authors' code: <c>x / (|x| + 1e-7)</c>, <c>K = (x x^T + 1) / 2</c>, rows
    /// divided by their sums, and <c>mean_{i,j} P_t log((P_t + 1e-7) / (P_s + 1e-7))</c>. The norm is taken with a norm whose
    /// gradient at a zero vector is 0 (the authors' <c>sqrt(sum x^2)</c> would give NaN there); the value is the same.
    /// </summary>
    public static Tensor ProbabilisticTransfer(Tensor student, Tensor teacher)
    {
        CheckBatch(student, teacher);
        const double eps = 1e-7;
        static Tensor Conditional(Tensor x)
        {
            var unit = x / (x.norm(1, keepdim: true) + eps);
            var kernel = (unit.mm(unit.t()) + 1) / 2;
            return kernel / kernel.sum(1, keepdim: true);
        }
        var p = Conditional(teacher);
        var q = Conditional(student);
        return (p * ((p + eps) / (q + eps)).log()).mean();
    }

    /// <summary>
    /// A relational distance between two states of the same batch, of any widths, sizes and ranks: both are turned into
    /// <see cref="RelationVectors"/> (flattened for SP, pooled for RKD and PKT) and compared. RKD-DA is RKD-D + 2 RKD-A.
    /// </summary>
    public static Tensor Relational(Tensor student, Tensor teacher, HiddenDistance distance, HiddenNormalization normalization = HiddenNormalization.None,
        Tensor? tokenMask = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (!IsRelational(distance)) throw new ArgumentOutOfRangeException(nameof(distance), distance, "not a relational distance");
        if (normalization != HiddenNormalization.None)
            throw new ArgumentException($"HiddenDistance.{distance} normalises its own relations; HiddenNormalization.{normalization} does not apply to it.", nameof(normalization));
        bool flatten = distance == HiddenDistance.SimilarityPreserving;
        var s = RelationVectors(student, flatten, tokenMask);
        var t = RelationVectors(teacher, flatten, tokenMask);
        return distance switch
        {
            HiddenDistance.SimilarityPreserving => SimilarityPreserving(s, t),
            HiddenDistance.RelationalDistance => RelationalDistance(s, t),
            HiddenDistance.RelationalAngle => RelationalAngle(s, t),
            HiddenDistance.RelationalDistanceAngle => RelationalDistance(s, t) + 2 * RelationalAngle(s, t),
            _ => ProbabilisticTransfer(s, t),
        };
    }

    // Smooth L1 (Huber with delta 1), mean over every element: 0.5 x^2 where |x| < 1, |x| - 0.5 elsewhere (PyTorch's SmoothL1Loss).
    private static Tensor SmoothL1(Tensor input, Tensor target)
    {
        var difference = (input - target).abs();
        return where(difference < 1, 0.5 * difference.square(), difference - 0.5).mean();
    }

    private static void CheckBatch(Tensor student, Tensor teacher)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (student.dim() != 2 || teacher.dim() != 2 || student.shape[0] != teacher.shape[0])
            throw new ArgumentException(
                $"A relational distance compares per-sample vectors of the same batch, [b, Ds] and [b, Dt]: student [{string.Join(", ", student.shape)}], teacher [{string.Join(", ", teacher.shape)}].");
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
