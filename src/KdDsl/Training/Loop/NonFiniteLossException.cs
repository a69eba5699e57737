using System;

namespace KdDsl.Training;

/// <summary>A loss term became NaN or infinite. Raised before the optimizer step, so the model still holds its last finite weights.</summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NonFiniteLossException(TrainingPhase phase, string term, int epoch, int step, double value)
        : base($"{phase}: loss term '{term}' is {value} at epoch {epoch}, step {step}. The step was not applied. " +
               "Lower the learning rate, check the inputs for NaN/Inf, or check the term's temperature.")
    {
        Phase = phase;
        Term = term;
        Epoch = epoch;
        Step = step;
        Value = value;
    }

    /// <summary>The training phase.</summary>
    public TrainingPhase Phase { get; }

    /// <summary>The loss term that was not finite.</summary>
    public string Term { get; }

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>1-based step within the epoch.</summary>
    public int Step { get; }

    /// <summary>The offending value.</summary>
    public double Value { get; }
}
