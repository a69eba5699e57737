using System;
using static TorchSharp.torch;

namespace KdDsl.Calibration;

/// <summary>
/// Temperature scaling (Guo et al., 2017), the post-hoc calibration used on distillation teachers (Yang &amp; Song, 2021): a
/// single scalar T &gt; 0 that minimises the validation negative log-likelihood
/// <c>NLL(T) = mean_n -log softmax(z_n / T)_{y_n}</c>. Dividing logits by T does not change the arg-max, so accuracy is untouched.
/// </summary>
/// <remarks>
/// <para>
/// The fit is done on the CPU in float64 on a copy of the logits, in the inverse temperature β = 1/T. As a function of β the
/// NLL, <c>mean_n [logsumexp_k(β z_nk) - β z_{n,y_n}]</c>, is convex (a log-sum-exp of linear functions minus a linear one):
/// its derivative <c>g(β) = mean_n (E_p[z_n] - z_{n,y_n})</c> is non-decreasing and its second derivative is the mean
/// variance of the logits under <c>p = softmax(β z_n)</c>. The minimiser is the root of g, found by a safeguarded Newton
/// iteration that keeps a sign-change bracket inside <c>β ∈ [1/MaxTemperature, 1/MinTemperature]</c> and falls back to
/// geometric bisection whenever a Newton step leaves the bracket or does not shrink fast enough. It therefore always
/// terminates with a finite temperature.
/// </para>
/// <para>
/// The optimum does not always exist in (0, ∞): when every sample is classified correctly (the NLL keeps falling as T → 0)
/// or when the labels disagree with the logits badly enough (the NLL keeps falling as T → ∞) the result is clamped to the
/// bracket, <see cref="MinTemperature"/> or <see cref="MaxTemperature"/>, and <see cref="TemperatureFit.Outcome"/> says so.
/// </para>
/// </remarks>
public static class TemperatureScaling
{
    /// <summary>The smallest temperature <see cref="Fit"/> returns (β = 1/T ≤ 1000).</summary>
    public const double MinTemperature = 1e-3;

    /// <summary>The largest temperature <see cref="Fit"/> returns (β = 1/T ≥ 0.001).</summary>
    public const double MaxTemperature = 1e3;

    /// <summary>Relative tolerance on β = 1/T (and so on T) at which the iteration stops.</summary>
    public const double RelativeTolerance = 1e-10;

    /// <summary>Upper bound on the Newton/bisection steps (geometric bisection alone needs about 40 over the full bracket).</summary>
    public const int MaxIterations = 200;

    /// <summary>
    /// Fits the temperature T* minimising the mean NLL of <paramref name="labels"/> under <c>softmax(logits / T)</c>.
    /// See <see cref="FitDetailed"/>.
    /// </summary>
    /// <param name="logits">Uncalibrated logits, <c>[N, K]</c>, any floating dtype and device (copied to the CPU in float64).</param>
    /// <param name="labels">True classes, <c>[N]</c>, integral, each in <c>[0, K)</c>.</param>
    /// <returns>T*, finite and within <c>[MinTemperature, MaxTemperature]</c>.</returns>
    /// <exception cref="ArgumentException">Empty input, wrong shapes or dtypes, non-finite logits, or labels out of range.</exception>
    public static double Fit(Tensor logits, Tensor labels) => FitDetailed(logits, labels).Temperature;

    /// <summary>
    /// Fits the temperature T* minimising the mean NLL of <paramref name="labels"/> under <c>softmax(logits / T)</c>, and
    /// reports the NLL before (T = 1) and after, the number of steps and how the fit ended (converged, clamped or flat).
    /// </summary>
    /// <param name="logits">Uncalibrated logits, <c>[N, K]</c>, any floating dtype and device (copied to the CPU in float64).</param>
    /// <param name="labels">True classes, <c>[N]</c>, integral, each in <c>[0, K)</c>.</param>
    /// <exception cref="ArgumentException">Empty input, wrong shapes or dtypes, non-finite logits, or labels out of range.</exception>
    public static TemperatureFit FitDetailed(Tensor logits, Tensor labels)
    {
        var data = CalibrationInputs.Read(logits, labels, nameof(logits), nameof(labels));
        return FitCore(data);
    }

    /// <summary>
    /// Mean negative log-likelihood <c>mean_n -log softmax(z_n / T)_{y_n}</c>, in nats, computed stably (log-sum-exp) in
    /// float64 on the CPU.
    /// </summary>
    /// <param name="logits">Logits, <c>[N, K]</c>, any floating dtype and device.</param>
    /// <param name="labels">True classes, <c>[N]</c>, integral, each in <c>[0, K)</c>.</param>
    /// <param name="temperature">T, finite and &gt; 0.</param>
    /// <exception cref="ArgumentException">Invalid inputs (see <see cref="Fit"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a finite positive number.</exception>
    public static double NegativeLogLikelihood(Tensor logits, Tensor labels, double temperature)
    {
        CheckTemperature(temperature, nameof(temperature));
        var data = CalibrationInputs.Read(logits, labels, nameof(logits), nameof(labels));
        return Evaluate(data, 1.0 / temperature, derivatives: false).Nll;
    }

