using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using KdDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Spectre.Console;

namespace KdDsl.Benchmarks;

/// <summary>
/// (d) The incremental generator on a compilation of 100 experiment classes (one file each, varied attributes): the first run,
/// then three edits — an unrelated file added, a comment added inside one experiment's file, a declared value changed in one
/// experiment — with trackIncrementalGeneratorSteps, reporting time and how many outputs were Cached / Unchanged / Modified / New.
/// </summary>
internal static class GeneratorBenchmark
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private const string Models = """
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        namespace Bench.Models
        {
            public sealed class BigNet : nn.Module<Tensor, Tensor>
            {
                private readonly Sequential layers;
                public BigNet(int inputFeatures, int classCount) : base(nameof(BigNet))
                {
                    layers = nn.Sequential(nn.Linear(inputFeatures, 256), nn.ReLU(), nn.Linear(256, classCount));
                    RegisterComponents();
                }
                public override Tensor forward(Tensor input) => layers.call(input);
            }

            public sealed class SmallNet : nn.Module<Tensor, Tensor>
            {
                private readonly Linear hidden, head;
                public SmallNet(int inputFeatures, int classCount) : base(nameof(SmallNet))
                {
                    hidden = nn.Linear(inputFeatures, 32);
                    head = nn.Linear(32, classCount);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor input) => head.call(nn.functional.relu(hidden.call(input)));
            }

            public sealed class TinyNet : nn.Module<Tensor, Tensor>
            {
                private readonly Linear head;
                public TinyNet() : base(nameof(TinyNet)) { head = nn.Linear(64, 10); RegisterComponents(); }
                public override Tensor forward(Tensor input) => head.call(input);
            }
        }
        """;

    /// <summary>Experiment <paramref name="i"/>: loss terms, teacher kind, data set and training settings vary with i.</summary>
    public static string Experiment(int i, int seed)
    {
        var losses = (i % 10) switch
        {
            0 => new[] { "[Loss(LossKind.CrossEntropy, Weight = 0.1)]", "[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]" },
            1 => new[] { "[Loss(LossKind.KlDivergence, Temperature = 2)]" },
            2 => new[] { "[Loss(LossKind.CrossEntropy)]", "[Loss(LossKind.LogitMse, Weight = 0.5)]" },
            3 => new[] { "[Loss(LossKind.LabelSmoothing, Epsilon = 0.1, SmoothingForm = LabelSmoothingForm.OffTrueClass)]" },
            4 => new[] { "[Loss(LossKind.CrossEntropy, Weight = 0.5)]", "[Loss(LossKind.TfKdRegularization, Weight = 0.5, TargetProbability = 0.95, Temperature = 20)]" },
            5 => new[] { "[Loss(LossKind.CrossEntropy)]", "[Loss(LossKind.KdPt, Temperature = 3)]" },
            6 => new[] { "[Loss(LossKind.CrossEntropy)]", "[Loss(LossKind.KdSim, SimilarityTemperature = 0.5)]" },
            7 => new[] { "[Loss(LossKind.CrossEntropy)]", "[Loss(LossKind.KdTopK, TopK = 3, TopKForm = TopKForm.Renormalize, Temperature = 2)]" },
            8 => new[] { "[Loss(LossKind.CrossEntropy, Weight = 0.3)]", "[Loss(LossKind.KlDivergence, Weight = 0.7, Temperature = 4, StudentTemperature = 1, Reduction = KlReduction.ElementwiseMean)]" },
            _ => new[] { "[Loss(LossKind.CrossEntropy)]", "[Loss(LossKind.KdPtSim, Temperature = 2, SimilarityTemperature = 2)]" },
        };
        bool needsTeacher = i % 10 is not (3 or 4);
        bool readsLogits = i % 10 is not (3 or 4 or 6);
        string dataset = (i % 5) switch
        {
            0 => "",
            1 => "[Dataset(DatasetKind.Digits)]",
            2 => "[Dataset(DatasetKind.FashionMnist, TrainLimit = 5000, TestLimit = 1000)]",
            3 => "[Dataset(DatasetKind.Synthetic)]\n    [SyntheticData(Features = 32, Classes = 8, Groups = 2, ClassCorrelation = 0.7)]",
            _ => "[Dataset(DatasetKind.Mnist, Path = \"/data/mnist\", ValidationFraction = 0.1)]",
        };
        var teacher = new List<string>();
        if (needsTeacher)
        {
            switch (i / 10 % 6)
            {
                case 0: teacher.Add("[Teacher(typeof(BigNet))]"); break;
                case 1: teacher.Add($"[Teacher(typeof(BigNet), Checkpoint = \"teachers/exp{i:000}.ckpt\", Epochs = 3)]"); break;
                case 2: teacher.Add(readsLogits ? "[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.Memory)]" : "[Teacher(typeof(BigNet), Epochs = 2)]"); break;
                case 3: teacher.Add("[SelfTeacher(Epochs = 2)]"); break;
                case 4:
                    teacher.Add("[Teacher(typeof(BigNet), Selection = TeacherSelection.LowestValidationLoss)]");
                    dataset = "[Dataset(DatasetKind.Digits, ValidationFraction = 0.2)]";
                    break;
                default:
                    teacher.Add(readsLogits ? "[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.Disk, CacheDirectory = \"cache\")]" : "[Teacher(typeof(BigNet))]");
                    teacher.Add("[CalibratedTeacher(Bins = 10)]");
                    dataset = "[Dataset(DatasetKind.Digits, ValidationFraction = 0.2)]";
                    break;
            }
        }
        string student = i % 3 == 0 ? "[Student(typeof(TinyNet))]" : "[Student(typeof(SmallNet))]";
        string train = (i % 4) switch
        {
            0 => $"[Train(Epochs = 5, BatchSize = 64, Seed = {seed})]",
            1 => $"[Train(Epochs = 20, BatchSize = 128, LearningRate = 3e-3, Seed = {seed}, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01, Schedule = LearningRateSchedule.Cosine, WarmupSteps = 50)]",
            2 => $"[Train(Optimizer = OptimizerKind.Sgd, Momentum = 0.9, LearningRate = 0.05, Seed = {seed}, Schedule = LearningRateSchedule.StepDecay, StepDecayEpochs = 5, StepDecayFactor = 0.5, StudentBaseline = true)]",
            _ => $"[Train(AccumulationSteps = 4, ClipGradientNorm = 1.0, Seed = {seed}, StudentBaseline = true)]",
        };
        var attributes = new List<string> { "[Distillation]" };
        if (dataset.Length > 0) attributes.Add(dataset);
        attributes.AddRange(teacher);
        attributes.Add(student);
        attributes.AddRange(losses);
        attributes.Add(train);
        return $$"""
            using KdDsl;
            using KdDsl.Losses;
            using Bench.Models;

            namespace Bench.Experiments
            {
                /// <summary>Benchmark experiment {{i}}.</summary>
                {{string.Join("\n    ", attributes)}}
                public partial class Exp{{i:000}}
                {
                }
            }
            """;
    }

    private static ImmutableArray<MetadataReference> References()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(DistillationAttribute).Assembly.Location)
            .Append(typeof(TorchSharp.torch).Assembly.Location)
            .Distinct();
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    private static CSharpCompilation Compile(int experiments, ImmutableArray<MetadataReference> references) => CSharpCompilation.Create(
        "BenchExperiments",
        new[] { CSharpSyntaxTree.ParseText(Models, ParseOptions, path: "Models.cs") }
            .Concat(Enumerable.Range(0, experiments).Select(i => CSharpSyntaxTree.ParseText(Experiment(i, i), ParseOptions, path: $"Exp{i:000}.cs"))),
        references,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        new[] { new DistillationGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>One measured generator run.</summary>
    private sealed record Measurement(double WallMs, double GeneratorMs, Dictionary<IncrementalStepRunReason, int> Outputs,
        Dictionary<IncrementalStepRunReason, int> Parsed, int Sources, int Diagnostics);

    private static (GeneratorDriver Driver, Measurement Measurement) Measure(GeneratorDriver driver, Compilation compilation)
    {
        long start = Stopwatch.GetTimestamp();
        driver = driver.RunGenerators(compilation);
        double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        double generator = driver.GetTimingInfo().ElapsedTime.TotalMilliseconds;
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null) throw new InvalidOperationException("The generator threw.", result.Exception);
        static Dictionary<IncrementalStepRunReason, int> Count(IEnumerable<IncrementalGeneratorRunStep> steps) =>
            steps.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).ToDictionary(g => g.Key, g => g.Count());
        var outputs = Count(result.TrackedOutputSteps.SelectMany(p => p.Value));
        var parsed = Count(result.TrackedSteps.TryGetValue(DistillationGenerator.ParseStep, out var steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty);
        return (driver, new Measurement(wall, generator, outputs, parsed, result.GeneratedSources.Length, result.Diagnostics.Length));
    }

    private static readonly string[] Scenarios = { "first run", "unrelated file added", "comment added in one experiment", "value changed in one experiment" };

    private static List<Measurement> OneRepetition(int experiments, ImmutableArray<MetadataReference> references)
    {
        var compilation = Compile(experiments, references);
        var list = new List<Measurement>();
        var (driver, first) = Measure(Driver(), compilation);
        list.Add(first);

        // An unrelated edit: a new file that declares nothing the generator looks at.
        var withFile = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Other { internal static class Unrelated { public static int Answer => 42; } }", ParseOptions, path: "Unrelated.cs"));
        (driver, var added) = Measure(driver, withFile);
        list.Add(added);

        // A meaning-preserving edit inside one experiment's file: a comment after the class.
        int target = experiments / 2;
        var tree = withFile.SyntaxTrees.Single(t => t.FilePath == $"Exp{target:000}.cs");
        var text = tree.GetText();
        var commented = tree.WithChangedText(text.WithChanges(new TextChange(new TextSpan(text.Length, 0), "\n// reviewed\n")));
        var withComment = withFile.ReplaceSyntaxTree(tree, commented);
        (driver, var comment) = Measure(driver, withComment);
        list.Add(comment);

        // A real edit inside one experiment: its declared seed changes.
        var changed = CSharpSyntaxTree.ParseText(Experiment(target, target + 1000) + "\n// reviewed\n", ParseOptions, path: commented.FilePath);
        (_, var value) = Measure(driver, withComment.ReplaceSyntaxTree(commented, changed));
        list.Add(value);
        return list;
    }

    public static int Run(int experiments, int repetitions)
    {
        AnsiConsole.MarkupLine($"[bold](d) generator time[/]: {experiments} experiment classes (one file each) + a models file, trackIncrementalGeneratorSteps on; " +
            $"1 cold repetition (the first use of the generator in this process: includes JIT) + {repetitions} warm repetitions, each on a freshly parsed compilation and a new driver.");
        using var monitor = new BusyMonitor();
        var references = References();

        // The very first generator run in this process (includes JIT of the generator and of Roslyn's driver).
        var cold = OneRepetition(experiments, references);

        // Check once that the 100 experiments are valid: every one generates, no diagnostics, the output compiles.
        {
            var compilation = Compile(experiments, references);
            Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
            int errors = output.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
            int generated = output.SyntaxTrees.Count() - compilation.SyntaxTrees.Count();
            AnsiConsole.MarkupLine($"check: {generated} generated files, {generatorDiagnostics.Length} generator diagnostics, {errors} compile errors in the output" +
                (errors == 0 && generatorDiagnostics.Length == 0 && generated == experiments ? " [green](ok)[/]" : " [red](unexpected)[/]"));
            foreach (var d in output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Concat(generatorDiagnostics).Take(5))
                AnsiConsole.WriteLine("  " + d);
        }

        var warm = new List<List<Measurement>>();
        for (int r = 0; r < repetitions; r++) warm.Add(OneRepetition(experiments, references));

        var table = new Table().Title("(d) generator runs")
            .AddColumns("scenario", "cold ms", $"median ms ({repetitions} reps)", "ratio to first run",
                "outputs C/U/M/N/R", "parse step C/U/M/N/R", "sources", "diagnostics");
        double firstRunMedian = Stats.Median(warm.Select(w => w[0].WallMs));
        for (int s = 0; s < Scenarios.Length; s++)
        {
            double wallMedian = Stats.Median(warm.Select(w => w[s].WallMs));
            double generatorMedian = Stats.Median(warm.Select(w => w[s].GeneratorMs));
            var last = warm[^1][s];
            table.AddRow(Scenarios[s],
                $"{Interleaved.F(cold[s].WallMs, "F1")} / {Interleaved.F(cold[s].GeneratorMs, "F1")}",
                $"{Interleaved.F(wallMedian, "F1")} / {Interleaved.F(generatorMedian, "F1")}",
                s == 0 ? "1" : Interleaved.F(wallMedian / firstRunMedian, "F3"),
                Reasons(last.Outputs), Reasons(last.Parsed),
                last.Sources.ToString(System.Globalization.CultureInfo.InvariantCulture),
                last.Diagnostics.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Console.WriteLine($"RESULT d | {Scenarios[s]} | {Interleaved.F(wallMedian, "F3")} ms wall, {Interleaved.F(generatorMedian, "F3")} ms generator | " +
                $"ratio to first run {Interleaved.F(wallMedian / firstRunMedian, "F3")} | outputs {Reasons(last.Outputs)} | parse {Reasons(last.Parsed)}");
        }
        AnsiConsole.Write(table);
        bool consistent = warm.All(w => w.Select(m => Reasons(m.Outputs)).SequenceEqual(warm[0].Select(m => Reasons(m.Outputs))));
        AnsiConsole.MarkupLine($"[grey]ms: wall (Stopwatch around GeneratorDriver.RunGenerators) / generator (GeneratorDriver.GetTimingInfo().ElapsedTime); " +
            "cold = the first repetition, the generator's first use in this process; C/U/M/N/R = Cached / Unchanged / Modified / New / Removed. " +
            $"Output reasons identical in every repetition: {consistent}.[/]");
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(monitor.Summary())}[/]");
        return 0;
    }

    private static string Reasons(Dictionary<IncrementalStepRunReason, int> counts)
    {
        int Get(IncrementalStepRunReason r) => counts.TryGetValue(r, out int n) ? n : 0;
        return $"{Get(IncrementalStepRunReason.Cached)} / {Get(IncrementalStepRunReason.Unchanged)} / {Get(IncrementalStepRunReason.Modified)} / " +
               $"{Get(IncrementalStepRunReason.New)} / {Get(IncrementalStepRunReason.Removed)}";
    }
}
