using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using KdDsl.Training;

namespace KdDsl.Reporting;

/// <summary>
/// Progress for output that is not a terminal (a file, a pipe, a CI log): whole lines only, each written and flushed at once,
/// so the output never ends in a stale, half-drawn progress bar. A phase's first and last epochs and every fifth of its
/// epochs get one line: the epoch, its last step's loss and terms, and, for distillation, the accuracy measured after it.
/// </summary>
public sealed class LineProgress(TextWriter writer, string label) : IProgress<TrainingProgress>, IProgress<EpochEvaluation>
{
    private readonly Dictionary<TrainingPhase, string> pending = new();

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        if (!value.EndsEpoch || !Shown(value.Epoch, value.Epochs)) return;
        string line = Describe(label, value).ToString();
        // The distillation loop measures the student after each epoch's last step: wait for that to complete the line.
        if (value.Phase == TrainingPhase.Distillation) pending[value.Phase] = line;
        else Write(line);
    }

    /// <inheritdoc />
    public void Report(EpochEvaluation value)
    {
        if (!pending.Remove(value.Phase, out var line)) return;
        Write(string.Create(CultureInfo.InvariantCulture, $"{line} | {value.Split} accuracy {100 * value.Accuracy:F1}%"));
    }

    /// <summary>Whether epoch <paramref name="epoch"/> of <paramref name="epochs"/> gets a line.</summary>
    public static bool Shown(int epoch, int epochs) => epoch == 1 || epoch == epochs || epoch % Math.Max(1, epochs / 5) == 0;

    /// <summary>"label Phase epoch e/E loss x Term y ...": the line both console reporters start from.</summary>
    internal static StringBuilder Describe(string label, TrainingProgress value)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{label} {value.Phase,-12} epoch {value.Epoch}/{value.Epochs} loss {value.Loss:F3}");
        var terms = value.Terms.Span;
        if (value.TermNames is { Count: > 1 } names)
            for (int i = 0; i < terms.Length && i < names.Count; i++)
                text.Append(CultureInfo.InvariantCulture, $" {names[i]} {terms[i]:F3}");
        return text;
    }

    private void Write(string line)
    {
        writer.WriteLine(line);
        writer.Flush();
    }
}
