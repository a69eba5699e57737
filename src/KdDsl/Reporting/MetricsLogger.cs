using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using KdDsl.Training;
using ScottPlot;
using TorchSharp;

namespace KdDsl.Reporting;

/// <summary>
/// Records a run's losses and accuracies as it trains: every step of every phase in <c>{phase}.steps.csv</c>, per-epoch means
/// in <c>epochs.jsonl</c>, each per-epoch evaluation (<see cref="EpochEvaluation"/>: the distilled student's accuracy after
/// every epoch) in <c>accuracy.csv</c> and as an <c>{"phase", "epoch", "accuracy", "split"}</c> line in <c>epochs.jsonl</c>,
/// TensorBoard event files under <c>tensorboard/</c> (<c>tensorboard --logdir</c> reads them), and on
/// <see cref="SaveLossCurves"/> and <see cref="SaveAccuracyCurves"/> PNGs of the per-epoch curves. Pass it as
/// <see cref="RunOptions.Progress"/> (or through <see cref="ProgressFanout"/> next to a console display).
/// </summary>
public sealed class MetricsLogger : IProgress<TrainingProgress>, IProgress<EpochEvaluation>, IDisposable
{
    private readonly Dictionary<TrainingPhase, StreamWriter> steps = new();
    private readonly Dictionary<TrainingPhase, int> globalSteps = new();
    private readonly Dictionary<(TrainingPhase Phase, int Epoch), EpochSum> sums = new();
    private readonly List<EpochMetrics> epochs = new();
    private readonly List<EpochEvaluation> evaluations = new(); // evaluations of epochs that had no step reports here
    private readonly StreamWriter epochLines;
    private StreamWriter? accuracyRows;
    private readonly TorchSharp.Modules.SummaryWriter tensorBoard;

    /// <summary>Creates <paramref name="directory"/> if needed and starts the files.</summary>
    public MetricsLogger(string directory)
    {
        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
        epochLines = new StreamWriter(Path.Combine(Directory, "epochs.jsonl"));
        tensorBoard = torch.utils.tensorboard.SummaryWriter(Path.Combine(Directory, "tensorboard"), createRunName: false);
    }

    /// <summary>Where the files go.</summary>
    public string Directory { get; }

    /// <summary>The per-epoch means recorded so far.</summary>
    public IReadOnlyList<EpochMetrics> Epochs => epochs;

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        var names = value.TermNames ?? Array.Empty<string>();
        var terms = value.Terms.Span;
        if (!steps.TryGetValue(value.Phase, out var writer))
        {
            writer = new StreamWriter(Path.Combine(Directory, value.Phase + ".steps.csv"));
            writer.WriteLine(string.Join(",", new[] { "epoch", "step", "total" }.Concat(names)));
            steps[value.Phase] = writer;
        }
        writer.WriteLine(string.Join(",", new[] { Text(value.Epoch), Text(value.Step), Text(value.Loss) }.Concat(terms.ToArray().Select(Text))));

        int global = globalSteps.TryGetValue(value.Phase, out var g) ? g + 1 : 1;
        globalSteps[value.Phase] = global;
        tensorBoard.add_scalar($"{value.Phase}/total", (float)value.Loss, global);
        for (int i = 0; i < terms.Length && i < names.Count; i++)
            tensorBoard.add_scalar($"{value.Phase}/{names[i]}", (float)terms[i], global);

