using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Examples.ImageKd;
using KdDsl.Reporting;
using KdDsl.Training;
using TorchSharp;

// Image KD on Fashion-MNIST (docs/experiments/image-kd.md): a ResNet-20 teacher trained on all 60,000 images, a 6k-parameter
// CNN student trained alone, with logit KD, with KD + a FitNets hint and with KD + attention transfer, over several seeds.
var dataOption = new Option<string>("--data")
{
    Description = "Folder with the Fashion-MNIST IDX files (train-images-idx3-ubyte.gz, ...).",
    DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
};
var seedsOption = new Option<int>("--seeds") { Description = "Student seeds per method (42, 43, ...).", DefaultValueFactory = _ => 3 };
var trainOption = new Option<int>("--train-limit") { Description = "Training images used (0 = all 60,000).", DefaultValueFactory = _ => 0 };
var testOption = new Option<int>("--test-limit") { Description = "Test images used (0 = all 10,000).", DefaultValueFactory = _ => 0 };
var epochsOption = new Option<int?>("--epochs") { Description = "Override the declared epochs (teacher 5, students 6) for a smoke run." };
var teacherOption = new Option<string>("--teacher")
{
    Description = "Teacher checkpoint: loaded when it exists, else the teacher is trained once and saved there.",
    DefaultValueFactory = _ => "artifacts/image-kd/teacher-resnet20.bin",
};
var threadsOption = new Option<int>("--threads") { Description = "Torch CPU threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
var root = new RootCommand("Image KD on Fashion-MNIST: ResNet-20 teacher, small CNN student; alone, KD, KD + hint, KD + attention transfer.")
{
    dataOption, seedsOption, trainOption, testOption, epochsOption, teacherOption, threadsOption,
};
root.SetAction(parsed => ImageKdProgram.Run(parsed.GetValue(dataOption)!, parsed.GetValue(seedsOption), parsed.GetValue(trainOption),
    parsed.GetValue(testOption), parsed.GetValue(epochsOption), parsed.GetValue(teacherOption)!, parsed.GetValue(threadsOption)));
return root.Parse(args).Invoke();

internal static class ImageKdProgram
{
    public static int Run(string directory, int seeds, int trainLimit, int testLimit, int? epochs, string teacher, int threads)
    {
        if (seeds < 1 || trainLimit < 0 || testLimit < 0 || epochs is < 1 || threads < 1)
        {
            Console.Error.WriteLine("error: --seeds, --epochs and --threads must be at least 1; the limits 0 (all) or positive.");
            return 2;
        }
        torch.set_num_threads(threads);
        DatasetSplits data;
        try
        {
            data = FashionMnist.Load(directory, trainLimit, testLimit, IdxLayout.Images);
        }
        catch (DatasetException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
        using (data)
        {
            var settings = LogitKd.DeclaredSettings;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Fashion-MNIST from {directory}: {data.Train.Count} training and {data.Test.Count} test images [1, 28, 28]; " +
                $"teacher ResNet-20 (checkpoint {teacher}); student TinyCnn; {epochs ?? settings.Epochs} student epochs, batch " +
                $"{settings.BatchSize}, Adam lr {settings.LearningRate} cosine; seeds {string.Join(", ", Enumerable.Range(settings.Seed, seeds))}; " +
                $"{threads} torch thread(s) on {Environment.ProcessorCount} cores."));
            var rows = new Dictionary<string, List<double>> { ["student alone"] = new(), ["KD"] = new(), ["KD + hint"] = new(), ["KD + AT"] = new() };
            var seconds = rows.Keys.ToDictionary(k => k, _ => 0.0);
            double teacherAccuracy = double.NaN;
            var clock = Stopwatch.StartNew();
            ConsoleProgress.Show(progressFor =>
            {
                for (int i = 0; i < seeds; i++)
                {
                    int seed = settings.Seed + i;
                    var options = new RunOptions { Seed = seed, Epochs = epochs, TeacherCheckpoint = teacher };
                    var watch = Stopwatch.StartNew();
                    using (var kd = LogitKd.Run(data, options with { Progress = progressFor($"KD seed {seed}") }))
                    {
                        teacherAccuracy = kd.TeacherAccuracy;
                        rows["KD"].Add(kd.StudentAccuracy);
                        rows["student alone"].Add(kd.StudentAloneAccuracy!.Value);
                    }
                    seconds["KD"] += watch.Elapsed.TotalSeconds; // includes the baseline (and the teacher's training in the first run)
                    watch.Restart();
                    using (var hint = HintKd.Run(data, options with { Progress = progressFor($"KD + hint seed {seed}") }))
                        rows["KD + hint"].Add(hint.StudentAccuracy);
                    seconds["KD + hint"] += watch.Elapsed.TotalSeconds;
                    watch.Restart();
                    using (var attention = AttentionKd.Run(data, options with { Progress = progressFor($"KD + AT seed {seed}") }))
                        rows["KD + AT"].Add(attention.StudentAccuracy);
                    seconds["KD + AT"] += watch.Elapsed.TotalSeconds;
                }
            });
            clock.Stop();

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Teacher ResNet-20 test accuracy: {100 * teacherAccuracy:F2}%"));
            Console.WriteLine("| student | test accuracy, mean ± std (%) | per seed | Δ vs alone (points, paired) | wall time (s) |");
            Console.WriteLine("|---|---|---|---|---|");
            var alone = rows["student alone"];
            foreach (var (name, values) in rows)
            {
                var (mean, std) = Statistics.MeanStd(values.Select(v => 100 * v));
                var delta = Statistics.MeanStd(values.Zip(alone, (v, a) => 100 * (v - a)));
                string time = name == "student alone" ? "in KD" : seconds[name].ToString("F0", CultureInfo.InvariantCulture);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {mean:F2} ± {std:F2} | {string.Join(", ", values.Select(v => (100 * v).ToString("F2", CultureInfo.InvariantCulture)))} | " +
                    $"{(name == "student alone" ? "" : $"{delta.Mean:+0.00;-0.00} ± {delta.StandardDeviation:F2}")} | {time} |"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wall time {clock.Elapsed.TotalMinutes:F1} min; peak resident memory {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024 * 1024):F2} GiB."));
        }
        return 0;
    }
}
