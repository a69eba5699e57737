using System;
using System.Linq;
using KdDsl.Calibration;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Calibration;

/// <summary>
/// Temperature scaling against independent references: synthetic data with a known temperature, the NLL evaluated in plain
/// float64 C#, a dense grid search, and degenerate inputs where the optimum leaves (0, ∞).
/// </summary>
public sealed class TemperatureScalingTests
{
    /// <summary>mean_n -log softmax(z_n / T)_{y_n}, straight from the definition (log-sum-exp with the row maximum).</summary>
    private static double ReferenceNll(float[] logits, long[] labels, int classes, double temperature)
    {
        double total = 0;
        var scaled = new double[classes];
        for (int n = 0; n < labels.Length; n++)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < classes; k++) max = Math.Max(max, scaled[k] = logits[n * classes + k] / temperature);
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.Exp(scaled[k] - max);
            total += max + Math.Log(sum) - scaled[labels[n]];
        }
        return total / labels.Length;
    }

    [Theory]
    [InlineData(2.5)] // over-confident logits: the fit must soften them
    [InlineData(0.6)] // under-confident logits: the fit must sharpen them
    public void Fit_recovers_the_temperature_of_synthetic_logits_within_two_percent(double trueTemperature)
    {
        const int count = 20_000, classes = 10;
        var (values, labelValues) = SyntheticLogits.Generate(count, classes, scale: 2.0, trueTemperature, seed: 1234);
        using var logits = tensor(values, new long[] { count, classes });
        using var labels = tensor(labelValues);

        var fit = TemperatureScaling.FitDetailed(logits, labels);

        Assert.Equal(TemperatureFitOutcome.Converged, fit.Outcome);
        Assert.InRange(fit.Temperature, trueTemperature * 0.98, trueTemperature * 1.02);
        Assert.True(fit.NllAfter < fit.NllBefore, $"NLL {fit.NllBefore} -> {fit.NllAfter}");
        Assert.InRange(fit.Iterations, 1, 30);
    }

    [Fact]
    public void Fit_is_the_minimum_of_the_reference_nll_on_a_dense_grid()
    {
        const int count = 300, classes = 5;
        var (values, labelValues) = SyntheticLogits.Generate(count, classes, scale: 1.5, trueTemperature: 1.7, seed: 7);
        using var logits = tensor(values, new long[] { count, classes });
        using var labels = tensor(labelValues);

        var fit = TemperatureScaling.FitDetailed(logits, labels);
        double atFit = ReferenceNll(values, labelValues, classes, fit.Temperature);

        Assert.Equal(atFit, fit.NllAfter, 10);
        Assert.Equal(ReferenceNll(values, labelValues, classes, 1.0), fit.NllBefore, 10);
        // No point of a log grid over [0.1, 10] (step 1 %) beats T*.
        for (double t = 0.1; t <= 10; t *= 1.01)
            Assert.True(ReferenceNll(values, labelValues, classes, t) >= atFit - 1e-12, $"NLL({t}) < NLL(T* = {fit.Temperature})");
        // Stationarity: both sides of T* by 1e-4 are higher.
        Assert.True(ReferenceNll(values, labelValues, classes, fit.Temperature * (1 + 1e-4)) > atFit);
        Assert.True(ReferenceNll(values, labelValues, classes, fit.Temperature * (1 - 1e-4)) > atFit);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.25)]
    [InlineData(3.0)]
    [InlineData(100.0)]
    public void Negative_log_likelihood_matches_a_float64_plain_csharp_computation(double temperature)
    {
        const int count = 64, classes = 7;
        var random = new Random(99);
        var values = Enumerable.Range(0, count * classes).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        var labelValues = Enumerable.Range(0, count).Select(_ => (long)random.Next(classes)).ToArray();
        using var logits = tensor(values, new long[] { count, classes });
        using var labels = tensor(labelValues);

        double expected = ReferenceNll(values, labelValues, classes, temperature);

        Assert.Equal(expected, TemperatureScaling.NegativeLogLikelihood(logits, labels, temperature), 12);
    }

    [Fact]
    public void Negative_log_likelihood_is_stable_for_huge_logits()
    {
        // Row 0: label has the top logit by 1e4 -> NLL 0. Row 1: label 1e4 below the top -> NLL 1e4 (log-sum-exp, no overflow).
        using var logits = tensor(new float[] { 1e4f, 0f, 1e4f, 0f }, new long[] { 2, 2 });
        using var labels = tensor(new long[] { 0, 1 });

        Assert.Equal(5000.0, TemperatureScaling.NegativeLogLikelihood(logits, labels, 1.0), 9);
    }

    [Fact]
    public void Fit_accepts_float64_logits_and_int32_labels()
    {
        const int count = 2_000, classes = 4;
        var (values, labelValues) = SyntheticLogits.Generate(count, classes, scale: 2.0, trueTemperature: 2.0, seed: 5);
        using var logits = tensor(values.Select(v => (double)v).ToArray(), new long[] { count, classes });
        using var labels = tensor(labelValues.Select(v => (int)v).ToArray());

        double temperature = TemperatureScaling.Fit(logits, labels);

        Assert.InRange(temperature, 1.8, 2.2);
        Assert.Equal(temperature, TemperatureScaling.FitDetailed(logits, labels).Temperature);
    }

    [Fact]
    public void Views_and_non_contiguous_tensors_are_read_like_their_copies()
    {
        using var big = tensor(Enumerable.Range(0, 60).Select(i => Math.Sin(i * 0.7) * 3).ToArray(), new long[] { 15, 4 });
        using var rows = big.narrow(0, 5, 10);                 // a view with a storage offset
        using var transposed = big.narrow(0, 0, 10).t().t();   // same values as rows 0..9, via views
        using var columnMajor = big.narrow(0, 0, 10).t().contiguous().t(); // non-contiguous strides
        using var labels = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1 });
        using var rowsCopy = rows.clone();
        using var firstRows = big.narrow(0, 0, 10).clone();

        Assert.Equal(TemperatureScaling.NegativeLogLikelihood(rowsCopy, labels, 1.3), TemperatureScaling.NegativeLogLikelihood(rows, labels, 1.3));
        Assert.Equal(TemperatureScaling.NegativeLogLikelihood(firstRows, labels, 1.3), TemperatureScaling.NegativeLogLikelihood(transposed, labels, 1.3));
        Assert.Equal(TemperatureScaling.NegativeLogLikelihood(firstRows, labels, 1.3), TemperatureScaling.NegativeLogLikelihood(columnMajor, labels, 1.3));
        Assert.Equal(TemperatureScaling.Fit(firstRows, labels), TemperatureScaling.Fit(columnMajor, labels));
    }

    [Fact]
    public void All_correct_with_huge_margins_clamps_to_the_minimum_temperature()
    {
        // Every label holds the top logit by 1000: the NLL keeps falling as T -> 0, so the fit stops at the bracket's end.
        const int count = 50, classes = 3;
        var values = new float[count * classes];
        var labelValues = new long[count];
        for (int n = 0; n < count; n++)
        {
            labelValues[n] = n % classes;
            values[n * classes + n % classes] = 1000f;
        }
        using var logits = tensor(values, new long[] { count, classes });
        using var labels = tensor(labelValues);

        var fit = TemperatureScaling.FitDetailed(logits, labels);

        Assert.Equal(TemperatureFitOutcome.ClampedToMinimum, fit.Outcome);
        Assert.Equal(TemperatureScaling.MinTemperature, fit.Temperature);
        Assert.True(double.IsFinite(fit.NllAfter) && fit.NllAfter <= fit.NllBefore);
    }

    [Fact]
    public void All_wrong_with_the_label_at_the_lowest_logit_clamps_to_the_maximum_temperature()
    {
        // Label always on the smallest logit: the NLL falls all the way to log K as T -> infinity.
        using var logits = tensor(new float[] { 5f, 1f, 0f, 0f, 4f, -3f, 9f, 8f, 2f }, new long[] { 3, 3 });
        using var labels = tensor(new long[] { 2, 2, 2 });

        var fit = TemperatureScaling.FitDetailed(logits, labels);

        Assert.Equal(TemperatureFitOutcome.ClampedToMaximum, fit.Outcome);
        Assert.Equal(TemperatureScaling.MaxTemperature, fit.Temperature);
        Assert.Equal(Math.Log(3), fit.NllAfter, 2);
    }

    [Fact]
    public void All_wrong_but_close_converges_to_a_finite_interior_temperature()
    {
        // Every prediction wrong, the label always second by a margin of 1, over 4 classes: the optimum is interior.
        using var logits = tensor(new float[] { 1f, 0f, -3f, -3f, -3f, 2f, 1f, -2f }, new long[] { 2, 4 });
        using var labels = tensor(new long[] { 1, 2 });

        var fit = TemperatureScaling.FitDetailed(logits, labels);

        Assert.Equal(TemperatureFitOutcome.Converged, fit.Outcome);
        Assert.True(double.IsFinite(fit.Temperature));
        Assert.InRange(fit.Temperature, TemperatureScaling.MinTemperature * 1.01, TemperatureScaling.MaxTemperature * 0.99);
        Assert.True(fit.NllAfter < fit.NllBefore);
    }

    [Fact]
    public void Constant_logits_and_a_single_class_are_flat_and_give_one()
    {
        using var constant = full(new long[] { 6, 4 }, 3.5f);
        using var labels = tensor(new long[] { 0, 1, 2, 3, 0, 1 });
        var flat = TemperatureScaling.FitDetailed(constant, labels);
        Assert.Equal(TemperatureFitOutcome.Flat, flat.Outcome);
        Assert.Equal(1.0, flat.Temperature);
        Assert.Equal(Math.Log(4), flat.NllAfter, 12);

        using var single = tensor(new float[] { 1f, -2f, 7f }, new long[] { 3, 1 });
        using var onlyClass = tensor(new long[] { 0, 0, 0 });
        Assert.Equal(1.0, TemperatureScaling.Fit(single, onlyClass));
    }

    [Fact]
    public void Fit_never_returns_a_non_finite_temperature_on_random_small_problems()
    {
        var random = new Random(2021);
        for (int trial = 0; trial < 200; trial++)
        {
            int count = random.Next(1, 6), classes = random.Next(1, 5);
            double magnitude = Math.Pow(10, random.Next(-3, 5));
            var values = Enumerable.Range(0, count * classes).Select(_ => (float)((random.NextDouble() * 2 - 1) * magnitude)).ToArray();
            var labelValues = Enumerable.Range(0, count).Select(_ => (long)random.Next(classes)).ToArray();
            using var logits = tensor(values, new long[] { count, classes });
            using var labels = tensor(labelValues);

            var fit = TemperatureScaling.FitDetailed(logits, labels);

            Assert.True(double.IsFinite(fit.Temperature) && double.IsFinite(fit.NllAfter), $"trial {trial}: {fit}");
            Assert.InRange(fit.Temperature, TemperatureScaling.MinTemperature, TemperatureScaling.MaxTemperature);
            Assert.NotEqual(TemperatureFitOutcome.IterationLimit, fit.Outcome);
            Assert.True(fit.NllAfter <= fit.NllBefore + 1e-9 * Math.Max(1, fit.NllBefore), $"trial {trial}: {fit}");
        }
    }

    [Fact]
    public void Invalid_inputs_are_rejected_with_argument_exceptions()
    {
        using var empty = zeros(0, 3);
        using var noLabels = zeros(0, ScalarType.Int64);
        Assert.Contains("empty", Assert.ThrowsAny<ArgumentException>(() => TemperatureScaling.Fit(empty, noLabels)).Message);

        using var logits = tensor(new float[] { 1f, 2f, 3f, 4f }, new long[] { 2, 2 });
        using var labels = tensor(new long[] { 0, 1 });
        using var oneDim = tensor(new float[] { 1f, 2f });
        using var shortLabels = tensor(new long[] { 0 });
        using var outOfRange = tensor(new long[] { 0, 2 });
        using var negative = tensor(new long[] { -1, 0 });
        using var floatLabels = tensor(new float[] { 0f, 1f });
        using var withNaN = tensor(new float[] { 1f, float.NaN, 3f, 4f }, new long[] { 2, 2 });
        using var intLogits = tensor(new long[] { 1, 2, 3, 4 }, new long[] { 2, 2 });

        Assert.ThrowsAny<ArgumentException>(() => TemperatureScaling.Fit(oneDim, labels));
        Assert.ThrowsAny<ArgumentException>(() => TemperatureScaling.Fit(logits, shortLabels));
        Assert.ThrowsAny<ArgumentException>(() => TemperatureScaling.Fit(logits, outOfRange));
        Assert.ThrowsAny<ArgumentException>(() => TemperatureScaling.Fit(logits, negative));
        Assert.ThrowsAny<ArgumentException>(() => TemperatureScaling.Fit(logits, floatLabels));
        Assert.ThrowsAny<ArgumentException>(() => TemperatureScaling.Fit(withNaN, labels));
        Assert.ThrowsAny<ArgumentException>(() => TemperatureScaling.Fit(intLogits, labels));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureScaling.NegativeLogLikelihood(logits, labels, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureScaling.NegativeLogLikelihood(logits, labels, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureScaling.NegativeLogLikelihood(logits, labels, double.PositiveInfinity));
    }
}
