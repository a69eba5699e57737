using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using KdDsl.Training;
using Spectre.Console;

namespace KdDsl.Reporting;

/// <summary>
/// One Spectre.Console progress bar per training phase, with the remaining time and the latest value of every loss term.
/// Create it inside <c>AnsiConsole.Progress().Start(context => ...)</c>; <see cref="Columns"/> are the columns it expects.
/// After a per-epoch evaluation it also shows the latest accuracy.
/// </summary>
public sealed class ConsoleProgress(ProgressContext context, string label) : IProgress<TrainingProgress>, IProgress<EpochEvaluation>
{
    private readonly Dictionary<TrainingPhase, ProgressTask> tasks = new();
    private readonly Dictionary<TrainingPhase, EpochEvaluation> latest = new();

    /// <summary>Description, bar, percentage, remaining time, spinner.</summary>
    public static ProgressColumn[] Columns =>
        new ProgressColumn[] { new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn() };

    /// <summary>
    /// Runs <paramref name="body"/> with progress reporting on the console: live Spectre.Console bars on a terminal, and
    /// <see cref="LineProgress"/> (whole lines, flushed) when the output goes to a file or a pipe, where redrawn bars would
    /// leave partial lines behind. <paramref name="body"/> receives a factory of one reporter per label (e.g. per seed).
    /// </summary>
    public static void Show(Action<Func<string, IProgress<TrainingProgress>>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
            AnsiConsole.Progress().Columns(Columns).Start(context => body(label => new ConsoleProgress(context, label)));
        else
            body(label => new LineProgress(Console.Out, label));
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        if (!tasks.TryGetValue(value.Phase, out var task))
        {
            task = context.AddTask(Markup.Escape($"{label} {value.Phase}"), maxValue: (double)value.Epochs * value.StepsPerEpoch);
            tasks[value.Phase] = task;
        }
        task.Value = (double)(value.Epoch - 1) * value.StepsPerEpoch + value.Step;
        task.Description = Markup.Escape(Describe(value));
    }

    private string Describe(TrainingProgress value)
    {
        var text = LineProgress.Describe(label, value);
        if (latest.TryGetValue(value.Phase, out var evaluation))
            text.Append(CultureInfo.InvariantCulture, $" | {evaluation.Split} accuracy {evaluation.Accuracy:P1} after epoch {evaluation.Epoch}");
        return text.ToString();
    }

    /// <inheritdoc />
    public void Report(EpochEvaluation value) => latest[value.Phase] = value;
}
