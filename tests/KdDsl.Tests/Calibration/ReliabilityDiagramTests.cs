using System;
using System.IO;
using System.Linq;
using KdDsl.Calibration;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Calibration;

/// <summary>The diagrams are real PNG files of the requested size (the picture itself was checked by eye once).</summary>
public sealed class ReliabilityDiagramTests : IDisposable
{
    private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kddsl-calibration-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static (CalibrationReport Before, CalibrationReport After) Reports()
    {
        const int count = 4_000, classes = 10;
        var (values, labelValues) = SyntheticLogits.Generate(count, classes, scale: 2.0, trueTemperature: 2.5, seed: 17);
        using var logits = tensor(values, new long[] { count, classes });
        using var labels = tensor(labelValues);
        double temperature = TemperatureScaling.Fit(logits, labels);
        return (CalibrationMetrics.ComputeFromLogits(logits, labels),
                CalibrationMetrics.ComputeFromLogits(logits, labels, temperature));
    }

    /// <summary>Checks the signature and reads width and height from the IHDR chunk (big-endian, bytes 16-23).</summary>
    private static (int Width, int Height) ReadPng(string path)
    {
        Assert.True(File.Exists(path), path);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 2_000, $"{path} has only {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes.Take(8).ToArray());
        int width = (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19];
        int height = (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23];
        return (width, height);
    }

    [Fact]
    public void Save_writes_a_png_of_the_requested_size()
    {
        var (before, _) = Reports();
        string path = Path.Combine(_folder, "nested", "teacher.png"); // the folder is created

        ReliabilityDiagram.Save(before, path, "Synthetic teacher", width: 600, height: 700);

        Assert.Equal((600, 700), ReadPng(path));
    }

    [Fact]
    public void Save_comparison_writes_a_png_and_replaces_an_existing_file()
    {
        var (before, after) = Reports();
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "comparison.png");
        File.WriteAllText(path, "stale");

        ReliabilityDiagram.SaveComparison(before, after, path, "Synthetic teacher", "T = 1", "temperature scaled");

        Assert.Equal((1300, 800), ReadPng(path));
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        var (before, _) = Reports();
        Assert.ThrowsAny<ArgumentException>(() => ReliabilityDiagram.Save(before, " ", "t"));
        Assert.ThrowsAny<ArgumentException>(() => ReliabilityDiagram.Save(before, Path.Combine(_folder, "a.png"), "t", width: 10));
        Assert.Throws<ArgumentNullException>(() => ReliabilityDiagram.Save(null!, Path.Combine(_folder, "a.png"), "t"));
    }
}
