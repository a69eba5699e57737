using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ScottPlot;

namespace KdDsl.Calibration;

/// <summary>
/// Reliability diagrams (Guo et al., 2017, figure 1) rendered to PNG with ScottPlot: per-bin accuracy bars against the
/// diagonal of perfect calibration, the gap to the bin's mean confidence shaded, and below them the share of samples per
/// confidence bin with the average confidence and the accuracy marked. The ECE, MCE and NLL are in the title.
/// </summary>
/// <remarks>
/// Rendering needs SkiaSharp's native library (shipped for Linux x64 by the <c>SkiaSharp.NativeAssets.Linux.NoDependencies</c>
/// package that ScottPlot brings in) and, for the text, a TrueType font under <c>/usr/share/fonts</c> (Debian:
/// <c>fonts-dejavu-core</c>). A sans-serif family (DejaVu Sans, Liberation Sans, ...) is picked when one is installed;
/// without any font the PNG is still written, with the bars and lines but no text.
/// </remarks>
public static class ReliabilityDiagram
{
    private static readonly Color AccuracyColor = Color.FromHex("#1F77B4");
    private static readonly Color GapColor = Color.FromHex("#D62728");
    private static readonly Color CountColor = Color.FromHex("#7F7F7F");
    private static readonly string[] SansFamilies = { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Open Sans", "Arial", "Helvetica", "FreeSans" };
    private static readonly Lazy<string?> SansFamily = new(FindSansFamily);

    // The same horizontal data-area margins for every panel, so that the reliability and histogram x axes line up.
    private static readonly PixelPadding ReliabilityPadding = new(left: 70, right: 25, bottom: 50, top: 62);
    private static readonly PixelPadding HistogramPadding = new(left: 70, right: 25, bottom: 50, top: 12);

    /// <summary>Writes the reliability diagram of <paramref name="report"/> to <paramref name="pngPath"/>.</summary>
    /// <param name="report">The calibration to draw (from <see cref="CalibrationMetrics"/>).</param>
    /// <param name="pngPath">The PNG file to write; its folder is created if missing, an existing file is replaced.</param>
    /// <param name="title">Title drawn above the diagram; a second line gives the ECE, MCE, NLL and N.</param>
    /// <param name="width">Image width in pixels (at least 200).</param>
    /// <param name="height">Image height in pixels (at least 200).</param>
    /// <exception cref="ArgumentException">An empty path, or a size below 200 pixels.</exception>
    public static void Save(CalibrationReport report, string pngPath, string title, int width = 700, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(title);
        CheckOutput(pngPath, width, height);
        var multiplot = new Multiplot();
        var layout = new ScottPlot.MultiplotLayouts.CustomGrid();
        AddPanel(multiplot, layout, report, title, column: 0, columnCount: 1);
        multiplot.Layout = layout;
        Write(multiplot, pngPath, width, height);
    }

    /// <summary>
    /// Writes two reliability diagrams side by side, <paramref name="before"/> on the left and <paramref name="after"/> on the
    /// right (typically the raw teacher and the teacher after temperature scaling), with the same axes.
    /// </summary>
    /// <param name="before">The calibration on the left panel.</param>
    /// <param name="after">The calibration on the right panel.</param>
    /// <param name="pngPath">The PNG file to write; its folder is created if missing, an existing file is replaced.</param>
    /// <param name="title">Title common to both panels; each panel appends its label, and a second line gives its ECE, MCE, NLL and N.</param>
    /// <param name="beforeLabel">Name of the left panel.</param>
    /// <param name="afterLabel">Name of the right panel.</param>
    /// <param name="width">Image width in pixels (at least 200).</param>
    /// <param name="height">Image height in pixels (at least 200).</param>
    /// <exception cref="ArgumentException">An empty path, or a size below 200 pixels.</exception>
    public static void SaveComparison(CalibrationReport before, CalibrationReport after, string pngPath, string title,
        string beforeLabel = "before", string afterLabel = "after", int width = 1300, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(beforeLabel);
        ArgumentNullException.ThrowIfNull(afterLabel);
        CheckOutput(pngPath, width, height);
        var multiplot = new Multiplot();
        var layout = new ScottPlot.MultiplotLayouts.CustomGrid();
        // One y scale for both histograms, so the shift of mass between bins reads directly across the panels.
        double top = Math.Max(TallestBin(before), TallestBin(after));
        AddPanel(multiplot, layout, before, Join(title, beforeLabel), column: 0, columnCount: 2, top);
        AddPanel(multiplot, layout, after, Join(title, afterLabel), column: 1, columnCount: 2, top);
        multiplot.Layout = layout;
        Write(multiplot, pngPath, width, height);
    }

    private static string Join(string title, string label) =>
        string.IsNullOrWhiteSpace(title) ? label : string.IsNullOrWhiteSpace(label) ? title : $"{title}: {label}";

    private static void CheckOutput(string pngPath, int width, int height)
    {
        if (string.IsNullOrWhiteSpace(pngPath)) throw new ArgumentException("The PNG path is empty.", nameof(pngPath));
        if (width < 200) throw new ArgumentException($"The width must be at least 200 pixels, got {width}.", nameof(width));
        if (height < 200) throw new ArgumentException($"The height must be at least 200 pixels, got {height}.", nameof(height));
    }

    private static void Write(Multiplot multiplot, string pngPath, int width, int height)
    {
        string fullPath = Path.GetFullPath(pngPath);
        string? folder = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        multiplot.SavePng(fullPath, width, height);
    }

    private static string Percent(double fraction) => (100 * fraction).ToString("0.00", CultureInfo.InvariantCulture) + " %";

    /// <summary>One column: the reliability diagram (7/10 of the height) above the confidence histogram (3/10).</summary>
    private static void AddPanel(Multiplot multiplot, ScottPlot.MultiplotLayouts.CustomGrid layout, CalibrationReport report,
        string title, int column, int columnCount, double? histogramTop = null)
    {
        var reliability = NewPlot();
        var histogram = NewPlot();
        DrawReliability(reliability, report, title);
        DrawHistogram(histogram, report, histogramTop ?? TallestBin(report));
        multiplot.AddPlot(reliability);
        multiplot.AddPlot(histogram);
        layout.Set(reliability, new GridCell(0, column, 10, columnCount, 7, 1));
        layout.Set(histogram, new GridCell(7, column, 10, columnCount, 3, 1));
    }

    private static Plot NewPlot()
    {
        var plot = new Plot();
        if (SansFamily.Value is { } family) plot.Font.Set(family);
        return plot;
    }

    private static void DrawReliability(Plot plot, CalibrationReport report, string title)
    {
        double width = 1.0 / report.BinCount;
        var accuracyBars = new List<Bar>();
        var gapBars = new List<Bar>();
        foreach (var bin in report.Bins.Where(b => !b.IsEmpty))
        {
            double center = (bin.Lower + bin.Upper) / 2;
            accuracyBars.Add(new Bar
            {
                Position = center, Value = bin.Accuracy, ValueBase = 0, Size = width,
                FillColor = AccuracyColor.WithAlpha(0.85), LineColor = Colors.Black, LineWidth = 1,
            });
            gapBars.Add(new Bar
            {
                Position = center, Value = bin.Confidence, ValueBase = bin.Accuracy, Size = width,
                FillColor = GapColor.WithAlpha(0.25), FillHatch = new ScottPlot.Hatches.Striped(), FillHatchColor = GapColor.WithAlpha(0.6),
                LineColor = GapColor, LineWidth = 1,
            });
        }

        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LineColor = Colors.DimGray;
        diagonal.LineWidth = 2;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "Perfect calibration";
        if (accuracyBars.Count > 0)
        {
            plot.Add.Bars(accuracyBars).LegendText = "Accuracy per bin";
            plot.Add.Bars(gapBars).LegendText = "Gap to mean confidence";
        }

        // Three short entries in the upper-left corner, which only a strongly under-confident model reaches (accuracy
        // above ~0.8 at confidence below ~0.35); the metrics go in the title's second line.
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Layout.Fixed(ReliabilityPadding);
        plot.Title($"{title}\nECE {Percent(report.ExpectedCalibrationError)}   MCE {Percent(report.MaximumCalibrationError)}   " +
                   $"NLL {report.NegativeLogLikelihood.ToString("0.000", CultureInfo.InvariantCulture)}   N = {report.SampleCount}", size: 15);
        plot.XLabel("Confidence");
        plot.YLabel("Accuracy");
        plot.Axes.SetLimits(0, 1, 0, 1);
    }

    /// <summary>The largest share of samples in one bin, in percent (100 when every bin is empty).</summary>
    private static double TallestBin(CalibrationReport report) =>
        report.Bins.Any(b => !b.IsEmpty) ? report.Bins.Where(b => !b.IsEmpty).Max(b => 100.0 * b.Count / report.SampleCount) : 100;

    private static void DrawHistogram(Plot plot, CalibrationReport report, double top)
    {
        double width = 1.0 / report.BinCount;
        var bars = report.Bins.Where(b => !b.IsEmpty).Select(b => new Bar
        {
            Position = (b.Lower + b.Upper) / 2, Value = 100.0 * b.Count / report.SampleCount, Size = width,
            FillColor = CountColor.WithAlpha(0.6), LineColor = Colors.Black, LineWidth = 1,
        }).ToList();
        if (bars.Count > 0) plot.Add.Bars(bars);

        var confidence = plot.Add.VerticalLine(report.AverageConfidence, 2, GapColor, LinePattern.Dashed);
        confidence.LegendText = $"Avg confidence {Percent(report.AverageConfidence)}";
        var accuracy = plot.Add.VerticalLine(report.Accuracy, 2, AccuracyColor, LinePattern.Solid);
        accuracy.LegendText = $"Accuracy {Percent(report.Accuracy)}";
        // One horizontal row of legend above the tallest bar (the y range has headroom for it).
        plot.ShowLegend(Alignment.UpperCenter, Orientation.Horizontal);
        plot.Layout.Fixed(HistogramPadding);

        plot.XLabel("Confidence");
        plot.YLabel("% of samples");
        plot.Axes.SetLimits(0, 1, 0, top * 1.4);
    }

    /// <summary>The first installed sans-serif family, or null to keep ScottPlot's default (SkiaSharp's first font).</summary>
    private static string? FindSansFamily()
    {
        foreach (string family in SansFamilies)
        {
            try
            {
                var typeface = Fonts.GetTypeface(family, bold: false, italic: false);
                if (typeface is not null && string.Equals(typeface.FamilyName, family, StringComparison.OrdinalIgnoreCase))
                    return family;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A broken font configuration only costs the preferred family.
            }
        }
        return null;
    }
}
