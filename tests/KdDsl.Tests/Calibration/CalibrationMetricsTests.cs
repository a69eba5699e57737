using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Calibration;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Calibration;

/// <summary>ECE, MCE and the per-bin statistics against hand-built sets whose calibration is known exactly.</summary>
public sealed class CalibrationMetricsTests
{
    /// <summary>Appends <paramref name="count"/> two-class rows [c, 1 − c], the first <paramref name="correct"/> labelled 0 (right), the rest 1 (wrong).</summary>
    private static void AddGroup(List<double> probabilities, List<long> labels, int count, double confidence, int correct)
    {
        for (int i = 0; i < count; i++)
        {
            probabilities.Add(confidence);
            probabilities.Add(1 - confidence);
            labels.Add(i < correct ? 0 : 1);
        }
    }

    private static CalibrationReport Compute(List<double> probabilities, List<long> labels, int classes, int binCount)
    {
        using var p = tensor(probabilities.ToArray(), new long[] { labels.Count, classes });
        using var y = tensor(labels.ToArray());
        return CalibrationMetrics.Compute(p, y, binCount);
    }

    [Fact]
    public void Perfectly_calibrated_groups_have_zero_ece_and_mce()
    {
        // In every bin the accuracy equals the confidence exactly: 80 % right at 0.8, 55 % right at 0.55, all right at 1.0.
        var p = new List<double>();
        var y = new List<long>();
        AddGroup(p, y, count: 50, confidence: 0.8, correct: 40);
        AddGroup(p, y, count: 20, confidence: 0.55, correct: 11);
        AddGroup(p, y, count: 7, confidence: 1.0, correct: 7);

        var report = Compute(p, y, classes: 2, binCount: 15);

        Assert.Equal(0, report.ExpectedCalibrationError, 12);
        Assert.Equal(0, report.MaximumCalibrationError, 12);
        Assert.Equal(0, report.OverconfidentCalibrationError, 12);
        Assert.Equal(0, report.Overconfidence, 12);
        Assert.Equal(77, report.SampleCount);
        Assert.Equal(3, report.Bins.Count(b => !b.IsEmpty));
        Assert.Equal(77, report.Bins.Sum(b => b.Count));
    }

    [Fact]
    public void Perfect_calibration_with_four_classes_and_float32_input()
    {
        // Confidence 0.625 (exact in float32), 5 of 8 right; the wrong ones are spread over the other classes.
        var rows = new List<float>();
        var labels = new List<long>();
        for (int i = 0; i < 8; i++)
        {
            rows.AddRange(new[] { 0.625f, 0.125f, 0.125f, 0.125f });
            labels.Add(i < 5 ? 0 : 1 + i % 3);
        }
        using var p = tensor(rows.ToArray(), new long[] { 8, 4 });
        using var y = tensor(labels.ToArray());

        var report = CalibrationMetrics.Compute(p, y);

        Assert.Equal(0, report.ExpectedCalibrationError, 12);
        Assert.Equal(0.625, report.Accuracy, 12);
        Assert.Equal(0.625, report.AverageConfidence, 12);
    }

