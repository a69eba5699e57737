using System;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Losses;

/// <summary>
/// Tang et al.'s gradient view of KD (arXiv 2002.03532): for the loss <c>(1-l)*H(y, p_s) + l*H(p_t, p_s)</c> at temperature 1, the
/// gradient with respect to the true-class logit is the cross-entropy gradient <c>p_s,c - 1</c> rescaled by
/// <c>w = (1-l) + l*(p_t,c - p_s,c)/(1 - p_s,c)</c>: the teacher's confidence reweights each example.
/// </summary>
public static class GradientRescaling
{
    /// <summary>
    /// The true-class gradient scale <c>w = (1-l) + l*(p_t,c - p_s,c)/(1 - p_s,c)</c> for one example.
    /// </summary>
    /// <param name="lambda">l, the weight of the KD term (usually in [0, 1]; any finite value is accepted).</param>
    /// <param name="teacherTrueClassProbability">p_t,c in [0, 1].</param>
    /// <param name="studentTrueClassProbability">p_s,c in [0, 1): at 1 the cross-entropy gradient is 0 and w is undefined.</param>
    /// <exception cref="ArgumentOutOfRangeException">A probability outside its range, or a non-finite lambda.</exception>
    public static double TrueClassWeight(double lambda, double teacherTrueClassProbability, double studentTrueClassProbability)
    {
        if (!double.IsFinite(lambda))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be finite.");
        if (!(teacherTrueClassProbability >= 0 && teacherTrueClassProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(teacherTrueClassProbability), teacherTrueClassProbability,
                "The teacher's true-class probability must lie in [0, 1].");
        if (!(studentTrueClassProbability >= 0 && studentTrueClassProbability < 1))
            throw new ArgumentOutOfRangeException(nameof(studentTrueClassProbability), studentTrueClassProbability,
                "The student's true-class probability must lie in [0, 1): at 1 the weight is undefined.");
        return (1 - lambda) + lambda * (teacherTrueClassProbability - studentTrueClassProbability) / (1 - studentTrueClassProbability);
    }

    /// <summary>
    /// The true-class gradient scale for every example of a batch, [N], in the probabilities' dtype, without gradient. A row whose
    /// student true-class probability is exactly 1 gives an infinite or NaN weight (the scale is undefined there).
    /// </summary>
    /// <param name="lambda">l, the weight of the KD term.</param>
    /// <param name="teacherProbabilities">p_t, [N, K].</param>
    /// <param name="studentProbabilities">p_s, [N, K].</param>
    /// <param name="labels">True classes, int64 [N].</param>
    /// <exception cref="ArgumentOutOfRangeException">A non-finite lambda.</exception>
    /// <exception cref="ArgumentException">Probabilities that are not 2-D or whose shapes differ, or labels that are not int64 [N].</exception>
    public static Tensor TrueClassWeight(double lambda, Tensor teacherProbabilities, Tensor studentProbabilities, Tensor labels)
    {
        if (!double.IsFinite(lambda))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be finite.");
        ArgumentNullException.ThrowIfNull(teacherProbabilities);
        ArgumentNullException.ThrowIfNull(studentProbabilities);
        if (teacherProbabilities.dim() != 2 || !teacherProbabilities.shape.AsSpan().SequenceEqual(studentProbabilities.shape))
            throw new ArgumentException(
                $"Expected two [samples, classes] tensors of the same shape, got [{string.Join(", ", teacherProbabilities.shape)}] and " +
                $"[{string.Join(", ", studentProbabilities.shape)}].", nameof(studentProbabilities));
        TeacherDistributions.CheckLabels(labels, teacherProbabilities.shape[0], nameof(labels));

        using var noGrad = torch.no_grad();
        using var index = labels.unsqueeze(1);
        using var teacherTrue = teacherProbabilities.detach().gather(1, index).squeeze(1);
        using var studentTrue = studentProbabilities.detach().gather(1, index).squeeze(1);
        using var ratio = (teacherTrue - studentTrue) / (1.0 - studentTrue);
        return ratio * lambda + (1 - lambda);
    }
}