        var key = (value.Phase, value.Epoch);
        if (!sums.TryGetValue(key, out var sum)) sums[key] = sum = new EpochSum(names, terms.Length);
        sum.Total += value.Loss;
        for (int i = 0; i < terms.Length; i++) sum.Terms[i] += terms[i];
        sum.Count++;
        if (value.EndsEpoch) CloseEpoch(key);
    }

    private void CloseEpoch((TrainingPhase Phase, int Epoch) key)
    {
        var sum = sums[key];
        sums.Remove(key);
        var metrics = new EpochMetrics(key.Phase, key.Epoch, sum.Total / sum.Count,
            sum.Names.Select((name, i) => (name, sum.Terms[i] / sum.Count)).ToDictionary(p => p.name, p => p.Item2));
        epochs.Add(metrics);
        epochLines.WriteLine(JsonSerializer.Serialize(new { phase = key.Phase.ToString(), epoch = key.Epoch, total = metrics.Total, terms = metrics.Terms }));
        epochLines.Flush();
    }

    /// <summary>Writes a PNG of every phase's per-epoch total loss, and each distillation term, against the epoch.</summary>
    public void SaveLossCurves(string pngPath, string title = "Training loss per epoch")
    {
        var plot = new Plot();
        foreach (var phase in epochs.Select(e => e.Phase).Distinct())
        {
            var rows = epochs.Where(e => e.Phase == phase).ToList();
            var xs = rows.Select(r => (double)r.Epoch).ToArray();
            plot.Add.Scatter(xs, rows.Select(r => r.Total).ToArray()).LegendText = $"{phase}: total";
            if (phase == TrainingPhase.Distillation && rows[0].Terms.Count > 1)
                foreach (var term in rows[0].Terms.Keys)
                    plot.Add.Scatter(xs, rows.Select(r => r.Terms[term]).ToArray()).LegendText = $"{phase}: {term}";
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("mean loss");
        plot.Axes.SetupMultiplierNotation(plot.Axes.Left);
        plot.ShowLegend();
        Save(plot, pngPath);
    }

    /// <summary>Records one per-epoch evaluation: a row of <c>accuracy.csv</c>, a line of <c>epochs.jsonl</c>, a TensorBoard scalar.</summary>
    public void Report(EpochEvaluation value)
    {
        if (accuracyRows is null)
        {
            accuracyRows = new StreamWriter(Path.Combine(Directory, "accuracy.csv"));
            accuracyRows.WriteLine("phase,epoch,split,accuracy");
        }
        accuracyRows.WriteLine($"{value.Phase},{Text(value.Epoch)},{value.Split},{Text(value.Accuracy)}");
        accuracyRows.Flush();
        epochLines.WriteLine(JsonSerializer.Serialize(new { phase = value.Phase.ToString(), epoch = value.Epoch, accuracy = value.Accuracy, split = value.Split }));
        epochLines.Flush();
        tensorBoard.add_scalar($"{value.Phase}/accuracy_{value.Split}", (float)value.Accuracy, value.Epoch);
        int index = epochs.FindLastIndex(e => e.Phase == value.Phase && e.Epoch == value.Epoch);
        if (index >= 0) epochs[index] = epochs[index] with { Accuracy = value.Accuracy, AccuracySplit = value.Split };
        else evaluations.Add(value);
    }

    /// <summary>
    /// Writes a PNG of every recorded per-epoch accuracy (one curve per phase and split) against the epoch. Throws when no
    /// evaluation was recorded (a receiver that was not passed as <see cref="RunOptions.Progress"/> of a generated run).
    /// </summary>
    public void SaveAccuracyCurves(string pngPath, string title = "Accuracy after each epoch")
    {
        var points = epochs.Where(e => e.Accuracy is not null).Select(e => (e.Phase, e.Epoch, Accuracy: e.Accuracy!.Value, Split: e.AccuracySplit!))
            .Concat(evaluations.Select(e => (e.Phase, e.Epoch, e.Accuracy, e.Split))).ToList();
        if (points.Count == 0) throw new InvalidOperationException("No per-epoch accuracy was recorded, so there is no accuracy curve to plot.");
        var plot = new Plot();
        foreach (var group in points.GroupBy(p => (p.Phase, p.Split)))
        {
            var rows = group.OrderBy(p => p.Epoch).ToList();
            plot.Add.Scatter(rows.Select(r => (double)r.Epoch).ToArray(), rows.Select(r => 100 * r.Accuracy).ToArray()).LegendText =
                $"{group.Key.Phase}: {group.Key.Split} accuracy";
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("accuracy (%)");
        plot.ShowLegend();
        Save(plot, pngPath);
    }

    private static void Save(Plot plot, string pngPath)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(pngPath));
        if (!string.IsNullOrEmpty(folder)) System.IO.Directory.CreateDirectory(folder);
        plot.SavePng(pngPath, 900, 600);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var writer in steps.Values) writer.Dispose();
        accuracyRows?.Dispose();
        epochLines.Dispose();
    }

    private sealed class EpochSum(IReadOnlyList<string> names, int termCount)
    {
        public IReadOnlyList<string> Names { get; } = names;

        public double Total { get; set; }

        public double[] Terms { get; } = new double[termCount];

        public int Count { get; set; }
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// One phase's mean losses over one epoch and, when the phase was evaluated after it (the distillation phase of a generated
/// run), the accuracy and the split it was measured on.
/// </summary>
public sealed record EpochMetrics(TrainingPhase Phase, int Epoch, double Total, IReadOnlyDictionary<string, double> Terms,
    double? Accuracy = null, string? AccuracySplit = null);

/// <summary>
/// Sends each report to several receivers (e.g. a console display and a <see cref="MetricsLogger"/>); each
/// <see cref="EpochEvaluation"/> goes to the receivers that accept it.
/// </summary>
public sealed class ProgressFanout(params IProgress<TrainingProgress>[] receivers) : IProgress<TrainingProgress>, IProgress<EpochEvaluation>
{
    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        foreach (var receiver in receivers) receiver.Report(value);
    }

    /// <inheritdoc />
    public void Report(EpochEvaluation value)
    {
        foreach (var receiver in receivers)
            if (receiver is IProgress<EpochEvaluation> evaluations) evaluations.Report(value);
    }
}
