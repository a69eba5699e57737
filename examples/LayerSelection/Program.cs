using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using KdDsl;
using KdDsl.Data;
using KdDsl.Examples.LayerStrategies;
using KdDsl.Matching;
using KdDsl.Reporting;
using KdDsl.Training;
using TorchSharp;

// Yu et al. (2025), "Layer-Selection Strategy Doesn't Matter (Much)", scaled down to Fashion-MNIST and MLPs: a 12-block teacher,
// 3-block students distilled with CE + KL + 3 * hidden-state matching under five layer-selection strategies, several seeds each,
// and the angle analysis for an untrained and the trained students. docs/experiments/layer-selection.md records the setup and results.
var dataOption = new Option<string>("--data")
{
    Description = "Folder with the Fashion-MNIST IDX files (train-images-idx3-ubyte.gz, ...).",
    DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
};
var seedsOption = new Option<int>("--seeds") { Description = "How many seeds per strategy (0, 1, ...).", DefaultValueFactory = _ => 3 };
var trainOption = new Option<int>("--train-limit") { Description = "Training images used: the first N of the 60,000.", DefaultValueFactory = _ => 20_000 };
var teacherTrainOption = new Option<int>("--teacher-train-limit")
{
    Description = "Training images the teacher sees: the first N of the 60,000 (0 = the students' --train-limit). A teacher that has seen " +
                  "more data than its students knows something they cannot learn alone.",
    DefaultValueFactory = _ => 0,
};
var testOption = new Option<int>("--test-limit") { Description = "Test images used: the first N of the 10,000 (0 = all).", DefaultValueFactory = _ => 0 };
var epochsOption = new Option<int?>("--epochs") { Description = "Override the declared 8 student epochs for a quick smoke run." };
var outOption = new Option<string>("--out") { Description = "Folder for the results table, angle numbers and histograms.", DefaultValueFactory = _ => "artifacts/layer-selection" };
var initOption = new Option<bool>("--init-from-teacher")
{
    Description = "Start every student (and the student alone) from the teacher's blocks 3, 7, 11 (MatchLayers.InitializeFromTeacher), as the paper's students.",
};
var threadsOption = new Option<int>("--threads") { Description = "Torch CPU threads.", DefaultValueFactory = _ => 1 };
var root = new RootCommand("Layer-selection strategies for intermediate-layer matching (Yu et al. 2025) on Fashion-MNIST.")
{
    dataOption, seedsOption, trainOption, teacherTrainOption, testOption, epochsOption, outOption, initOption, threadsOption,
};
root.SetAction(parsed => LayerSelectionProgram.Run(parsed.GetValue(dataOption)!, parsed.GetValue(seedsOption), parsed.GetValue(trainOption),
    parsed.GetValue(teacherTrainOption), parsed.GetValue(testOption), parsed.GetValue(epochsOption), parsed.GetValue(outOption)!, parsed.GetValue(initOption), parsed.GetValue(threadsOption)));
return root.Parse(args).Invoke();

/// <summary>One run's numbers, kept after its models are disposed.</summary>
internal sealed record RunRecord(int Seed, string Map, double StudentAccuracy, double TeacherAccuracy, double? StudentAloneAccuracy,
    double FirstHidden, double LastHidden, TimeSpan Elapsed);

/// <summary>A strategy: its name and how to run it; <c>Keep</c> receives the trained student and teacher of the first seed.</summary>
internal sealed record Strategy(string Name, Func<DatasetSplits, RunOptions, (RunRecord Record, IDisposable Result, ILayeredModule Student, ILayeredModule Teacher)> Run);

internal static class LayerSelectionProgram
{
    private static RunRecord Record<TEpoch>(int seed, ResolvedLayerMap map, double student, double teacher, double? alone,
        IReadOnlyList<TEpoch> epochs, Func<TEpoch, double> hidden, TimeSpan elapsed) =>
        new(seed, map.ToString(), student, teacher, alone, hidden(epochs[0]), hidden(epochs[^1]), elapsed);