    internal static void CheckTemperature(double temperature, string paramName)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(paramName, temperature, "The temperature must be a finite number > 0.");
    }

    internal static TemperatureFit FitCore(CalibrationInputs data)
    {
        double nllBefore = Evaluate(data, 1.0, derivatives: false).Nll;
        double betaLo = 1.0 / MaxTemperature, betaHi = 1.0 / MinTemperature;
        var lo = Evaluate(data, betaLo, derivatives: true);
        var hi = Evaluate(data, betaHi, derivatives: true);

        // g is non-decreasing, so g(lo) >= 0 >= g(hi) (up to rounding) means g == 0 on the whole bracket: the NLL is constant.
        double flatTolerance = 1e-12 * (MeanSpread(data) + 1e-300);
        if (lo.Gradient >= -flatTolerance && hi.Gradient <= flatTolerance)
            return new TemperatureFit(1.0, nllBefore, nllBefore, 0, TemperatureFitOutcome.Flat);
        if (hi.Gradient <= 0)
            return new TemperatureFit(MinTemperature, nllBefore, hi.Nll, 0, TemperatureFitOutcome.ClampedToMinimum);
        if (lo.Gradient >= 0)
            return new TemperatureFit(MaxTemperature, nllBefore, lo.Nll, 0, TemperatureFitOutcome.ClampedToMaximum);

        // Invariant: g(a) < 0 < g(b). Safeguarded Newton on g (rtsafe): a Newton step is taken only if it stays strictly
        // inside the bracket and is less than half the step before last; otherwise the bracket is bisected geometrically.
        double a = betaLo, b = betaHi;
        double beta = 1.0; // T = 1: the uncalibrated logits, usually close to the optimum.
        double step = b - a, previousStep = step;
        for (int iteration = 1; iteration <= MaxIterations; iteration++)
        {
            var point = Evaluate(data, beta, derivatives: true);
            if (point.Gradient == 0)
                return Converged(data, beta, nllBefore, iteration, point.Nll);
            if (point.Gradient < 0) a = beta; else b = beta;

            double newton = point.Curvature > 0 ? beta - point.Gradient / point.Curvature : double.NaN;
            double next;
            if (newton > a && newton < b && Math.Abs(newton - beta) < 0.5 * Math.Abs(previousStep))
                next = newton;
            else
                next = Math.Sqrt(a * b);
            previousStep = step;
            step = next - beta;
            beta = next;

            if (Math.Abs(step) <= RelativeTolerance * beta || b - a <= RelativeTolerance * beta)
                return Converged(data, beta, nllBefore, iteration, null);
        }
        double best = Math.Sqrt(a * b);
        return new TemperatureFit(1.0 / best, nllBefore, Evaluate(data, best, derivatives: false).Nll, MaxIterations,
            TemperatureFitOutcome.IterationLimit);
    }

    private static TemperatureFit Converged(CalibrationInputs data, double beta, double nllBefore, int iterations, double? nll)
    {
        double temperature = Math.Clamp(1.0 / beta, MinTemperature, MaxTemperature);
        double nllAfter = nll ?? Evaluate(data, 1.0 / temperature, derivatives: false).Nll;
        return new TemperatureFit(temperature, nllBefore, nllAfter, iterations, TemperatureFitOutcome.Converged);
    }

    /// <summary>Mean over samples of (max_k z - min_k z), the natural scale of the gradient.</summary>
    private static double MeanSpread(CalibrationInputs data)
    {
        double total = 0;
        int k = data.Columns;
        for (int n = 0; n < data.Rows; n++)
        {
            double max = double.NegativeInfinity, min = double.PositiveInfinity;
            for (int c = 0; c < k; c++)
            {
                double z = data.Values[n * k + c];
                if (z > max) max = z;
                if (z < min) min = z;
            }
            total += max - min;
        }
        return total / data.Rows;
    }

    internal readonly record struct NllPoint(double Nll, double Gradient, double Curvature);

    /// <summary>NLL(β) = mean_n [logsumexp(β z_n) - β z_{n,y}], and optionally its first and second derivatives in β.</summary>
    internal static NllPoint Evaluate(CalibrationInputs data, double beta, bool derivatives)
    {
        int k = data.Columns;
        double[] z = data.Values;
        var weights = new double[k];
        double nll = 0, gradient = 0, curvature = 0;
        for (int n = 0; n < data.Rows; n++)
        {
            int row = n * k;
            double max = z[row];
            for (int c = 1; c < k; c++) max = Math.Max(max, z[row + c]);
            // β > 0, so max_k β z_k = β max_k z_k; every weight exp(β (z_k - max)) is in (0, 1] and the largest is 1.
            double sum = 0, weighted = 0;
            for (int c = 0; c < k; c++)
            {
                double w = Math.Exp(beta * (z[row + c] - max));
                weights[c] = w;
                sum += w;
                weighted += w * z[row + c];
            }
            double zy = z[row + (int)data.Labels[n]];
            nll += beta * (max - zy) + Math.Log(sum);
            if (!derivatives) continue;

            double mean = weighted / sum;
            double variance = 0;
            for (int c = 0; c < k; c++)
            {
                double d = z[row + c] - mean;
                variance += weights[c] * d * d;
            }
            gradient += mean - zy;
            curvature += variance / sum;
        }
        return new NllPoint(nll / data.Rows, gradient / data.Rows, curvature / data.Rows);
    }
}
