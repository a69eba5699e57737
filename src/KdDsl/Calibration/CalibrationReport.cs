using System;
using System.Collections.Generic;

namespace KdDsl.Calibration;

/// <summary>One equal-width confidence bin of a <see cref="CalibrationReport"/>.</summary>
/// <param name="Lower">Lower edge m/M (exclusive, except that the first bin also holds confidence 0).</param>
/// <param name="Upper">Upper edge (m+1)/M (inclusive).</param>
/// <param name="Count">|B_m|, the number of samples whose confidence falls in the bin.</param>
/// <param name="Accuracy">acc(B_m), the fraction of those samples whose arg-max class is the label; NaN when <paramref name="Count"/> is 0.</param>
/// <param name="Confidence">conf(B_m), the mean confidence (max_k p_k) of those samples; NaN when <paramref name="Count"/> is 0.</param>
public sealed record CalibrationBin(double Lower, double Upper, int Count, double Accuracy, double Confidence)
{
    /// <summary>True when no sample fell in the bin.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>acc(B_m) − conf(B_m): negative when the model is over-confident in this bin; NaN when empty.</summary>
    public double Gap => Accuracy - Confidence;
}

/// <summary>
/// Top-label calibration of a classifier on a labelled set (Guo et al., 2017). See <see cref="CalibrationMetrics"/> for the
/// definitions and the binning convention.
/// </summary>
/// <param name="SampleCount">N, the number of samples.</param>
/// <param name="ClassCount">K, the number of classes.</param>
/// <param name="ExpectedCalibrationError">ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)|, in [0, 1].</param>
/// <param name="MaximumCalibrationError">MCE = max over non-empty bins of |acc(B_m) − conf(B_m)|, in [0, 1].</param>
/// <param name="AverageConfidence">mean_n max_k p_nk.</param>
/// <param name="Accuracy">Fraction of samples whose arg-max class (the first on ties) equals the label.</param>
/// <param name="OverconfidentCalibrationError">
/// The over-confident part of the ECE, Σ over bins with conf(B_m) &gt; acc(B_m) of |B_m|/N · (conf(B_m) − acc(B_m));
/// the rest, <see cref="UnderconfidentCalibrationError"/>, comes from under-confident bins.
/// </param>
/// <param name="NegativeLogLikelihood">
/// mean_n −ln p_{n,y_n} in nats (+∞ if a true class has probability exactly 0; the logits overload computes it stably
/// from log-softmax instead).
/// </param>
/// <param name="Bins">The M bins, in increasing confidence, empty ones included.</param>
public sealed record CalibrationReport(
    int SampleCount,
    int ClassCount,
    double ExpectedCalibrationError,
    double MaximumCalibrationError,
    double AverageConfidence,
    double Accuracy,
    double OverconfidentCalibrationError,
    double NegativeLogLikelihood,
    IReadOnlyList<CalibrationBin> Bins)
{
    /// <summary>M, the number of bins.</summary>
    public int BinCount => Bins.Count;

    /// <summary>Average confidence − accuracy: positive for an over-confident model (Guo et al.'s "gap" over the whole set).</summary>
    public double Overconfidence => AverageConfidence - Accuracy;

    /// <summary>The under-confident part of the ECE: <see cref="ExpectedCalibrationError"/> − <see cref="OverconfidentCalibrationError"/>.</summary>
    public double UnderconfidentCalibrationError => Math.Max(0, ExpectedCalibrationError - OverconfidentCalibrationError);
}
