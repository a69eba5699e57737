using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace KdDsl.Calibration;

/// <summary>
/// Top-label calibration metrics (Guo et al., 2017; Naeini et al., 2015): expected and maximum calibration error over
/// equal-width confidence bins, with the per-bin statistics a reliability diagram plots.
/// </summary>
/// <remarks>
/// <para>
/// For sample n, the prediction is ŷ_n = argmax_k p_nk (the first index on ties) and the confidence is c_n = max_k p_nk.
/// The M bins split [0, 1] into equal widths; bin m (0-based) holds the samples with <c>m/M &lt; c_n ≤ (m+1)/M</c>,
/// and the first bin also holds c_n = 0. These are the half-open-on-the-left intervals <c>((m)/M, (m+1)/M]</c> of
/// Guo et al. (their reference code tests <c>conf &gt; lower and conf ≤ upper</c>) and of torchmetrics (<c>torch.bucketize</c>
/// with <c>right=False</c>), so a confidence of exactly 1 falls in the last bin and a confidence of exactly m/M in bin m−1.
/// For inputs that are not float64 the edges m/M are rounded to float32 before comparing, so that a float32 confidence
/// equal to <c>(float)(m/M)</c> counts as exactly on the edge (torchmetrics compares in float32 too).
/// </para>
/// <para>
/// With acc(B_m) the fraction of correct predictions and conf(B_m) the mean confidence in bin m,
/// <c>ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)|</c> and <c>MCE = max over non-empty bins of |acc(B_m) − conf(B_m)|</c>.
/// All statistics are accumulated in float64 on the CPU.
/// </para>
/// </remarks>
public static class CalibrationMetrics
{
    /// <summary>The default number of bins, 15, as in Guo et al. (2017) and torchmetrics.</summary>
    public const int DefaultBinCount = 15;

    /// <summary>
    /// Calibration of the probabilities <paramref name="probabilities"/> against <paramref name="labels"/>.
    /// </summary>
    /// <param name="probabilities">
    /// Class probabilities, <c>[N, K]</c>, any floating dtype and device: every value in [0, 1] and every row summing to 1
    /// (within 1e-3; 2e-2 for float16/bfloat16). Pass logits to <see cref="ComputeFromLogits"/> instead.
    /// </param>
    /// <param name="labels">True classes, <c>[N]</c>, integral, each in <c>[0, K)</c>.</param>
    /// <param name="binCount">M, the number of equal-width confidence bins (at least 1).</param>
    /// <exception cref="ArgumentException">Empty input, wrong shapes or dtypes, values that are not probabilities, or labels out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="binCount"/> is below 1.</exception>
    public static CalibrationReport Compute(Tensor probabilities, Tensor labels, int binCount = DefaultBinCount)
    {
        CheckBinCount(binCount);
        ArgumentNullException.ThrowIfNull(probabilities);
        bool half = probabilities.dtype == ScalarType.Float16 || probabilities.dtype == ScalarType.BFloat16;
        var data = CalibrationInputs.Read(probabilities, labels, nameof(probabilities), nameof(labels));
        double sumTolerance = half ? 2e-2 : 1e-3;
        const double valueTolerance = 1e-6;
        int k = data.Columns;
        for (int n = 0; n < data.Rows; n++)
        {
            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                double p = data.Values[n * k + c];
                if (p < -valueTolerance || p > 1 + valueTolerance)
                    throw new ArgumentException(
                        $"Value {p} at sample {n}, class {c} is not a probability (expected [0, 1]); for logits use {nameof(ComputeFromLogits)}.",
                        nameof(probabilities));
                sum += p;
            }
            if (Math.Abs(sum - 1) > sumTolerance)
                throw new ArgumentException(
                    $"The probabilities of sample {n} sum to {sum}, not 1 (tolerance {sumTolerance}); for logits use {nameof(ComputeFromLogits)}.",
                    nameof(probabilities));
        }

