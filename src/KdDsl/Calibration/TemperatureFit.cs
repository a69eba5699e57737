namespace KdDsl.Calibration;

/// <summary>How <see cref="TemperatureScaling.FitDetailed"/> ended.</summary>
public enum TemperatureFitOutcome
{
    /// <summary>The optimum lies inside <c>[MinTemperature, MaxTemperature]</c> and was located to the relative tolerance.</summary>
    Converged,

    /// <summary>
    /// The NLL still decreases at <see cref="TemperatureScaling.MinTemperature"/> (typically: every prediction correct with a
    /// large margin, so the true optimum is T → 0): the temperature was clamped to <see cref="TemperatureScaling.MinTemperature"/>.
    /// </summary>
    ClampedToMinimum,

    /// <summary>
    /// The NLL still decreases at <see cref="TemperatureScaling.MaxTemperature"/> (typically: the labels are anti-correlated
    /// with the logits, so the true optimum is T → ∞, the uniform prediction): the temperature was clamped to
    /// <see cref="TemperatureScaling.MaxTemperature"/>.
    /// </summary>
    ClampedToMaximum,

    /// <summary>The NLL does not depend on the temperature (every row of logits constant, or K = 1): T = 1 is returned.</summary>
    Flat,

    /// <summary>
    /// The iteration limit was reached before the relative tolerance (not expected: the safeguarded Newton iteration halves
    /// the bracket at worst every other step). The best estimate, always finite and inside the bracket, is returned.
    /// </summary>
    IterationLimit,
}

/// <summary>The result of fitting a temperature by <see cref="TemperatureScaling.FitDetailed"/>.</summary>
/// <param name="Temperature">The fitted temperature T* (finite, within <c>[MinTemperature, MaxTemperature]</c>); calibrated probabilities are <c>softmax(z / T*)</c>.</param>
/// <param name="NllBefore">Mean negative log-likelihood of the labels at T = 1 (the uncalibrated logits), in nats.</param>
/// <param name="NllAfter">Mean negative log-likelihood at T*, in nats; never above <see cref="NllBefore"/> beyond rounding.</param>
/// <param name="Iterations">Newton/bisection steps taken after bracketing (0 when clamped or flat).</param>
/// <param name="Outcome">How the fit ended.</param>
public sealed record TemperatureFit(double Temperature, double NllBefore, double NllAfter, int Iterations, TemperatureFitOutcome Outcome);
