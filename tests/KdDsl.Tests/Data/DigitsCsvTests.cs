using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using KdDsl.Data;
using TorchSharp;
using Xunit;
using DatasetException = KdDsl.Data.DatasetException;

namespace KdDsl.Tests.Data;

public sealed class DigitsCsvTests : IDisposable
{
    // Facts about sklearn's digits.csv.gz, computed once with `zcat digits.csv.gz | awk -F, ...`.
    private const int Rows = 1797;
    private static readonly long[] ClassCounts = { 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 };
    private const long PixelSum = 561_718;
    private static readonly int[] FirstRowPixels =
    {
        0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0,
        0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0,
    };
    private const long FirstRowLabel = 0;
    private const long LastRowLabel = 8;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float[] Row(torch.Tensor features, long row) => features[row].data<float>().ToArray();

    [Fact]
    public void The_embedded_digits_have_1797_rows_of_64_features_and_10_classes()
    {
        using LabeledDataset digits = DigitsCsv.LoadEmbedded();

        Assert.Equal(Rows, digits.Count);
        Assert.Equal(64, digits.FeatureCount);
        Assert.Equal(10, digits.ClassCount);
        Assert.Equal(torch.ScalarType.Float32, digits.Features.dtype);
        Assert.Equal(torch.ScalarType.Int64, digits.Labels.dtype);
    }

    [Fact]
    public void The_embedded_digits_match_known_facts_about_the_file()
    {
        using LabeledDataset digits = DigitsCsv.LoadEmbedded();

        long[] counts = digits.Labels.data<long>().ToArray().ClassCounts(10);
        Assert.Equal(ClassCounts, counts);
        Assert.Equal(FirstRowPixels.Select(p => p / 16f).ToArray(), Row(digits.Features, 0));
        Assert.Equal(FirstRowLabel, digits.Labels[0].item<long>());
        Assert.Equal(LastRowLabel, digits.Labels[Rows - 1].item<long>());
        Assert.Equal(PixelSum, digits.Features.to_type(torch.ScalarType.Float64).sum().item<double>() * 16, 6);
        Assert.Equal(0f, digits.Features.min().item<float>());
        Assert.Equal(1f, digits.Features.max().item<float>());
    }

    [Fact]
    public void The_embedded_digits_equal_the_resource_parsed_independently()
    {
        // Independent reader: GZipStream + string.Split, no KdDsl parsing code.
        using Stream resource = typeof(DigitsCsv).Assembly.GetManifestResourceStream("KdDsl.Data.digits.csv.gz")!;
        using var reader = new StreamReader(new GZipStream(resource, CompressionMode.Decompress));
        var expected = new List<int[]>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
            if (line.Length > 0)
                expected.Add(line.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray());

        using LabeledDataset digits = DigitsCsv.LoadEmbedded();

        Assert.Equal(expected.Count, digits.Count);
        float[] features = digits.Features.data<float>().ToArray();
        long[] labels = digits.Labels.data<long>().ToArray();
        for (int r = 0; r < expected.Count; r++)
        {
            Assert.Equal(65, expected[r].Length);
            for (int c = 0; c < 64; c++)
                Assert.Equal(expected[r][c] / 16f, features[r * 64 + c]);
            Assert.Equal(expected[r][64], labels[r]);
        }
    }

    [Fact]
    public void A_file_loads_the_same_gzip_compressed_or_plain()
    {
        string csv = "0,16,8" + string.Concat(Enumerable.Repeat(",4", 61)) + ",3\n" +
                     string.Join(",", Enumerable.Repeat("16", 64)) + ",9\n\n";
        string plain = _dir.File("digits.csv");
        string gzip = _dir.File("digits-compressed");
        File.WriteAllText(plain, csv);
        File.WriteAllBytes(gzip, IdxBytes.Gzip(Encoding.UTF8.GetBytes(csv)));

        using LabeledDataset fromPlain = DigitsCsv.Load(plain);
        using LabeledDataset fromGzip = DigitsCsv.Load(gzip);

        foreach (LabeledDataset d in new[] { fromPlain, fromGzip })
        {
            Assert.Equal(2, d.Count);
            Assert.Equal(new[] { 0f, 1f, 0.5f, 0.25f }, Row(d.Features, 0)[..4]);
            Assert.All(Row(d.Features, 1), v => Assert.Equal(1f, v));
            Assert.Equal(new long[] { 3, 9 }, d.Labels.data<long>().ToArray());
        }
        Assert.Equal(Path.GetFullPath(plain), fromPlain.Name);
    }

    private static string GoodRow(int label = 1) => string.Join(",", Enumerable.Repeat("2", 64)) + "," + label;

    private DatasetException LoadBadThirdLine(string badLine)
    {
        string path = _dir.File("bad.csv");
        File.WriteAllText(path, GoodRow() + "\n" + GoodRow() + "\n" + badLine + "\n" + GoodRow() + "\n");
        var error = Assert.Throws<DatasetException>(() => DigitsCsv.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("line 3", error.Message);
        return error;
    }

    [Fact]
    public void A_row_with_64_values_is_rejected_with_its_line_number()
    {
        var error = LoadBadThirdLine(string.Join(",", Enumerable.Repeat("2", 64)));

        Assert.Contains("expected 65 comma-separated numbers", error.Message);
        Assert.Contains("found 64", error.Message);
    }

    [Fact]
    public void A_pixel_above_16_is_rejected_with_its_line_number()
    {
        var error = LoadBadThirdLine("17," + GoodRow()[2..]);

        Assert.Contains("pixel 1 is '17'", error.Message);
        Assert.Contains("from 0 to 16", error.Message);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("-1")]
    public void A_pixel_that_is_not_a_number_in_range_is_rejected(string pixel)
    {
        var error = LoadBadThirdLine("2," + pixel + "," + string.Join(",", Enumerable.Repeat("2", 62)) + ",1");

        Assert.Contains($"pixel 2 is '{pixel}'", error.Message);
    }

    [Fact]
    public void Label_10_is_rejected_naming_the_label()
    {
        var error = LoadBadThirdLine(GoodRow(label: 10));

        Assert.Contains("label 10", error.Message);
        Assert.Contains("0..9", error.Message);
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("seven")]
    [InlineData("")]
    public void A_label_that_is_not_an_integer_is_rejected(string label)
    {
        var error = LoadBadThirdLine(string.Join(",", Enumerable.Repeat("2", 64)) + "," + label);

        Assert.Contains($"the label (field 65) is '{label}'", error.Message);
        Assert.Contains("integer", error.Message);
    }

    [Fact]
    public void A_missing_file_names_its_full_path()
    {
        string path = _dir.File("missing.csv.gz");

        var error = Assert.Throws<DatasetException>(() => DigitsCsv.Load(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void An_empty_file_is_rejected()
    {
        string path = _dir.File("empty.csv");
        File.WriteAllText(path, "\n\n");

        var error = Assert.Throws<DatasetException>(() => DigitsCsv.Load(path));

        Assert.Contains("no rows", error.Message);
    }
}
