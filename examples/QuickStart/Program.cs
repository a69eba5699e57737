using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using KdDsl.Examples.QuickStart;
using KdDsl.Reporting;
using KdDsl.Training;
using Spectre.Console;

// Distills WideMlp into SmallMlp on the embedded digits for several seeds and compares the distilled student with the
// same student trained alone (same initial weights, same batches).
var seedsOption = new Option<int>("--seeds") { Description = "How many seeds to run (42, 43, ...).", DefaultValueFactory = _ => 3 };
var epochsOption = new Option<int?>("--epochs") { Description = "Override the student's declared epochs." };
var root = new RootCommand("KdDsl quick start: teacher, student alone and distilled student on the embedded digits.") { seedsOption, epochsOption };
root.SetAction(parsed => Run(parsed.GetValue(seedsOption), parsed.GetValue(epochsOption)));
return root.Parse(args).Invoke();

static int Run(int seedCount, int? epochs)
{
    if (seedCount < 1)
    {
        AnsiConsole.MarkupLine("[red]--seeds must be at least 1.[/]");
        return 2;
    }
    if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200; // a file or pipe: do not wrap lines at 80 columns
    var results = new List<DigitsKd.Result>();
    ConsoleProgress.Show(progressFor =>
    {
        for (int i = 0; i < seedCount; i++)
        {
            int seed = DigitsKd.DeclaredSettings.Seed + i;
            results.Add(DigitsKd.Run(new RunOptions { Seed = seed, Epochs = epochs, Progress = progressFor($"seed {seed}:") }));
        }
    });

    var table = new Table().Title("Test accuracy on the digits test split")
        .AddColumns("Seed", "Teacher (WideMlp)", "Student alone (SmallMlp)", "Distilled student (SmallMlp)", "Gain");
    foreach (var r in results)
    {
        double alone = r.StudentAloneAccuracy!.Value;
        table.AddRow(r.Settings.Seed.ToString(CultureInfo.InvariantCulture), Percent(r.TeacherAccuracy), Percent(alone),
            Percent(r.StudentAccuracy), Points(r.StudentAccuracy - alone));
    }
    table.AddRow("mean ± std",
        MeanStd(results.Select(r => r.TeacherAccuracy)),
        MeanStd(results.Select(r => r.StudentAloneAccuracy!.Value)),
        MeanStd(results.Select(r => r.StudentAccuracy)),
        Points(results.Average(r => r.StudentAccuracy - r.StudentAloneAccuracy!.Value)));
    AnsiConsole.Write(table);

    var last = results[^1];
    AnsiConsole.MarkupLine($"Distillation losses of seed {last.Settings.Seed}, first → last epoch: " + string.Join(", ",
        DigitsKd.LossTermNames.Select((name, i) =>
            $"{name} {((IDistillationResult)last).LossHistory[0].Terms[i]:F3} → {((IDistillationResult)last).LossHistory[^1].Terms[i]:F3}")));
    int atLeast = results.Count(r => r.StudentAccuracy >= r.StudentAloneAccuracy!.Value);
    AnsiConsole.MarkupLine($"Distilled student at least as accurate as the student alone in {atLeast} of {results.Count} seeds " +
                           $"({results.Sum(r => r.Elapsed.TotalSeconds):F1} s in all).");
    foreach (var r in results) r.Dispose();
    return 0;
}

static string Percent(double accuracy) => (100 * accuracy).ToString("F2", CultureInfo.InvariantCulture) + "%";

static string Points(double difference) => (100 * difference).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) + " pt";

static string MeanStd(IEnumerable<double> accuracies)
{
    var (mean, std) = Statistics.MeanStd(accuracies);
    return $"{100 * mean:F2} ± {100 * std:F2}%";
}
