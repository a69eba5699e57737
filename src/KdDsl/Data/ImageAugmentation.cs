using System;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace KdDsl.Data;

/// <summary>
/// Random crop with padding and random horizontal flip of a batch of images, on the batch's device, with one gather per axis
/// (no per-sample loop, no copy of the data set): the batch is padded once, and each sample's rows and columns are read through
/// an index grid shifted by its crop offset (and, for a flipped sample, reversed). The offsets and flips are drawn on the CPU
/// from a generator seeded with (seed, epoch, step) alone, never from the global generator, so a batch's augmentation does not
/// depend on what ran before it: a resumed run draws what an uninterrupted one draws. Declared with <see cref="AugmentAttribute"/>.
/// </summary>
public sealed class ImageAugmentation
{
    /// <summary>Creates the augmentation; see <see cref="CropPadding"/>, <see cref="HorizontalFlip"/>, <see cref="FlatImageShape"/>, <see cref="PaddingFill"/>.</summary>
    public ImageAugmentation(int cropPadding, bool horizontalFlip, long[]? flatImageShape = null, double[]? paddingFill = null)
    {
        if (cropPadding < 0) throw new ArgumentOutOfRangeException(nameof(cropPadding), cropPadding, "The crop padding must be >= 0.");
        if (flatImageShape is not null && (flatImageShape.Length != 3 || flatImageShape.Any(d => d < 1)))
            throw new ArgumentException("A flat image shape is [C, H, W] with every size >= 1.", nameof(flatImageShape));
        CropPadding = cropPadding;
        HorizontalFlip = horizontalFlip;
        FlatImageShape = flatImageShape?.ToArray();
        PaddingFill = paddingFill?.ToArray();
    }

    /// <summary>Pixels of padding on every side before the random crop back to the original size (0: no crop).</summary>
    public int CropPadding { get; }

    /// <summary>Whether each image is mirrored left to right with probability 1/2.</summary>
    public bool HorizontalFlip { get; }

    /// <summary>How a flat sample [D] is laid out as an image [C, H, W] (row-major); null: batches must be [N, C, H, W].</summary>
    public long[]? FlatImageShape { get; }

    /// <summary>The value of the padding per channel (null: 0); after normalisation, raw black: <c>-mean / std</c>.</summary>
    public double[]? PaddingFill { get; }

    /// <summary>Whether the augmentation changes anything.</summary>
    public bool IsIdentity => CropPadding == 0 && !HorizontalFlip;

    /// <summary>
    /// The augmented copy of <paramref name="inputs"/> ([N, C, H, W], or [N, D] with <see cref="FlatImageShape"/>; same shape and
    /// device out), for training step <paramref name="step"/> (1-based) of <paramref name="epoch"/> of a run seeded with <paramref name="seed"/>.
    /// </summary>
    public Tensor Apply(Tensor inputs, int seed, int epoch, int step)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (IsIdentity) return inputs.alias();
        using var scope = NewDisposeScope();
        var images = AsImages(inputs);
        long n = images.shape[0], channels = images.shape[1], height = images.shape[2], width = images.shape[3];
        int p = CropPadding;
        if (p >= height || p >= width)
            throw new ArgumentException($"A crop padding of {p} does not fit images of {height}x{width}; it must be less than both sizes.", nameof(inputs));
        if (PaddingFill is { } check && check.Length != channels)
            throw new ArgumentException($"{check.Length} padding values do not fit images of {channels} channels.", nameof(inputs));

        var (offsets, flips) = Draw(n, seed, epoch, step);
        var device = images.device;
        var rows = offsets.select(1, 0).unsqueeze(1) + arange(height, ScalarType.Int64).unsqueeze(0);                   // [N, H]
        var columns = arange(width, ScalarType.Int64).unsqueeze(0).expand(n, width);
        if (HorizontalFlip) columns = where(flips.unsqueeze(1), (width - 1) - columns, columns);                         // mirrored
        columns = offsets.select(1, 1).unsqueeze(1) + columns;                                                         // [N, W]

        Tensor? fill = PaddingFill is { } values && p > 0 && values.Any(v => v != 0)
            ? tensor(values, new long[] { 1, channels, 1, 1 }).to_type(images.dtype).to(device)
            : null;
        var source = images;
        if (p > 0)
        {
            // Shifting by the fill value makes zero padding pad with it.
            source = nn.functional.pad(fill is null ? images : images - fill, new long[] { p, p, p, p });
            source = source.gather(2, rows.to(device).view(n, 1, height, 1).expand(n, channels, height, width + 2 * p));
        }
        var result = source.gather(3, columns.to(device).view(n, 1, 1, width).expand(n, channels, height, width));
        if (fill is not null) result = result + fill;
        return result.reshape(inputs.shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per sample: the crop offsets (row, column) in [0, 2 * padding] of the padded image and whether it is flipped, from a
    /// generator seeded with (seed, epoch, step). Both are always drawn, so one draws the same offsets with or without flips.
    /// </summary>
    public (Tensor Offsets, Tensor Flips) Draw(long count, int seed, int epoch, int step)
    {
        using var generator = new Generator(Mix(seed, epoch, step));
        var offsets = randint(0, 2L * CropPadding + 1, new long[] { count, 2 }, dtype: ScalarType.Int64, generator: generator);
        var flips = randint(0, 2, new long[] { count }, dtype: ScalarType.Int64, generator: generator).eq(1);
        return (offsets, flips);
    }

    private Tensor AsImages(Tensor inputs)
    {
        if (inputs.dim() == 4) return inputs;
        if (inputs.dim() == 2 && FlatImageShape is { } shape && inputs.shape[1] == shape[0] * shape[1] * shape[2])
            return inputs.view(inputs.shape[0], shape[0], shape[1], shape[2]);
        throw new ArgumentException(
            $"[Augment] crops and flips images [N, C, H, W], but the batch has shape {LabeledDataset.ShapeText(inputs.shape)}" +
            (FlatImageShape is { } s ? $" (flat samples must have {s[0] * s[1] * s[2]} values, images {LabeledDataset.ShapeText(s)})" : "") +
            "; load the data as images (e.g. IdxLayout.Images) or remove [Augment].", nameof(inputs));
    }

    // SplitMix64 over seed, epoch and step, salted so the stream differs from the batch order's (Batches.EpochOrder).
    private static ulong Mix(int seed, int epoch, int step)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch * 0xBF58476D1CE4E5B9UL
                            ^ (ulong)(uint)step * 0x94D049BB133111EBUL ^ 0xA5A5_0F0F_1234_5678UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>A description of every setting (part of the distillation checkpoint's settings fingerprint).</summary>
    public override string ToString() =>
        $"crop padding {CropPadding}, horizontal flip {(HorizontalFlip ? "on" : "off")}" +
        (FlatImageShape is { } s ? ", flat images " + LabeledDataset.ShapeText(s) : "") +
        (PaddingFill is { } f ? ", padding " + string.Join("/", f.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) : "");
}
