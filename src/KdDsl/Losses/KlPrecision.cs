namespace KdDsl.Losses;

/// <summary>
/// The floating-point precision <see cref="DistillationLosses.KlDivergence(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, double, double, KlReduction, bool, KlPrecision)"/>
/// computes in; <see cref="DistillationLosses.ReverseKl(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, double, double, KlReduction, bool, KlPrecision)"/>
/// and <see cref="DistillationLosses.JensenShannon(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, double, double, KlReduction, bool, KlPrecision)"/>
/// follow the same policy.
/// </summary>
public enum KlPrecision
{
    /// <summary>
    /// The policy the generated loops use: float32 when both logits are float32 and neither temperature exceeds
    /// <see cref="DistillationLosses.Float32TemperatureLimit"/>, float64 otherwise (see <c>docs/benchmarks.md</c>, "(e)").
    /// </summary>
    Automatic,

    /// <summary>In float32 (other logits are converted, and the result converted back): fused <c>kl_div</c> on log-probabilities.</summary>
    Float32,

    /// <summary>Converted to float64, computed, and converted back to the student logits' dtype.</summary>
    Float64,
}