    [Fact]
    public void Over_confident_set_has_the_hand_computed_ece()
    {
        // M = 10 bins, N = 12 two-class samples:
        //   bin 9 (0.9, 1.0]: 4 at conf 0.95, 2 right -> acc 0.50, |gap| 0.45, over-confident
        //   bin 7 (0.7, 0.8]: 4 at conf 0.75, 3 right -> acc 0.75, |gap| 0
        //   bin 6 (0.6, 0.7]: 2 at conf 0.62, 0 right -> acc 0.00, |gap| 0.62, over-confident
        //   bin 5 (0.5, 0.6]: 2 at conf 0.55, 2 right -> acc 1.00, |gap| 0.45, under-confident
        // ECE  = (4·0.45 + 4·0 + 2·0.62 + 2·0.45) / 12 = (1.8 + 1.24 + 0.9) / 12 = 3.94 / 12
        // over-confident part = (1.8 + 1.24) / 12 = 3.04 / 12; MCE = 0.62
        // accuracy = (2 + 3 + 0 + 2) / 12 = 7 / 12; average confidence = (3.8 + 3.0 + 1.24 + 1.1) / 12 = 9.14 / 12
        // NLL = [2·-ln 0.95 + 2·-ln 0.05 + 3·-ln 0.75 + 1·-ln 0.25 + 2·-ln 0.38 + 2·-ln 0.55] / 12
        var p = new List<double>();
        var y = new List<long>();
        AddGroup(p, y, 4, 0.95, 2);
        AddGroup(p, y, 4, 0.75, 3);
        AddGroup(p, y, 2, 0.62, 0);
        AddGroup(p, y, 2, 0.55, 2);

        var report = Compute(p, y, classes: 2, binCount: 10);

        Assert.Equal(3.94 / 12, report.ExpectedCalibrationError, 12);
        Assert.Equal(3.04 / 12, report.OverconfidentCalibrationError, 12);
        Assert.Equal(0.9 / 12, report.UnderconfidentCalibrationError, 12);
        Assert.Equal(0.62, report.MaximumCalibrationError, 12);
        Assert.Equal(7.0 / 12, report.Accuracy, 12);
        Assert.Equal(9.14 / 12, report.AverageConfidence, 12);
        Assert.Equal(9.14 / 12 - 7.0 / 12, report.Overconfidence, 12);
        double nll = (-2 * Math.Log(0.95) - 2 * Math.Log(0.05) - 3 * Math.Log(0.75) - Math.Log(0.25) - 2 * Math.Log(0.38) - 2 * Math.Log(0.55)) / 12;
        Assert.Equal(nll, report.NegativeLogLikelihood, 12);

        Assert.Equal(10, report.BinCount);
        var bin9 = report.Bins[9];
        Assert.Equal((0.9, 1.0, 4, 0.5), (bin9.Lower, bin9.Upper, bin9.Count, bin9.Accuracy));
        Assert.Equal(0.95, bin9.Confidence, 12);
        Assert.Equal(-0.45, bin9.Gap, 12);
        Assert.Equal((4, 0.75), (report.Bins[7].Count, report.Bins[7].Accuracy));
        Assert.Equal((2, 0.0), (report.Bins[6].Count, report.Bins[6].Accuracy));
        Assert.Equal((2, 1.0), (report.Bins[5].Count, report.Bins[5].Accuracy));
        Assert.All(new[] { 0, 1, 2, 3, 4, 8 }, m => Assert.True(report.Bins[m].IsEmpty && double.IsNaN(report.Bins[m].Accuracy)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(15)]
    [InlineData(20)]
    public void Bin_edges_are_closed_on_the_right(int binCount)
    {
        // Bin m is (m/M, (m+1)/M]: an edge m/M belongs to bin m-1, just above it to bin m; 0 goes to bin 0, 1 to bin M-1.
        Assert.Equal(0, CalibrationMetrics.BinIndex(0.0, binCount));
        Assert.Equal(binCount - 1, CalibrationMetrics.BinIndex(1.0, binCount));
        for (int m = 1; m < binCount; m++)
        {
            double edge = (double)m / binCount;
            Assert.Equal(m - 1, CalibrationMetrics.BinIndex(edge, binCount));
            Assert.Equal(m, CalibrationMetrics.BinIndex(Math.BitIncrement(edge), binCount));
            Assert.Equal(m - 1, CalibrationMetrics.BinIndex(Math.BitDecrement(edge), binCount));
        }
        Assert.Equal(0, CalibrationMetrics.BinIndex(1.0 / binCount, binCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationMetrics.BinIndex(double.NaN, binCount));
    }

    [Fact]
    public void Confidence_one_lands_in_the_last_bin_and_one_over_m_in_the_first()
    {
        // float32 rows: [1, 0] (confidence exactly 1) and the uniform [0.2]*5 (confidence 0.2f == (float)(1/5)).
        using var certain = tensor(new float[] { 1f, 0f, 0f, 1f }, new long[] { 2, 2 });
        using var certainLabels = tensor(new long[] { 0, 1 });
        var top = CalibrationMetrics.Compute(certain, certainLabels, binCount: 5);
        Assert.Equal(2, top.Bins[4].Count);
        Assert.Equal((0.8, 1.0), (top.Bins[4].Lower, top.Bins[4].Upper));
        Assert.Equal(0, top.ExpectedCalibrationError, 12);

        using var uniform32 = full(new long[] { 3, 5 }, 0.2f);
        using var uniform64 = full(new long[] { 3, 5 }, 0.2, ScalarType.Float64);
        using var labels = tensor(new long[] { 0, 3, 4 });
        foreach (var uniform in new[] { uniform32, uniform64 })
        {
            var low = CalibrationMetrics.Compute(uniform, labels, binCount: 5);
            Assert.Equal(3, low.Bins[0].Count);
            Assert.Equal((0.0, 0.2), (low.Bins[0].Lower, low.Bins[0].Upper));
            Assert.Equal(1.0 / 3, low.Accuracy, 12); // ties go to the first class
        }
    }

    [Fact]
    public void From_logits_equals_compute_on_the_float64_softmax()
    {
        const int count = 3_000, classes = 10;
        var (values, labelValues) = SyntheticLogits.Generate(count, classes, scale: 2.0, trueTemperature: 2.5, seed: 11);
        using var logits = tensor(values, new long[] { count, classes });
        using var labels = tensor(labelValues);
        const double temperature = 1.7;
        using var scope = NewDisposeScope();
        var probabilities = (logits.to_type(ScalarType.Float64) / temperature).softmax(1);

        var fromLogits = CalibrationMetrics.ComputeFromLogits(logits, labels, temperature, binCount: 12);
        var fromProbabilities = CalibrationMetrics.Compute(probabilities, labels, binCount: 12);

        Assert.Equal(fromProbabilities.ExpectedCalibrationError, fromLogits.ExpectedCalibrationError, 9);
        Assert.Equal(fromProbabilities.MaximumCalibrationError, fromLogits.MaximumCalibrationError, 9);
        Assert.Equal(fromProbabilities.NegativeLogLikelihood, fromLogits.NegativeLogLikelihood, 9);
        Assert.Equal(TemperatureScaling.NegativeLogLikelihood(logits, labels, temperature), fromLogits.NegativeLogLikelihood, 12);
        Assert.Equal(fromProbabilities.Bins.Select(b => b.Count), fromLogits.Bins.Select(b => b.Count));
    }

    [Fact]
    public void Temperature_scaling_reduces_the_ece_of_over_confident_logits()
    {
        const int count = 5_000, classes = 10;
        var (values, labelValues) = SyntheticLogits.Generate(count, classes, scale: 2.0, trueTemperature: 2.5, seed: 3);
        using var logits = tensor(values, new long[] { count, classes });
        using var labels = tensor(labelValues);

        var before = CalibrationMetrics.ComputeFromLogits(logits, labels);
        var after = CalibrationMetrics.ComputeFromLogits(logits, labels, TemperatureScaling.Fit(logits, labels));

        Assert.True(before.Overconfidence > 0.05, $"before: {before.Overconfidence}");
        Assert.True(before.OverconfidentCalibrationError > 0.9 * before.ExpectedCalibrationError);
        Assert.True(after.ExpectedCalibrationError < before.ExpectedCalibrationError / 3,
            $"ECE {before.ExpectedCalibrationError} -> {after.ExpectedCalibrationError}");
        Assert.Equal(before.Accuracy, after.Accuracy); // dividing by T keeps the arg-max
        Assert.True(after.NegativeLogLikelihood < before.NegativeLogLikelihood);
    }

    [Fact]
    public void Invalid_inputs_are_rejected_with_argument_exceptions()
    {
        using var p = tensor(new float[] { 0.7f, 0.3f, 0.4f, 0.6f }, new long[] { 2, 2 });
        using var y = tensor(new long[] { 0, 1 });
        using var logits = tensor(new float[] { 2f, -1f, 0.5f, 3f }, new long[] { 2, 2 });
        using var notNormalised = tensor(new float[] { 0.7f, 0.7f, 0.4f, 0.6f }, new long[] { 2, 2 });
        using var threeLabels = tensor(new long[] { 0, 1, 1 });
        using var outOfRange = tensor(new long[] { 0, 5 });
        using var empty = zeros(0, 2);
        using var noLabels = zeros(0, ScalarType.Int64);
        using var vector = tensor(new float[] { 0.5f, 0.5f });

        Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationMetrics.Compute(p, y, binCount: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationMetrics.ComputeFromLogits(logits, y, binCount: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationMetrics.ComputeFromLogits(logits, y, temperature: 0));
        Assert.Contains(nameof(CalibrationMetrics.ComputeFromLogits), Assert.ThrowsAny<ArgumentException>(() => CalibrationMetrics.Compute(logits, y)).Message);
        Assert.ThrowsAny<ArgumentException>(() => CalibrationMetrics.Compute(notNormalised, y));
        Assert.ThrowsAny<ArgumentException>(() => CalibrationMetrics.Compute(p, threeLabels));
        Assert.ThrowsAny<ArgumentException>(() => CalibrationMetrics.Compute(p, outOfRange));
        Assert.ThrowsAny<ArgumentException>(() => CalibrationMetrics.Compute(empty, noLabels));
        Assert.ThrowsAny<ArgumentException>(() => CalibrationMetrics.Compute(vector, y));
    }
}