    private static (RunRecord, IDisposable, ILayeredModule, ILayeredModule) Done<TEpoch>(RunOptions o, ResolvedLayerMap map, double student,
        double teacher, double? alone, IReadOnlyList<TEpoch> epochs, Func<TEpoch, double> hidden, TimeSpan elapsed, IDisposable result,
        ILayeredModule studentModel, ILayeredModule teacherModel) =>
        (Record(o.Seed!.Value, map, student, teacher, alone, epochs, hidden, elapsed), result, studentModel, teacherModel);

    // The table's name of each strategy (the sweep's grid order: none, forward, reverse, random, all-to-one).
    private static string Name(LayerSelection selection) => selection == LayerSelection.AllToOne ? "all-to-one" : selection.ToString().ToLowerInvariant();

    // One strategy per trial of the generated grid; the student-alone baseline is kept with the "none" row only.
    private static readonly Strategy[] Strategies = StrategySweep.Grid.Select(trial => new Strategy(Name(trial.LayerSelection), (d, o) =>
    {
        var r = StrategySweep.Run(trial, d, o);
        return Done(o, r.LayerMap, r.StudentAccuracy, r.TeacherAccuracy, trial.LayerSelection == LayerSelection.None ? r.StudentAloneAccuracy : null,
            r.Epochs, e => e.HiddenStates, r.Elapsed, r, r.Student, r.Teacher);
    })).ToArray();

    private static readonly Strategy[] StrategiesFromTeacher = StrategySweepFromTeacher.Grid.Select(trial => new Strategy(Name(trial.LayerSelection), (d, o) =>
    {
        var r = StrategySweepFromTeacher.Run(trial, d, o);
        return Done(o, r.LayerMap, r.StudentAccuracy, r.TeacherAccuracy, trial.LayerSelection == LayerSelection.None ? r.StudentAloneAccuracy : null,
            r.Epochs, e => e.HiddenStates, r.Elapsed, r, r.Student, r.Teacher);
    })).ToArray();

