using System;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace KdDsl.Losses;

/// <summary>
/// The loss terms the generated training loops call. Each returns a scalar tensor averaged over the batch. Formulas follow
/// Hinton et al. (2015) and <c>docs/kd-methods.md</c>: z = logits, T = temperature, N = batch size, K = classes.
/// </summary>
public static class DistillationLosses
{
    /// <summary>Cross-entropy with the true labels, <c>mean_n -log softmax(z_s)_{n,y_n}</c>.</summary>
    public static Tensor CrossEntropy(Tensor studentLogits, Tensor labels) => F.cross_entropy(studentLogits, labels);

    /// <summary>
    /// Hinton's KD term, <c>T^2 * (1/N) * sum_n KL(softmax(z_t/T) || softmax(z_s/T))</c> ("batchmean"). The T^2 factor keeps the
    /// gradient's scale independent of T. Computed from log-probabilities directly: TorchSharp's <c>kl_div</c> defaults to
    /// <c>log_target = true</c>, unlike PyTorch, and has no batchmean reduction.
    /// </summary>
    public static Tensor KlDivergence(Tensor studentLogits, Tensor teacherLogits, double temperature)
    {
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The KD temperature must be > 0.");
        var logStudent = F.log_softmax(studentLogits / temperature, 1);
        var logTeacher = F.log_softmax(teacherLogits / temperature, 1);
        var perSample = (logTeacher.exp() * (logTeacher - logStudent)).sum(1);
        return perSample.mean() * (temperature * temperature);
    }

    /// <summary>Mean squared error between logits, <c>mean_{n,k} (z_s - z_t)^2</c>.</summary>
    public static Tensor LogitMse(Tensor studentLogits, Tensor teacherLogits) => F.mse_loss(studentLogits, teacherLogits);
}
