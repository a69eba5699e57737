using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>
/// Standardisation x' = (x - mean) / std with statistics fitted on the training split only and applied to every split (and
/// at inference, after <see cref="Save"/> and <see cref="Load"/>). Flat data [N, D] gets one mean and std per feature;
/// data with more dimensions ([N, C, H, W] images, [N, C, L] signals) one per channel (dimension 1). The std is the
/// population std (divisor N); a std of 0 (a constant feature or channel) is replaced by 1, so that feature is only centred.
/// </summary>
public sealed class Standardizer
{
    private Standardizer(bool perChannel, double[] mean, double[] std)
    {
        PerChannel = perChannel;
        Mean = mean;
        Std = std;
    }

    /// <summary>Whether the statistics are per channel (dimension 1 of [N, C, ...]) rather than per feature of [N, D].</summary>
    public bool PerChannel { get; }

    /// <summary>The mean of each feature (or channel) in the training split.</summary>
    public double[] Mean { get; }

    /// <summary>The std of each feature (or channel) in the training split; 1 where it was 0.</summary>
    public double[] Std { get; }

    /// <summary>Fits the statistics on <paramref name="train"/>, whose inputs must be floating-point.</summary>
    public static Standardizer Fit(LabeledDataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!train.Features.is_floating_point())
            throw new DatasetException(
                $"Data set '{train.Name}' holds {train.FeatureType} inputs; standardise floating-point inputs only (convert images with .to_type(float32) first).");
        return Fit(train.Features);
    }

    /// <summary>
    /// The statistics of <paramref name="features"/> ([N, D]: per feature; [N, C, ...]: per channel), in float64; integer
    /// inputs (e.g. uint8 pixels) are read as their values.
    /// </summary>
    internal static Standardizer Fit(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = features.to_type(ScalarType.Float64);
        bool perChannel = x.dim() > 2;
        long[] reduce = perChannel ? new long[] { 0 }.Concat(Enumerable.Range(2, (int)x.dim() - 2).Select(d => (long)d)).ToArray() : [0];
        var mean = x.mean(reduce);
        var std = x.std(reduce, unbiased: false);
        double[] stdValues = std.data<double>().ToArray().Select(s => s == 0 ? 1.0 : s).ToArray();
        return new Standardizer(perChannel, mean.data<double>().ToArray(), stdValues);
    }

    /// <summary>
    /// Statistics given rather than fitted (e.g. a data set's published per-channel mean and std): per channel of [N, C, ...]
    /// inputs when <paramref name="perChannel"/>, else per feature of [N, D]. Every std must be finite and &gt; 0.
    /// </summary>
    public static Standardizer FromStatistics(bool perChannel, double[] mean, double[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Mean ({mean.Length} values) and Std ({std.Length} values) must have one length of at least 1.", nameof(std));
        if (mean.Any(m => !double.IsFinite(m)) || std.Any(s => !(s > 0) || !double.IsFinite(s)))
            throw new ArgumentException("Every mean must be finite and every std finite and > 0.", nameof(std));
        return new Standardizer(perChannel, mean.ToArray(), std.ToArray());
    }

    /// <summary>The standardised copy of <paramref name="data"/> (same name, labels copied, classes kept), float32 unless the inputs are float64.</summary>
    public LabeledDataset Apply(LabeledDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new LabeledDataset(data.Name, Apply(data.Features, data.Name), data.Labels.clone(), data.ClassCount);
    }

    /// <summary>The standardised copy of a batch of inputs [N, D] or [N, C, ...] (e.g. at inference).</summary>
    public Tensor Apply(Tensor features) => Apply(features, "the inputs");

    private Tensor Apply(Tensor features, string name)
    {
        long width = PerChannel ? (features.dim() > 2 ? features.shape[1] : -1) : (features.dim() == 2 ? features.shape[1] : -1);
        if (width != Mean.Length)
            throw new DatasetException(PerChannel
                ? $"'{name}' of shape {LabeledDataset.ShapeText(features.shape)} does not fit statistics of {Mean.Length} channels ([N, {Mean.Length}, ...] expected)."
                : $"'{name}' of shape {LabeledDataset.ShapeText(features.shape)} does not fit statistics of {Mean.Length} features ([N, {Mean.Length}] expected).");
        if (!features.is_floating_point())
            throw new DatasetException($"'{name}' holds {features.dtype} inputs; standardise floating-point inputs only.");
        var type = features.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        using var scope = NewDisposeScope();
        long[] statShape = PerChannel ? [1, Mean.Length, .. Enumerable.Repeat(1L, (int)features.dim() - 2)] : [1, Mean.Length];
        var mean = tensor(Mean, statShape).to_type(type).to(features.device);
        var std = tensor(Std, statShape).to_type(type).to(features.device);
        return features.to_type(type).sub(mean).div(std).MoveToOuterDisposeScope();
    }

    private sealed record Json(string Kind, double[] Mean, double[] Std);

    /// <summary>Writes the statistics to a small JSON file: {"Kind": "per-feature" | "per-channel", "Mean": [...], "Std": [...]}.</summary>
    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new Json(PerChannel ? "per-channel" : "per-feature", Mean, Std), new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Reads statistics written by <see cref="Save"/>.</summary>
    public static Standardizer Load(string path)
    {
        string fullPath = Path.GetFullPath(path);
        Json? json;
        try { json = JsonSerializer.Deserialize<Json>(File.ReadAllText(fullPath)); }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new DatasetException($"Cannot read standardisation statistics from '{fullPath}': {e.Message}", e);
        }
        if (json is null || json.Mean is null || json.Std is null || json.Mean.Length != json.Std.Length || json.Mean.Length == 0
            || json.Kind is not ("per-feature" or "per-channel") || json.Std.Any(s => !(s > 0)))
            throw new DatasetException($"'{fullPath}' does not hold standardisation statistics (Kind per-feature or per-channel, Mean and positive Std of one length).");
        return new Standardizer(json.Kind == "per-channel", json.Mean, json.Std);
    }
}
