using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using Xunit;
using DatasetException = KdDsl.Data.DatasetException;

namespace KdDsl.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    // Three 2 x 3 images whose bytes are 0, 15, 30, ..., 255.
    private static readonly byte[] Pixels = Enumerable.Range(0, 18).Select(i => (byte)(i * 15)).ToArray();
    private static readonly byte[] LabelBytes = { 7, 0, 9 };

    public void Dispose() => _dir.Dispose();

    private string Write(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Reads_raw_images_header_and_bytes()
    {
        IdxImages images = IdxFile.ReadImages(Write("images", IdxBytes.Images(3, 2, 3, Pixels)));

        Assert.Equal(3, images.Count);
        Assert.Equal(3, images.TotalCount);
        Assert.Equal(2, images.Rows);
        Assert.Equal(3, images.Columns);
        Assert.Equal(6, images.PixelsPerImage);
        Assert.Equal(Pixels, images.Pixels);
    }

    [Fact]
    public void Detects_gzip_by_its_header_not_by_the_file_name()
    {
        byte[] raw = IdxBytes.Images(3, 2, 3, Pixels);
        IdxImages fromGzipWithoutSuffix = IdxFile.ReadImages(Write("images-idx3-ubyte", IdxBytes.Gzip(raw)));
        IdxImages fromRawWithGzSuffix = IdxFile.ReadImages(Write("images-idx3-ubyte.gz", raw));

        Assert.Equal(Pixels, fromGzipWithoutSuffix.Pixels);
        Assert.Equal(Pixels, fromRawWithGzSuffix.Pixels);
    }

    [Fact]
    public void Reads_raw_and_gzip_labels()
    {
        byte[] raw = IdxBytes.Labels(LabelBytes);

        IdxLabels plain = IdxFile.ReadLabels(Write("labels", raw));
        IdxLabels gzip = IdxFile.ReadLabels(Write("labels.gz", IdxBytes.Gzip(raw)));

        Assert.Equal(LabelBytes, plain.Labels);
        Assert.Equal(3, plain.Count);
        Assert.Equal(LabelBytes, gzip.Labels);
    }

    [Fact]
    public void A_limit_keeps_the_first_samples_and_still_checks_the_whole_file()
    {
        string images = Write("images.gz", IdxBytes.Gzip(IdxBytes.Images(3, 2, 3, Pixels)));
        string labels = Write("labels", IdxBytes.Labels(LabelBytes));

        IdxImages firstTwo = IdxFile.ReadImages(images, limit: 2);
        Assert.Equal(2, firstTwo.Count);
        Assert.Equal(3, firstTwo.TotalCount);
        Assert.Equal(Pixels.Take(12).ToArray(), firstTwo.Pixels);
        Assert.Equal(new byte[] { 7 }, IdxFile.ReadLabels(labels, limit: 1).Labels);
        Assert.Equal(3, IdxFile.ReadLabels(labels, limit: 100).Count);

        // One byte short: the limit must not hide the truncation.
        string truncated = Write("short", IdxBytes.Images(3, 2, 3, Pixels[..^1]));
        Assert.Throws<DatasetException>(() => IdxFile.ReadImages(truncated, limit: 1));
    }

    [Fact]
    public void Wrong_magic_number_says_what_was_found_and_expected()
    {
        string labels = Write("labels", IdxBytes.Labels(LabelBytes));

        var error = Assert.Throws<DatasetException>(() => IdxFile.ReadImages(labels));

        Assert.Contains(Path.GetFullPath(labels), error.Message);
        Assert.Contains("2049", error.Message); // found
        Assert.Contains("2051", error.Message); // expected
    }

    [Fact]
    public void Images_passed_as_labels_are_rejected()
    {
        string images = Write("images", IdxBytes.Images(3, 2, 3, Pixels));

        var error = Assert.Throws<DatasetException>(() => IdxFile.ReadLabels(images));

        Assert.Contains("magic number is 2051", error.Message);
        Assert.Contains("2049", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_payload_names_the_file_and_expected_and_found_bytes(bool gzip)
    {
        byte[] bytes = IdxBytes.Images(3, 2, 3, Pixels[..^1]); // header promises 18 bytes, 17 follow
        string path = Write("truncated", gzip ? IdxBytes.Gzip(bytes) : bytes);

        var error = Assert.Throws<DatasetException>(() => IdxFile.ReadImages(path));

        Assert.Contains(Path.GetFullPath(path), error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("18 payload bytes", error.Message);
        Assert.Contains("found 17", error.Message);
    }

    [Fact]
    public void A_header_claiming_far_more_images_than_the_file_holds_is_rejected()
    {
        string path = Write("huge-claim", IdxBytes.Images(1_000_000, 28, 28, Pixels));

        var error = Assert.Throws<DatasetException>(() => IdxFile.ReadImages(path));

        Assert.Contains("784000000 payload bytes", error.Message);
        Assert.Contains("found 18", error.Message);
    }

    [Fact]
    public void Payload_longer_than_the_header_says_is_rejected()
    {
        string path = Write("labels", IdxBytes.Labels(LabelBytes, count: 2));

        var error = Assert.Throws<DatasetException>(() => IdxFile.ReadLabels(path));

        Assert.Contains("longer than its header", error.Message);
        Assert.Contains("found 3", error.Message);
    }

    [Fact]
    public void A_cut_off_gzip_stream_is_reported_as_invalid_data()
    {
        byte[] gz = IdxBytes.Gzip(IdxBytes.Images(3, 2, 3, Pixels));
        string path = Write("cut.gz", gz[..(gz.Length / 2)]);

        var error = Assert.Throws<DatasetException>(() => IdxFile.ReadImages(path));

        Assert.Contains(Path.GetFullPath(path), error.Message);
    }

    [Fact]
    public void Garbage_after_a_gzip_signature_is_reported_as_invalid_data()
    {
        string path = Write("garbage", new byte[] { 0x1f, 0x8b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff });

        var error = Assert.Throws<DatasetException>(() => IdxFile.ReadImages(path));

        Assert.Contains(Path.GetFullPath(path), error.Message);
    }

    [Fact]
    public void A_file_shorter_than_its_header_is_rejected()
    {
        string path = Write("tiny", new byte[] { 0, 0, 8, 3, 0, 0 });

        var error = Assert.Throws<DatasetException>(() => IdxFile.ReadImages(path));

        Assert.Contains("too short for its header", error.Message);
        Assert.Contains("expected 16 bytes, found 6", error.Message);
    }

    [Theory]
    [InlineData(-1, 2, 3)]
    [InlineData(3, 0, 3)]
    [InlineData(3, 2, 100_000)]
    public void Implausible_dimensions_are_rejected(int count, int rows, int columns)
    {
        string path = Write("bad-dims", IdxBytes.Images(count, rows, columns, Pixels));

        Assert.Throws<DatasetException>(() => IdxFile.ReadImages(path));
    }

    [Fact]
    public void Missing_file_names_its_full_path()
    {
        string path = _dir.File("no-such-file-idx3-ubyte.gz");

        var error = Assert.Throws<DatasetException>(() => IdxFile.ReadImages(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_negative_limit_is_an_argument_error()
    {
        string path = Write("labels", IdxBytes.Labels(LabelBytes));

        Assert.Throws<ArgumentOutOfRangeException>(() => IdxFile.ReadLabels(path, limit: -1));
    }
}
