using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// Computes one step's declared loss terms, in declaration order, into <paramref name="terms"/>. The generator writes this as
/// straight-line code over <see cref="StepBatch"/>: no dispatch on loss kinds at run time.
/// </summary>
public delegate void StepTermsFunction(StepBatch batch, Tensor[] terms);

/// <summary>
/// The declared loss terms of a distillation phase: their names, their weights in the total (0: logged, not optimised) and the
/// generated function that computes them.
/// </summary>
public sealed class LossTerms
{
    /// <summary>Terms named <paramref name="names"/> with <paramref name="weights"/>, computed by <paramref name="compute"/>.</summary>
    public LossTerms(IReadOnlyList<string> names, IReadOnlyList<double> weights, StepTermsFunction compute)
    {
        if (names.Count != weights.Count)
            throw new ArgumentException($"{names.Count} term names but {weights.Count} weights.", nameof(weights));
        Names = names;
        Weights = weights;
        Compute = compute;
    }

    /// <summary>The terms' names, in declaration order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Each term's weight in the optimised total.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>Computes the terms of one step.</summary>
    public StepTermsFunction Compute { get; }

    /// <summary>
    /// The weighted total as a tensor to back-propagate. A weight of 1 adds the term as it is and a weight of 0 leaves it out,
    /// so the total is the same expression, evaluated in the same order, as the one written out term by term.
    /// </summary>
    public Tensor Total(Tensor[] terms)
    {
        Tensor? total = null;
        for (int i = 0; i < terms.Length; i++)
        {
            double weight = Weights[i];
            if (weight == 0) continue;
            var weighted = weight == 1 ? terms[i] : weight * terms[i];
            total = total is null ? weighted : total + weighted;
        }
        return total ?? throw new InvalidOperationException("Every loss term has weight 0: nothing to optimise.");
    }

    /// <summary>The weighted total of the terms' values (the same sum as <see cref="Total"/>, in float64).</summary>
    public double TotalValue(double[] values)
    {
        double total = 0;
        bool any = false;
        for (int i = 0; i < values.Length; i++)
        {
            double weight = Weights[i];
            if (weight == 0) continue;
            double weighted = weight == 1 ? values[i] : weight * values[i];
            total = any ? total + weighted : weighted;
            any = true;
        }
        return total;
    }
}
