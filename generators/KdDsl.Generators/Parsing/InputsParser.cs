using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using static KdDsl.Generators.Diagnostics.DiagnosticDescriptors;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// Reads <c>[Normalize]</c> and <c>[Augment]</c> into an <see cref="InputsSpec"/> and reports what cannot work: statistics of the
/// wrong length or out of range (KD0043, KD0014), options that conflict or are missing (KD0015, KD0019), augmentation of data that
/// are not images (KD0044) or with a teacher-output cache (KD0045), and a flip of digits (KD0046, a warning).
/// </summary>
internal static class InputsParser
{
    /// <summary>[C, H, W] of the built-in data sets that are images (loaded flat); null for the others.</summary>
    public static int[]? ImageShape(DatasetKind kind) => kind switch
    {
        DatasetKind.Digits => new[] { 1, 8, 8 },
        DatasetKind.FashionMnist or DatasetKind.Mnist => new[] { 1, 28, 28 },
        _ => null,
    };

    public static InputsSpec? Parse(AttributeArguments? normalize, AttributeArguments? augment, DatasetSpec? dataset, AttributeArguments? teacher,
        List<DiagnosticInfo> diagnostics)
    {
        if (normalize is null && augment is null) return null;
        void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            diagnostics.Add(new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments)));
        int[]? image = dataset is null ? null : ImageShape(dataset.Kind);

        NormalizationSpec? normalization = null;
        if (normalize is { } n)
        {
            var mean = Values(n, nameof(NormalizeAttribute.Mean));
            var std = Values(n, nameof(NormalizeAttribute.Std));
            bool fit = n.NamedOr(nameof(NormalizeAttribute.FromTrainingSplit), false);
            var meanLocation = n.NamedLocation(nameof(NormalizeAttribute.Mean));
            var stdLocation = n.NamedLocation(nameof(NormalizeAttribute.Std));
            if (fit && (mean is not null || std is not null))
                Report(ConflictingOptions, mean is not null ? meanLocation : stdLocation, mean is not null ? "Normalize.Mean" : "Normalize.Std",
                    "Normalize.FromTrainingSplit", "the statistics are either declared or fitted on the training split; remove one of them");
            else if (!fit && mean is null && std is null)
                Report(MissingRequirement, n.AttributeLocation, "[Normalize]", "Mean and Std (one value per channel), or FromTrainingSplit = true");
            else if (!fit && (mean is null || std is null))
                Report(MissingRequirement, mean is null ? stdLocation : meanLocation, mean is null ? "Normalize.Std" : "Normalize.Mean",
                    (mean is null ? "Normalize.Mean" : "Normalize.Std") + " of the same length");
            else if (!fit)
            {
                // Channels of the declared data set: 1 for the built-in image sets, the features of the synthetic (flat) data.
                (int Count, string Unit)? expected = image is not null ? (image[0], "channel (its images have " + Int(image[0]) + ")")
                    : dataset?.Synthetic is { } s ? (s.Features, "feature (the synthetic data are " + Int(s.Features) + " flat features)")
                    : null;
                string unit = expected?.Unit ?? "channel of [N, C, H, W] images (per feature of flat [N, D] data)";
                if (mean!.Length == 0 || std!.Length == 0)
                    Report(NormalizationStatisticsMismatch, mean.Length == 0 ? meanLocation : stdLocation, "has no statistics (an empty array)", unit);
                else if (mean.Length != std.Length)
                    Report(NormalizationStatisticsMismatch, stdLocation, $"gives {Int(mean.Length)} means but {Int(std.Length)} stds", unit);
                else if (expected is { } e && mean.Length != e.Count)
                    Report(NormalizationStatisticsMismatch, meanLocation,
                        $"gives {Int(mean.Length)} means and stds, but the data set has {Int(e.Count)}", unit);
                for (int i = 0; i < mean.Length; i++)
                {
                    if (double.IsNaN(mean[i]) || double.IsInfinity(mean[i]))
                        Report(ValueOutOfRange, meanLocation, $"Normalize.Mean[{Int(i)}]", Format(mean[i]), "a finite number");
                }
                for (int i = 0; i < std!.Length; i++)
                {
                    if (!(std[i] > 0) || double.IsInfinity(std[i]))
                        Report(ValueOutOfRange, stdLocation, $"Normalize.Std[{Int(i)}]", Format(std[i]), "a finite number > 0");
                }
            }
            normalization = new NormalizationSpec(new EquatableArray<double>(mean ?? System.Array.Empty<double>()), new EquatableArray<double>(std ?? System.Array.Empty<double>()), fit);
        }

        AugmentationSpec? augmentation = null;
        if (augment is { } a)
        {
            int padding = a.NamedOr(nameof(AugmentAttribute.RandomCropPadding), 0);
            bool flip = a.NamedOr(nameof(AugmentAttribute.HorizontalFlip), false);
            var paddingLocation = a.NamedLocation(nameof(AugmentAttribute.RandomCropPadding));
            if (padding < 0)
                Report(ValueOutOfRange, paddingLocation, "Augment.RandomCropPadding", Int(padding), ">= 0 (0 = no crop)");
            else if (image is not null && padding >= System.Math.Min(image[1], image[2]))
                Report(ValueOutOfRange, paddingLocation, "Augment.RandomCropPadding", Int(padding),
                    $"less than the size of the {dataset!.Kind} images ({Int(image[1])}x{Int(image[2])})");
            if (padding == 0 && !flip)
                Report(MissingRequirement, a.AttributeLocation, "[Augment]", "RandomCropPadding > 0 or HorizontalFlip = true (as declared it changes nothing)");
            if (dataset?.Kind == DatasetKind.Synthetic)
                Report(AugmentationNeedsImages, a.AttributeLocation, "DatasetKind.Synthetic holds flat feature vectors");
            if (flip && dataset?.Kind is DatasetKind.Digits or DatasetKind.Mnist)
                Report(FlipChangesMeaning, a.NamedLocation(nameof(AugmentAttribute.HorizontalFlip)), "DatasetKind." + dataset.Kind);
            if (teacher is { } t && t.Named(nameof(TeacherAttribute.CacheOutputs))?.Value is int caching && caching != 0 && (padding > 0 || flip))
                Report(AugmentationWithCachedTeacher, t.NamedLocation(nameof(TeacherAttribute.CacheOutputs)),
                    System.Enum.IsDefined(typeof(TeacherOutputCaching), caching) ? "TeacherOutputCaching." + (TeacherOutputCaching)caching : Int(caching));
            augmentation = new AugmentationSpec(padding, flip);
        }
        return new InputsSpec(normalization, augmentation, new EquatableArray<int>(image ?? System.Array.Empty<int>()));
    }

    /// <summary>The array named <paramref name="name"/>, or null when it is absent or null.</summary>
    private static double[]? Values(AttributeArguments attribute, string name)
    {
        if (attribute.Named(name) is not { Kind: TypedConstantKind.Array, IsNull: false } array) return null;
        return array.Values.Select(v => v.Value is double d ? d : System.Convert.ToDouble(v.Value, CultureInfo.InvariantCulture)).ToArray();
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
