using System.Globalization;
using KdDsl.Reporting;
using KdDsl.Training;
using KdDslExperiment;

// Usage: dotnet run [-- --epochs N]   (N overrides the declared epochs, e.g. 1 for a smoke test)
int? epochs = null;
int at = Array.IndexOf(args, "--epochs");
if (at >= 0)
{
    if (at + 1 >= args.Length || !int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
    {
        Console.Error.WriteLine("--epochs needs a whole number >= 1.");
        return 2;
    }
    epochs = n;
}

// Progress bars with ETA and live losses on a terminal; whole lines when the output goes to a file or a pipe.
DigitsKd.Result? run = null;
ConsoleProgress.Show(progressFor => run = DigitsKd.Run(new RunOptions { Epochs = epochs, Progress = progressFor("digits:") }));
using var result = run!;

string Percent(double accuracy) => accuracy.ToString("P2", CultureInfo.InvariantCulture);
Console.WriteLine($"Teacher (WideMlp) test accuracy:            {Percent(result.TeacherAccuracy)}");
if (result.StudentAloneAccuracy is double alone)
    Console.WriteLine($"Student alone (SmallMlp) test accuracy:     {Percent(alone)}");
Console.WriteLine($"Distilled student (SmallMlp) test accuracy: {Percent(result.StudentAccuracy)}");
Console.WriteLine($"Epochs: {result.Epochs.Count}, last distillation loss: {result.Epochs[^1].Total.ToString("F4", CultureInfo.InvariantCulture)}");
return 0;
