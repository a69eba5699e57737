using System;
using System.Linq;
using KdDsl.Data;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Augmentation;

/// <summary>Crop and flip against a plain per-sample loop, and the seeding: the same (seed, epoch, step) the same batch.</summary>
public sealed class ImageAugmentationTests
{
    private static Tensor Images(long n = 5, long c = 2, long h = 5, long w = 6) =>
        arange(n * c * h * w, ScalarType.Float32).reshape(n, c, h, w) + 1; // every pixel distinct and non-zero

    /// <summary>The reference: for each sample, pixel (y, x) of the output reads padded pixel (y + dy, x' + dx) with x' mirrored when flipped.</summary>
    private static float[] Reference(Tensor images, int padding, bool flip, long[] offsets, bool[] flips, double[]? fill)
    {
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        float[] source = images.data<float>().ToArray();
        var result = new float[source.Length];
        for (long i = 0; i < n; i++)
        for (long ch = 0; ch < c; ch++)
        for (long y = 0; y < h; y++)
        for (long x = 0; x < w; x++)
        {
            long column = flip && flips[i] ? w - 1 - x : x;
            long sy = y + offsets[2 * i] - padding, sx = column + offsets[2 * i + 1] - padding; // in the unpadded image
            bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
            result[((i * c + ch) * h + y) * w + x] = inside ? source[((i * c + ch) * h + sy) * w + sx] : (float)(fill?[ch] ?? 0);
        }
        return result;
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(2, false)]
    [InlineData(0, true)]
    [InlineData(4, true)]
    public void Crop_and_flip_equal_a_per_sample_loop(int padding, bool flip)
    {
        using var scope = NewDisposeScope();
        var images = Images();
        var augmentation = new ImageAugmentation(padding, flip);
        var (offsets, flips) = augmentation.Draw(5, seed: 3, epoch: 2, step: 7);
        var expected = Reference(images, padding, flip, offsets.data<long>().ToArray(), flips.data<bool>().ToArray(), null);
        var actual = augmentation.Apply(images, seed: 3, epoch: 2, step: 7);
        Assert.Equal(images.shape, actual.shape);
        Assert.Equal(expected, actual.data<float>().ToArray());
        // The draws are in range: offsets in [0, 2p], both flips appear over many samples.
        var (manyOffsets, manyFlips) = augmentation.Draw(1000, 3, 2, 7);
        Assert.Equal(0, manyOffsets.min().item<long>());
        Assert.Equal(2L * padding, manyOffsets.max().item<long>());
        Assert.InRange(manyFlips.sum().item<long>(), 400, 600);
    }

    [Fact]
    public void Padding_after_normalisation_is_raw_black()
    {
        using var scope = NewDisposeScope();
        var images = Images();
        double[] fill = { -0.5, -2.0 };
        var augmentation = new ImageAugmentation(3, true, paddingFill: fill);
        var (offsets, flips) = augmentation.Draw(5, 1, 1, 1);
        var expected = Reference(images, 3, true, offsets.data<long>().ToArray(), flips.data<bool>().ToArray(), fill);
        Assert.Equal(expected, augmentation.Apply(images, 1, 1, 1).data<float>().ToArray());
    }

    [Fact]
    public void Flat_batches_are_augmented_as_their_images()
    {
        using var scope = NewDisposeScope();
        var images = Images(4, 1, 6, 6);
        var flat = images.reshape(4, 36);
        var asImages = new ImageAugmentation(2, true).Apply(images, 9, 1, 3);
        var asFlat = new ImageAugmentation(2, true, flatImageShape: new long[] { 1, 6, 6 }).Apply(flat, 9, 1, 3);
        Assert.Equal(new long[] { 4, 36 }, asFlat.shape);
        Assert.Equal(asImages.reshape(4, 36).data<float>().ToArray(), asFlat.data<float>().ToArray());
        var error = Assert.Throws<ArgumentException>(() => new ImageAugmentation(2, true).Apply(flat, 9, 1, 3));
        Assert.Contains("[N, C, H, W]", error.Message);
    }

    [Fact]
    public void The_same_seed_epoch_and_step_give_the_same_batch_and_others_differ()
    {
        using var scope = NewDisposeScope();
        var images = Images(16, 1, 8, 8);
        var augmentation = new ImageAugmentation(2, true);
        float[] Run(int seed, int epoch, int step)
        {
            manual_seed(seed + epoch + step + 1000); // the global generator must not matter
            return augmentation.Apply(images, seed, epoch, step).data<float>().ToArray();
        }
        float[] reference = Run(1, 1, 1);
        Assert.Equal(reference, Run(1, 1, 1));
        Assert.NotEqual(reference, Run(1, 2, 1)); // another epoch: other crops
        Assert.NotEqual(reference, Run(1, 1, 2)); // another step
        Assert.NotEqual(reference, Run(2, 1, 1)); // another seed
        Assert.Equal(images.data<float>().ToArray(), new ImageAugmentation(0, false).Apply(images, 1, 1, 1).data<float>().ToArray());
    }
}
