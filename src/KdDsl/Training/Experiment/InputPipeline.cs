using System;
using System.Linq;
using KdDsl.Data;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// What <see cref="NormalizeAttribute"/> and <see cref="AugmentAttribute"/> do to a run's data, set up once when the run starts:
/// every split normalised once (a copy made once, owned here; statistics given, or fitted on the training split alone), and the
/// augmentation the training loops apply to each training batch (<see cref="TrainingSettings.Augmentation"/>). Images are
/// [N, C, H, W] data as they are, or flat [N, D] data seen through <c>flatImageShape</c> [C, H, W] (the generator passes the
/// built-in image data sets' shape); statistics are then per channel, and per feature for other flat data.
/// </summary>
public sealed class InputPipeline : IDisposable
{
    private readonly bool ownsData;

    /// <summary>Normalises <paramref name="data"/> as <paramref name="normalize"/> declares and prepares <paramref name="augment"/>.</summary>
    public InputPipeline(DatasetSplits data, NormalizeAttribute? normalize, AugmentAttribute? augment, int[]? flatImageShape = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.Validate();
        var train = data.Train;
        long[]? imageShape = train.SampleShape.Length == 3 ? train.SampleShape
            : train.IsFlat && flatImageShape is { Length: 3 } f && (long)f[0] * f[1] * f[2] == train.FeatureCount ? f.Select(d => (long)d).ToArray()
            : null;
        bool viewFlat = train.IsFlat && imageShape is not null;
        Data = data;
        if (normalize is not null)
        {
            Normalization = Statistics(train, normalize, imageShape, viewFlat);
            Data = new DatasetSplits(Normalized(train, viewFlat, imageShape), Normalized(data.Test, viewFlat, imageShape),
                data.Validation is { } validation ? Normalized(validation, viewFlat, imageShape) : null);
            ownsData = true;
        }
        if (augment is not null && (augment.RandomCropPadding > 0 || augment.HorizontalFlip))
        {
            if (imageShape is null)
                throw new DatasetException(
                    $"[Augment] crops and flips images, but '{train.Name}' holds samples of shape {LabeledDataset.ShapeText(train.SampleShape)}; " +
                    "give it images [N, C, H, W] (e.g. IdxLayout.Images) or remove [Augment]. Nothing was trained.");
            if (augment.RandomCropPadding >= imageShape[1] || augment.RandomCropPadding >= imageShape[2])
                throw new DatasetException(
                    $"[Augment(RandomCropPadding = {augment.RandomCropPadding})] does not fit images of {imageShape[1]}x{imageShape[2]}: it must be " +
                    "less than both sizes. Nothing was trained.");
            // Raw black stays black: after normalisation the padding is (0 - mean) / std per channel.
            double[]? fill = Normalization is { PerChannel: true } n ? n.Mean.Zip(n.Std, (m, s) => -m / s).ToArray() : null;
            Augmentation = new ImageAugmentation(augment.RandomCropPadding, augment.HorizontalFlip, viewFlat ? imageShape : null, fill);
        }
    }

    /// <summary>The splits the run uses: normalised copies with <see cref="NormalizeAttribute"/>, else the data given.</summary>
    public DatasetSplits Data { get; }

    /// <summary>The normalisation statistics (null without <see cref="NormalizeAttribute"/>); apply them at inference.</summary>
    public Standardizer? Normalization { get; }

    /// <summary>The augmentation of training batches (null without <see cref="AugmentAttribute"/>).</summary>
    public ImageAugmentation? Augmentation { get; }

    /// <summary><paramref name="settings"/> with <see cref="Augmentation"/>, which every training loop applies to its batches.</summary>
    public TrainingSettings Apply(TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings with { Augmentation = Augmentation };
    }

    private static Standardizer Statistics(LabeledDataset train, NormalizeAttribute normalize, long[]? imageShape, bool viewFlat)
    {
        bool perChannel = imageShape is not null || train.SampleShape.Length > 1;
        long expected = perChannel ? (imageShape?[0] ?? train.SampleShape[0]) : train.FeatureCount;
        string unit = perChannel ? "channels" : "features";
        if (normalize.FromTrainingSplit)
        {
            if (normalize.Mean is not null || normalize.Std is not null)
                throw new ArgumentException("[Normalize] takes Mean and Std, or FromTrainingSplit = true, not both.", nameof(normalize));
            CheckNumeric(train);
            using var scope = NewDisposeScope();
            return Standardizer.Fit(viewFlat ? train.Features.view(Shape(train.Count, imageShape!)) : train.Features);
        }
        if (normalize.Mean is not { } mean || normalize.Std is not { } std)
            throw new ArgumentException("[Normalize] needs Mean and Std, or FromTrainingSplit = true.", nameof(normalize));
        if (mean.Length != expected || std.Length != expected)
            throw new DatasetException(
                $"[Normalize] gives {mean.Length} means and {std.Length} stds, but '{train.Name}' (samples of shape " +
                $"{LabeledDataset.ShapeText(imageShape ?? train.SampleShape)}) has {expected} {unit}. Nothing was trained.");
        return Standardizer.FromStatistics(perChannel, mean, std);
    }

    private LabeledDataset Normalized(LabeledDataset split, bool viewFlat, long[]? imageShape)
    {
        CheckNumeric(split);
        using var scope = NewDisposeScope();
        var features = split.Features.is_floating_point() ? split.Features : split.Features.to_type(ScalarType.Float32);
        var normalized = viewFlat
            ? Normalization!.Apply(features.view(Shape(split.Count, imageShape!))).view(split.Features.shape)
            : Normalization!.Apply(features);
        var result = new LabeledDataset(split.Name, normalized.MoveToOuterDisposeScope(), split.Labels.clone().MoveToOuterDisposeScope(), split.ClassCount);
        return result;
    }

    private static void CheckNumeric(LabeledDataset split)
    {
        if (!split.Features.is_floating_point() && split.FeatureType != ScalarType.Byte)
            throw new DatasetException(
                $"[Normalize] normalises floating-point inputs or uint8 pixels, but '{split.Name}' holds {split.FeatureType} inputs " +
                "(token ids are not normalised); remove [Normalize]. Nothing was trained.");
    }

    private static long[] Shape(long count, long[] image) => new[] { count, image[0], image[1], image[2] };

    /// <inheritdoc />
    public void Dispose()
    {
        if (ownsData) Data.Dispose();
    }
}
