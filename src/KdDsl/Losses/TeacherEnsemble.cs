using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Losses;

/// <summary>
/// Several teachers as one (<c>[Teacher(..., Name = ...)]</c> repeated): the weighted mean of the teachers' temperature-softened
/// distributions, <c>p_ens = sum_i w_i softmax(z_i / T) / sum_i w_i</c>, returned as logits <c>T * log p_ens</c>, so that
/// <c>softmax(result / T)</c> is exactly <c>p_ens</c> and every loss that reads teacher logits at temperature T reads the ensemble
/// unchanged. Computed as a log-sum-exp of <c>log w_i + log_softmax(z_i / T)</c>: no exponent of a large logit overflows.
/// </summary>
public static class TeacherEnsemble
{
    /// <summary>The ensemble's logits at temperature <paramref name="temperature"/>, [N, K], in the teachers' dtype; no gradient.</summary>
    /// <param name="teacherLogits">Each teacher's logits z_i, [N, K], same shape, dtype and device; at least one.</param>
    /// <param name="weights">w_i, one per teacher, finite and &gt;= 0, with a positive sum (a weight of 0 leaves the teacher out).</param>
    /// <param name="temperature">T &gt; 0, the temperature the reading term softens the teacher with.</param>
    /// <exception cref="ArgumentException">No teachers, shapes that differ, or weights that do not fit.</exception>
    public static Tensor Logits(IReadOnlyList<Tensor> teacherLogits, IReadOnlyList<double> weights, double temperature)
    {
        ArgumentNullException.ThrowIfNull(teacherLogits);
        ArgumentNullException.ThrowIfNull(weights);
        if (teacherLogits.Count == 0) throw new ArgumentException("An ensemble needs at least one teacher.", nameof(teacherLogits));
        if (weights.Count != teacherLogits.Count)
            throw new ArgumentException($"{weights.Count} weights for {teacherLogits.Count} teachers; give one weight per teacher.", nameof(weights));
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be finite and > 0.");
        double sum = 0;
        foreach (double weight in weights)
        {
            if (!(weight >= 0) || double.IsInfinity(weight))
                throw new ArgumentException($"An ensemble weight is {weight}; each must be finite and >= 0.", nameof(weights));
            sum += weight;
        }
        if (!(sum > 0)) throw new ArgumentException("The ensemble weights sum to 0; at least one must be > 0.", nameof(weights));
        var shape = teacherLogits[0].shape;
        for (int i = 1; i < teacherLogits.Count; i++)
        {
            if (!teacherLogits[i].shape.AsSpan().SequenceEqual(shape))
                throw new ArgumentException(
                    $"Teacher {i}'s logits are [{string.Join(", ", teacherLogits[i].shape)}], teacher 0's [{string.Join(", ", shape)}]; every teacher must give one logit per class.",
                    nameof(teacherLogits));
        }

        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var terms = new List<Tensor>(teacherLogits.Count);
        for (int i = 0; i < teacherLogits.Count; i++)
        {
            if (weights[i] == 0) continue; // log 0: the teacher contributes nothing
            var logProbabilities = nn.functional.log_softmax(teacherLogits[i].detach() / temperature, 1);
            terms.Add(logProbabilities + Math.Log(weights[i] / sum));
        }
        var stacked = torch.stack(terms, 0);
        var ensemble = torch.logsumexp(stacked, 0) * temperature;
        return ensemble.MoveToOuterDisposeScope();
    }
}
