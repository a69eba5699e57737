namespace KdDsl.Losses;

/// <summary>How a KL divergence over a batch of distributions [N, K] is reduced to a scalar.</summary>
public enum KlReduction
{
    /// <summary>Sum over the K classes, mean over the N samples (PyTorch's <c>"batchmean"</c>, the mathematical KL per sample).</summary>
    BatchMean,

    /// <summary>
    /// Mean over all N*K elements (PyTorch's default <c>reduction="mean"</c> of <c>nn.KLDivLoss</c>, as the official Tf-KD code uses);
    /// equals <see cref="BatchMean"/> divided by K.
    /// </summary>
    ElementwiseMean,
}