        var confidence = new double[data.Rows];
        var correct = new bool[data.Rows];
        double nll = 0;
        for (int n = 0; n < data.Rows; n++)
        {
            int row = n * k, best = 0;
            for (int c = 1; c < k; c++)
                if (data.Values[row + c] > data.Values[row + best]) best = c;
            confidence[n] = data.Values[row + best];
            correct[n] = best == data.Labels[n];
            nll -= Math.Log(data.Values[row + (int)data.Labels[n]]);
        }
        return Summarise(confidence, correct, nll / data.Rows, k, binCount, data.SinglePrecision);
    }

    /// <summary>
    /// Calibration of <c>softmax(logits / temperature)</c> against <paramref name="labels"/>: the softmax, the confidences and
    /// the NLL are computed stably in float64 on the CPU (bin edges compared in float64).
    /// </summary>
    /// <param name="logits">Logits, <c>[N, K]</c>, any floating dtype and device, finite.</param>
    /// <param name="labels">True classes, <c>[N]</c>, integral, each in <c>[0, K)</c>.</param>
    /// <param name="temperature">T, finite and &gt; 0 (1 for the raw model; <see cref="TemperatureScaling.Fit"/>'s result for the calibrated one).</param>
    /// <param name="binCount">M, the number of equal-width confidence bins (at least 1).</param>
    /// <exception cref="ArgumentException">Empty input, wrong shapes or dtypes, non-finite logits, or labels out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not finite and positive, or <paramref name="binCount"/> is below 1.</exception>
    public static CalibrationReport ComputeFromLogits(Tensor logits, Tensor labels, double temperature = 1.0, int binCount = DefaultBinCount)
    {
        TemperatureScaling.CheckTemperature(temperature, nameof(temperature));
        CheckBinCount(binCount);
        var data = CalibrationInputs.Read(logits, labels, nameof(logits), nameof(labels));
        double beta = 1.0 / temperature;
        int k = data.Columns;
        var confidence = new double[data.Rows];
        var correct = new bool[data.Rows];
        double nll = 0;
        for (int n = 0; n < data.Rows; n++)
        {
            int row = n * k, best = 0;
            for (int c = 1; c < k; c++)
                if (data.Values[row + c] > data.Values[row + best]) best = c;
            double max = beta * data.Values[row + best];
            double sum = 0;
            for (int c = 0; c < k; c++) sum += Math.Exp(beta * data.Values[row + c] - max);
            confidence[n] = 1.0 / sum; // exp(max - max) / sum
            correct[n] = best == data.Labels[n];
            nll += max + Math.Log(sum) - beta * data.Values[row + (int)data.Labels[n]];
        }
        return Summarise(confidence, correct, nll / data.Rows, k, binCount, singlePrecision: false);
    }

    /// <summary>
    /// The 0-based bin of a float64 <paramref name="confidence"/> among <paramref name="binCount"/> equal-width bins:
    /// m such that <c>m/M &lt; confidence ≤ (m+1)/M</c>, with 0 (and anything below) in bin 0 and anything above 1 in bin M−1.
    /// </summary>
    /// <param name="confidence">A confidence, normally in [0, 1]; NaN is rejected.</param>
    /// <param name="binCount">M, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="binCount"/> is below 1 or <paramref name="confidence"/> is NaN.</exception>
    public static int BinIndex(double confidence, int binCount)
    {
        CheckBinCount(binCount);
        if (double.IsNaN(confidence)) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence is NaN.");
        return BinIndex(confidence, Edges(binCount, singlePrecision: false));
    }

    private static void CheckBinCount(int binCount)
    {
        if (binCount < 1)
            throw new ArgumentOutOfRangeException(nameof(binCount), binCount, "The number of bins must be at least 1.");
    }

    /// <summary>edges[m] = m/M for m = 0..M, rounded to float32 when the confidences are float32 numbers.</summary>
    private static double[] Edges(int binCount, bool singlePrecision)
    {
        var edges = new double[binCount + 1];
        for (int m = 0; m <= binCount; m++)
        {
            double edge = (double)m / binCount;
            edges[m] = singlePrecision ? (float)edge : edge;
        }
        return edges;
    }

    private static int BinIndex(double confidence, double[] edges)
    {
        int binCount = edges.Length - 1;
        // A first guess from the arithmetic, then corrected against the exact edges so rounding cannot move a sample.
        double guess = Math.Ceiling(confidence * binCount) - 1;
        int index = guess < 0 ? 0 : guess > binCount - 1 ? binCount - 1 : (int)guess;
        while (index > 0 && confidence <= edges[index]) index--;
        while (index < binCount - 1 && confidence > edges[index + 1]) index++;
        return index;
    }

    private static CalibrationReport Summarise(double[] confidence, bool[] correct, double nll, int classCount, int binCount, bool singlePrecision)
    {
        int total = confidence.Length;
        var edges = Edges(binCount, singlePrecision);
        var counts = new int[binCount];
        var hits = new int[binCount];
        var confidenceSums = new double[binCount];
        double confidenceTotal = 0;
        int hitTotal = 0;
        for (int n = 0; n < total; n++)
        {
            int m = BinIndex(confidence[n], edges);
            counts[m]++;
            confidenceSums[m] += confidence[n];
            confidenceTotal += confidence[n];
            if (correct[n]) { hits[m]++; hitTotal++; }
        }

        var bins = new List<CalibrationBin>(binCount);
        double ece = 0, mce = 0, overconfident = 0;
        for (int m = 0; m < binCount; m++)
        {
            double lower = (double)m / binCount, upper = (double)(m + 1) / binCount;
            if (counts[m] == 0)
            {
                bins.Add(new CalibrationBin(lower, upper, 0, double.NaN, double.NaN));
                continue;
            }
            double accuracy = (double)hits[m] / counts[m];
            double meanConfidence = confidenceSums[m] / counts[m];
            double weight = (double)counts[m] / total;
            double gap = meanConfidence - accuracy;
            ece += weight * Math.Abs(gap);
            mce = Math.Max(mce, Math.Abs(gap));
            if (gap > 0) overconfident += weight * gap;
            bins.Add(new CalibrationBin(lower, upper, counts[m], accuracy, meanConfidence));
        }
        return new CalibrationReport(total, classCount, ece, mce, confidenceTotal / total, (double)hitTotal / total,
            overconfident, nll, bins.AsReadOnly());
    }
}