    public static int Run(string directory, int seedCount, int trainLimit, int teacherTrainLimit, int testLimit, int? epochs, string outDirectory, bool initFromTeacher, int threads)
    {
        if (seedCount < 1 || trainLimit < 0 || teacherTrainLimit < 0 || testLimit < 0 || epochs is < 1 || threads < 1)
        {
            Console.Error.WriteLine("--seeds, --epochs and --threads must be >= 1; limits >= 0.");
            return 2;
        }
        torch.set_num_threads(threads);
        var clock = Stopwatch.StartNew();
        DatasetSplits data;
        try
        {
            data = FashionMnist.Load(directory, trainLimit, testLimit);
        }
        catch (DatasetException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        Directory.CreateDirectory(outDirectory);
        // The teacher is trained by the first run and loaded by every other one; a checkpoint left by an earlier invocation (maybe
        // on other data) is removed first.
        const string teacherCheckpoint = "artifacts/layer-selection/teacher12.ckpt";
        if (File.Exists(teacherCheckpoint)) File.Delete(teacherCheckpoint);
        using (data)
        {
            if (teacherTrainLimit > 0 && teacherTrainLimit != trainLimit)
            {
                // A teacher that has seen more images than its students: trained here as the generated code would (seed, declared
                // epochs, last epoch kept), saved where every run loads it from.
                try
                {
                    using var teacherData = FashionMnist.Load(directory, teacherTrainLimit, testLimit);
                    TrainTeacher(teacherData, teacherCheckpoint);
                }
                catch (DatasetException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return 1;
                }
            }
            var settings = StrategySweep.DeclaredSettings;
            Console.WriteLine($"Fashion-MNIST from {directory}: {data.Train.Count} training and {data.Test.Count} test images; seeds 0..{seedCount - 1}; " +
                              $"teacher {nameof(Teacher12)} (12 blocks x 128), students {nameof(Student3)} (3 blocks x 128{(initFromTeacher ? ", starting from teacher blocks 3, 7, 11" : "")}); {epochs ?? settings.Epochs} epochs, " +
                              $"batch {settings.BatchSize}, Adam lr {settings.LearningRate.ToString(CultureInfo.InvariantCulture)}; loss CE + KL(T=1) + 3 * HiddenStates; " +
                              $"{threads} torch thread(s) on {Environment.ProcessorCount} cores.");
            var records = new Dictionary<string, List<RunRecord>>();
            var trained = new List<(string Name, IDisposable Result, ILayeredModule Student, ILayeredModule Teacher)>();
            try
            {
                foreach (var strategy in initFromTeacher ? StrategiesFromTeacher : Strategies)
                {
                    records[strategy.Name] = new List<RunRecord>();
                    for (int seed = 0; seed < seedCount; seed++)
                    {
                        var (record, result, student, teacher) = strategy.Run(data, new RunOptions { Seed = seed, Epochs = epochs });
                        records[strategy.Name].Add(record);
                        Console.WriteLine($"  {strategy.Name,-10} seed {seed}: student {record.StudentAccuracy:P2} (teacher {record.TeacherAccuracy:P2}" +
                                          (record.StudentAloneAccuracy is { } a ? $", alone {a:P2}" : "") +
                                          $"), HiddenStates {record.FirstHidden:F3} -> {record.LastHidden:F3}, map {record.Map}, {record.Elapsed.TotalSeconds:F1} s");
                        if (seed == 0) trained.Add((strategy.Name, result, student, teacher));
                        else result.Dispose();
                    }
                }

                string table = Table(records);
                Console.WriteLine();
                Console.WriteLine(table);
                File.WriteAllText(Path.Combine(outDirectory, "results.md"), table);
                string angles = Angles(data, trained, outDirectory, initFromTeacher);
                Console.WriteLine(angles);
                File.AppendAllText(Path.Combine(outDirectory, "results.md"), "\n" + angles);
            }
            finally
            {
                foreach (var t in trained) t.Result.Dispose();
            }
        }
        Console.WriteLine($"Wall time: {clock.Elapsed.TotalSeconds:F0} s. Outputs in {Path.GetFullPath(outDirectory)}.");
        return 0;
    }

    private static void TrainTeacher(DatasetSplits teacherData, string checkpoint)
    {
        var clock = Stopwatch.StartNew();
        var settings = StrategySweep.DeclaredSettings with { Epochs = 10 }; // [Teacher(Epochs = 10)] of Experiments.cs
        ExperimentRuntime.Seed(settings.Seed);
        using var teacher = new Teacher12(teacherData.Train.FeatureCount, teacherData.Train.ClassCount);
        var device = new RunOptions().ResolveDevice();
        teacher.to(device);
        TeacherTraining.Train(teacher, teacherData, settings, TeacherSelection.LastEpoch, 0, device, null);
        Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);
        TeacherCheckpoint.SaveAtomically(teacher, checkpoint);
        Console.WriteLine($"Teacher {nameof(Teacher12)} trained on {teacherData.Train.Count} images ({settings.Epochs} epochs, {clock.Elapsed.TotalSeconds:F0} s), " +
                          $"saved to {checkpoint}; every run below loads it.");
    }

    private static string Percent((double Mean, double Std) value) =>
        $"{(100 * value.Mean).ToString("F2", CultureInfo.InvariantCulture)} ± {(100 * value.Std).ToString("F2", CultureInfo.InvariantCulture)}";

    private static string Table(Dictionary<string, List<RunRecord>> records)
    {
        int seeds = records.First().Value.Count;
        var text = new StringBuilder();
        text.AppendLine($"| strategy | layer map (seed 0) | student test accuracy, % (mean ± std, {seeds} seeds) | HiddenStates, first → last epoch (mean) |");
        text.AppendLine("|---|---|---|---|");
        var none = records["none"];
        text.AppendLine($"| student alone (CE only) | — | {Percent(Statistics.MeanStd(none.Select(r => r.StudentAloneAccuracy!.Value)))} | — |");
        foreach (var (name, runs) in records)
        {
            string hidden = name == "none" ? "0 (not trained on)"
                : $"{runs.Average(r => r.FirstHidden).ToString("F2", CultureInfo.InvariantCulture)} → {runs.Average(r => r.LastHidden).ToString("F2", CultureInfo.InvariantCulture)}";
            text.AppendLine($"| {name} | {runs[0].Map} | {Percent(Statistics.MeanStd(runs.Select(r => r.StudentAccuracy)))} | {hidden} |");
        }
        text.AppendLine($"| teacher (12 blocks) | — | {Percent(Statistics.MeanStd(none.Select(r => r.TeacherAccuracy)))} | — |");
        return text.ToString();
    }

