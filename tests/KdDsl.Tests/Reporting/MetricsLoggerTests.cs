using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using KdDsl.Reporting;
using KdDsl.Tests.EndToEnd;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.Reporting;

/// <summary>The metrics files of a real run: CSV per step, JSON lines per epoch, accuracy per epoch, TensorBoard events, loss and accuracy curves.</summary>
public sealed class MetricsLoggerTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kddsl-metrics-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void A_run_logs_every_step_and_epoch_of_every_phase()
    {
        TinyDigitsKd.Result result;
        using (var logger = new MetricsLogger(folder))
        {
            result = TinyDigitsKd.Run(new RunOptions { Progress = logger });
            logger.SaveLossCurves(Path.Combine(folder, "loss.png"));
            logger.SaveAccuracyCurves(Path.Combine(folder, "accuracy.png"));
            Assert.Equal(result.Epochs.Select(e => (double?)e.Accuracy),
                logger.Epochs.Where(e => e.Phase == TrainingPhase.Distillation).Select(e => e.Accuracy));
        }
        using var _ = result;

        // Per step: 400 samples / 32 = 13 steps per epoch, 3 distillation epochs; each row's total is the declared weighted sum.
        var rows = File.ReadAllLines(Path.Combine(folder, "Distillation.steps.csv"));
        Assert.Equal("epoch,step,total,CrossEntropy,KlDivergence", rows[0]);
        Assert.Equal(1 + 3 * 13, rows.Length);
        foreach (var row in rows.Skip(1).Select(r => r.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()))
            Assert.Equal(0.25 * row[3] + 0.75 * row[4], row[2], 9);
        Assert.Equal(1 + 4 * 13, File.ReadAllLines(Path.Combine(folder, "Teacher.steps.csv")).Length);

        // Per epoch: the logger's own means agree with the loop's typed result.
        var epochs = File.ReadAllLines(Path.Combine(folder, "epochs.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4 + 3 + 3 + 3, epochs.Count); // teacher, student alone, distillation epochs, and 3 distillation evaluations
        var distillation = epochs.Where(e => e.GetProperty("phase").GetString() == "Distillation" && e.TryGetProperty("total", out var ignoredTotal)).ToList();
        var evaluations = epochs.Where(e => e.TryGetProperty("accuracy", out var ignoredAccuracy)).ToList();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(result.Epochs[i].Total, distillation[i].GetProperty("total").GetDouble(), 9);
            Assert.Equal(result.Epochs[i].KlDivergence, distillation[i].GetProperty("terms").GetProperty("KlDivergence").GetDouble(), 9);
            Assert.Equal(i + 1, evaluations[i].GetProperty("epoch").GetInt32());
            Assert.Equal(result.Epochs[i].Accuracy, evaluations[i].GetProperty("accuracy").GetDouble(), 15);
            Assert.Equal("test", evaluations[i].GetProperty("split").GetString());
        }

        // Per epoch, the accuracy as CSV: the same figures; and the final one is the student's test accuracy (no validation split).
        var accuracy = File.ReadAllLines(Path.Combine(folder, "accuracy.csv"));
        Assert.Equal("phase,epoch,split,accuracy", accuracy[0]);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => $"Distillation,{i + 1},test,{result.Epochs[i].Accuracy.ToString("R", CultureInfo.InvariantCulture)}"),
            accuracy.Skip(1));
        Assert.Equal(result.StudentAccuracy, result.Epochs[^1].Accuracy, 15);

        var events = Directory.GetFiles(Path.Combine(folder, "tensorboard"), "events.out.tfevents*", SearchOption.AllDirectories);
        Assert.NotEmpty(events);
        Assert.True(new FileInfo(events[0]).Length > 1000);
        foreach (var name in new[] { "loss.png", "accuracy.png" })
        {
            var png = File.ReadAllBytes(Path.Combine(folder, name));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4));
            Assert.True(png.Length > 10_000, name); // a drawn plot, not an empty image
        }
    }
}
