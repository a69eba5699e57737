using System;

namespace KdDsl;

/// <summary>
/// Normalises the inputs of every split, <c>x' = (x - mean) / std</c>, once when the run starts (a deterministic copy of the
/// data, made once, never per epoch). Either give the statistics (<see cref="Mean"/> and <see cref="Std"/>, one value per
/// channel, e.g. the published ones of a data set) or fit them on the training split only (<see cref="FromTrainingSplit"/>);
/// validation and test are normalised with the training split's statistics. Images [N, C, H, W] (and the flat built-in image
/// data sets, seen as their [N, 1, H, W] images) get one mean and std per channel; other flat data [N, D] one per feature.
/// The generated <c>Result.Normalization</c> holds the statistics used, for inference.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NormalizeAttribute : Attribute
{
    /// <summary>The mean of each channel (or feature), with <see cref="Std"/> of the same length; finite values.</summary>
    public double[]? Mean { get; set; }

    /// <summary>The std of each channel (or feature), with <see cref="Mean"/> of the same length; finite values &gt; 0.</summary>
    public double[]? Std { get; set; }

    /// <summary>
    /// Fit the mean and the population std of each channel (or feature) on the training split alone (a std of 0 becomes 1, so a
    /// constant channel is only centred), instead of declaring them. Default false.
    /// </summary>
    public bool FromTrainingSplit { get; set; }
}