    /// <summary>The angle analysis: student block 2 (S2) against every pair of the teacher's 12 block outputs, on 200 test images.</summary>
    private static string Angles(DatasetSplits data, List<(string Name, IDisposable Result, ILayeredModule Student, ILayeredModule Teacher)> trained, string outDirectory,
        bool initFromTeacher)
    {
        const int studentState = 2;
        using var scope = torch.NewDisposeScope();
        var inputs = data.Test.Features.narrow(0, 0, Math.Min(200, data.Test.Count));
        var teacher = trained[0].Teacher;
        // The untrained student: the initial weights of every seed-0 student (the generated Run seeds the student with Seed + 1).
        ExperimentRuntime.Seed(1);
        using var untrained = new Student3(data.Train.FeatureCount, data.Train.ClassCount);
        if (initFromTeacher) // then the students start from the teacher's blocks, as the generated Run copies them
            TeacherInitialization.CopyInto(untrained, (Teacher12)teacher, LayerStackShape.Of(untrained, "student", nameof(Student3), "blocks", "embedding"),
                LayerStackShape.Of(teacher, "teacher", nameof(Teacher12), "blocks", "embedding"));
        // On the raw states (the paper's analysis), then on the L2-normalised states the loss compares.
        var text = new StringBuilder();
        foreach (var (normalization, prefix, heading, states) in new[]
        {
            (HiddenNormalization.None, "angles", "raw states", "raw states"),
            (HiddenNormalization.L2, "angles-l2", "L2-normalised states (what L_hid compares)", "L2-normalised states"),
        })
        {
            var distributions = new List<AngleDistribution> { AngleAnalysis.Measure("untrained", untrained, teacher, inputs, studentState, normalization: normalization) };
            foreach (var (name, _, student, _) in trained)
                distributions.Add(AngleAnalysis.Measure("trained, " + name, student, teacher, inputs, studentState, normalization: normalization));

            text.AppendLine($"Angles on the {heading}:");
            text.AppendLine();
            text.AppendLine("| student (seed 0) | values | mean cos θ | acute (cos > 0) | cos < -0.5 |");
            text.AppendLine("|---|---|---|---|---|");
            foreach (var d in distributions)
            {
                string file = d.Label.Replace(", ", "-", StringComparison.Ordinal);
                d.SaveCsv(Path.Combine(outDirectory, $"{prefix}-{file}.csv"));
                d.SaveJson(Path.Combine(outDirectory, $"{prefix}-{file}.json"));
                double obtuse = d.Cosines.Count(c => c < -0.5) / (double)d.Cosines.Count;
                text.AppendLine($"| {d.Label} | {d.Cosines.Count} | {d.Mean.ToString("F3", CultureInfo.InvariantCulture)} | " +
                                $"{(100 * d.FractionAcute).ToString("F1", CultureInfo.InvariantCulture)} % | {(100 * obtuse).ToString("F1", CultureInfo.InvariantCulture)} % |");
            }
            text.AppendLine();
            AngleAnalysis.SaveHistogram(new[] { distributions[0], distributions.First(d => d.Label == "trained, none"), distributions.First(d => d.Label == "trained, forward") },
                Path.Combine(outDirectory, $"{prefix}-untrained-vs-trained.png"),
                $"cos θ between teacher layers seen from student block 2 ({states}, 200 images)");
            AngleAnalysis.SaveHistogram(distributions.Skip(1).ToList(), Path.Combine(outDirectory, $"{prefix}-by-strategy.png"),
                $"cos θ seen from student block 2 ({states}), each strategy");
        }
        return text.ToString();
    }
}
