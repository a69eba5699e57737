using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace KdDsl.Generators.Tests;

/// <summary>
/// Property: for every declaration FsCheck draws from the attribute grammar (random subsets of the attributes, random argument
/// values including null, NaN, infinities, int extremes, negative numbers, empty and odd strings, undefined enum casts, and
/// random class and namespace names including keywords written with @), the generator does not throw, no error lies in (or is
/// caused by) a generated file, and a declaration C# accepts that generates nothing has at least one KD error.
/// Deterministic: a fixed seed; a failure names its case number, and KDDSL_PROPERTY_CASE=n replays that case alone.
/// </summary>
public sealed class GeneratorPropertyTests
{
    private const int Cases = 2000;
    private const ulong Seed = 20240611;

    private readonly ITestOutputHelper output;

    public GeneratorPropertyTests(ITestOutputHelper output) => this.output = output;

    private static readonly string[] ModelSources = { GeneratorHarness.Models, RobustnessTests.MoreModels, MatchingDiagnosticTests.LayeredModels };

    // ---- The grammar ---------------------------------------------------------------------------------------------------

    private static Gen<string> Pick(params string[] values) => Gen.Elements(values);

    private static Gen<List<string>> All(IEnumerable<Gen<string>> gens) =>
        gens.Aggregate(Gen.Constant(new List<string>()), (acc, g) => acc.SelectMany(list => g.Select(v => new List<string>(list) { v })));

    private static Gen<string> Maybe(Gen<string> gen, int weightAbsent = 1, int weightPresent = 1) =>
        Gen.Frequency((weightAbsent, Gen.Constant("")), (weightPresent, gen));

    private static Gen<string> Repeated(Gen<string> gen, int max) =>
        Gen.Choose(0, max).SelectMany(n => All(Enumerable.Repeat(gen, n))).Select(list => string.Join("\n", list));

    private static readonly Gen<string> Double = Gen.Frequency((3, Pick("0.5", "1", "2.0", "4", "0.9", "0.1")), (2, Pick("0", "1", "-1", "0.5", "0.9", "-0.0", "4", "2.0", "1e-300", "1e308", "double.NaN",
        "double.PositiveInfinity", "double.NegativeInfinity", "double.MaxValue", "double.Epsilon", "0.1", "20")));

    private static readonly Gen<string> Int = Gen.Frequency((3, Pick("1", "2", "3", "5", "64")), (2, Pick("0", "1", "-1", "2", "3", "5", "12", "64", "int.MaxValue", "int.MinValue", "100000", "-7")));

    private static readonly Gen<string> Bool = Pick("true", "false");

    private static readonly Gen<string> String = Pick("null", "\"\"", "\" \"", "\"a\\0b\"", "\"blocks.0\"", "\"blocks.1\"", "\"blocks.3\"", "\"blocks.11\"",
        "\"blocks.99\"", "\"blocks.-1\"", "\"embed\"", "\"teachers/t.ckpt\"", "\"\\\"quoted\\\"\"", "\"ünï cödé\"", "\"C:\\\\x\"");

    private static Gen<string> Enum<TEnum>(string type) where TEnum : struct, System.Enum =>
        Gen.Frequency(
            (6, Gen.Elements(System.Enum.GetNames(typeof(TEnum))).Select(n => type + "." + n)),
            (1, Pick($"({type})99", $"({type})(-1)", $"({type})1000", $"({type})int.MaxValue")));

    private static readonly Gen<string> Model = Gen.Frequency((6, Pick("typeof(BigNet)", "typeof(SmallNet)")), (3, Pick("typeof(BigNet)", "typeof(SmallNet)", "typeof(BigNet)", "typeof(SmallNet)", "typeof(InternalNet)",
        "typeof(RequiredNet)", "typeof(ObsoleteNet)", "typeof(GenericNet<>)", "typeof(GenericNet<int>)", "typeof(GenericNet<InternalNet>)",
        "typeof(int[])", "typeof(void)", "typeof(string)", "null", "typeof(Deep)", "typeof(Shallow)", "typeof(Unsized)", "typeof(ListedNet)",
        "typeof(Holder.NestedInternalNet)", "typeof(object)", "typeof(VeryDeep)", "typeof(DeepByConstructor)", "typeof(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)")));

    private static Gen<string> Attribute(string name, Gen<string>? positional, params (string Name, Gen<string> Value)[] options)
    {
        // Mostly none or one named argument, sometimes any subset: enough valid declarations to reach the emitter often.
        var none = Gen.Constant(new List<(string Name, Gen<string> Value)>());
        var chosen = options.Length == 0 ? none
            : Gen.Frequency<List<(string Name, Gen<string> Value)>>(
                (4, none),
                (3, Gen.Elements(options).Select(o => new List<(string Name, Gen<string> Value)> { o })),
                (1, Gen.SubListOf(options).Select(l => l.ToList())));
        var named = chosen.SelectMany(list => All(list.Select(o => o.Value.Select(v => o.Name + " = " + v))));
        var args = positional is null
            ? named.Select(list => list)
            : positional.SelectMany(p => named.Select(list => new List<string> { p }.Concat(list).ToList()));
        return args.Select(list => list.Count == 0 ? $"[{name}]" : $"[{name}({string.Join(", ", list)})]");
    }

    private static readonly Gen<string> Teacher = Attribute("Teacher", Model, ("Checkpoint", String), ("Epochs", Int), ("LearningRate", Double),
        ("Selection", Enum<TeacherSelection>("TeacherSelection")), ("StopAtAccuracy", Double),
        ("CacheOutputs", Enum<TeacherOutputCaching>("TeacherOutputCaching")), ("CacheDirectory", String),
        ("CacheTopK", Int), ("CacheRemainder", Enum<SparseRemainder>("SparseRemainder")));

    private static readonly Gen<string> Loss = Attribute("Loss", Enum<LossKind>("LossKind"), ("Weight", Double), ("Temperature", Double),
        ("StudentTemperature", Double), ("Reduction", Enum<KdDsl.Losses.KlReduction>("KlReduction")), ("ScaleByTemperatureSquared", Bool),
        ("Epsilon", Double), ("SmoothingForm", Enum<KdDsl.Losses.LabelSmoothingForm>("LabelSmoothingForm")), ("TargetProbability", Double),
        ("TfKdForm", Enum<TfKdForm>("TfKdForm")), ("TopK", Int), ("TopKForm", Enum<KdDsl.Losses.TopKForm>("TopKForm")), ("SimilarityTemperature", Double),
        ("TargetClassWeight", Double), ("NonTargetClassWeight", Double), ("InterClassWeight", Double), ("IntraClassWeight", Double), ("Skew", Double),
        ("StandardizeLogits", Bool));

    private static readonly Gen<string> Train = Attribute("Train", null, ("Epochs", Int), ("BatchSize", Int), ("LearningRate", Double), ("Seed", Int),
        ("Optimizer", Enum<OptimizerKind>("OptimizerKind")), ("Momentum", Double), ("WeightDecay", Double), ("StudentBaseline", Bool),
        ("AccumulationSteps", Int), ("ClipGradientNorm", Double), ("Schedule", Enum<LearningRateSchedule>("LearningRateSchedule")),
        ("WarmupSteps", Int), ("StepDecayEpochs", Int), ("StepDecayFactor", Double), ("Checkpoint", String));

    private static readonly Gen<string> Dataset = Attribute("Dataset", Enum<DatasetKind>("DatasetKind"), ("Path", String), ("TrainLimit", Int),
        ("TestLimit", Int), ("ValidationFraction", Double));

    private static readonly Gen<string> Synthetic = Attribute("SyntheticData", null, ("TrainSamples", Int), ("TestSamples", Int), ("Features", Int),
        ("Classes", Int), ("Groups", Int), ("ClassCorrelation", Double), ("Seed", Int));

    private static readonly Gen<string> MatchLayers = Attribute("MatchLayers", Enum<LayerSelection>("LayerSelection"), ("Weight", Double),
        ("Distance", Enum<HiddenDistance>("HiddenDistance")), ("Normalization", Enum<HiddenNormalization>("HiddenNormalization")),
        ("MatchEmbeddings", Bool), ("AllToOneTeacherLayer", String), ("Projection", Bool), ("InitializeFromTeacher", Bool),
        ("Resize", Enum<SpatialResize>("SpatialResize")));

    private static readonly Gen<string> DoubleArray = Pick("new[] { 0.5 }", "new double[] { 0.1, 0.2, 0.3 }", "new double[0]", "null", "new[] { 0.5, double.NaN }",
        "new[] { -1.0 }", "new[] { 0.0 }", "new[] { 0.25 }", "new[] { double.PositiveInfinity }");

    private static readonly Gen<string> Normalize = Attribute("Normalize", null, ("Mean", DoubleArray), ("Std", DoubleArray), ("FromTrainingSplit", Bool));

    private static readonly Gen<string> Augment = Attribute("Augment", null, ("RandomCropPadding", Int), ("HorizontalFlip", Bool));

    private static readonly Gen<string> LayerMap = String.SelectMany(s => String.Select(t => $"[LayerMap({s}, {t})]"));

    private static readonly Gen<string> LayerStack = Attribute("LayerStack", null, ("Count", Int), ("Width", Int), ("Embedding", String));

    private static readonly Gen<string> SweepValue = Gen.OneOf(Double, Double, Int, Enum<LossKind>("LossKind"), Enum<TeacherSelection>("TeacherSelection"),
        Enum<LayerSelection>("LayerSelection"), String, Pick("1f", "2L", "'c'", "(byte)1"));

    private static readonly Gen<string> Sweep =
        from axis in Gen.Frequency((8, Gen.Elements(System.Enum.GetNames(typeof(Generators.Model.SweepKnob))).Select(n => "SweepAxes." + n)),
            (1, Pick("null", "\"\"", "\"alpha\"", "\"Alfa\"", "\"Bogus\"")))
        from count in Gen.Choose(0, 4)
        from values in All(Enumerable.Repeat(SweepValue, count))
        select $"[Sweep({string.Join(", ", new[] { axis }.Concat(values))})]";

    /// <summary>Mostly valid experiments (so the emitter and the compiled output are exercised often), with random names and shapes.</summary>
    private static readonly Gen<string> TameAttributes =
        from models in Pick("[Teacher(typeof(BigNet))]\n[Student(typeof(SmallNet))]", "[Teacher(typeof(BigNet), Epochs = 2)]\n[Student(typeof(GenericNet<int>))]",
            "[SelfTeacher]\n[Student(typeof(SmallNet))]", "[Teacher(typeof(Deep))]\n[Student(typeof(Shallow))]\n[MatchLayers(LayerSelection.Forward)]",
            "[Teacher(typeof(Deep))]\n[Student(typeof(Shallow))]\n[MatchLayers(LayerSelection.Explicit)]\n[LayerMap(\"blocks.0\", \"blocks.3\")]\n[LayerMap(\"blocks.2\", \"blocks.11\")]")
        from losses in Pick("[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, Temperature = 4)]", "[Loss(LossKind.KlDivergence)]",
            "[Loss(LossKind.CrossEntropy, Weight = 0.1)]\n[Loss(LossKind.KlDivergence, Weight = 0.9)]", "[Loss(LossKind.KdTopK, TopK = 3)]",
            "[Loss(LossKind.ReverseKl)]\n[Loss(LossKind.JensenShannon, Temperature = 2)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.LogitMse)]",
            "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.DecoupledKd, Temperature = 4, StandardizeLogits = true)]",
            "[Loss(LossKind.Dist, Temperature = 4)]\n[Loss(LossKind.SkewedJensenShannon, Skew = 0.9)]\n[Loss(LossKind.TotalVariation)]",
            "[Loss(LossKind.SymmetricKl, Temperature = 2, StandardizeLogits = true)]")
        from train in Maybe(Pick("[Train(Epochs = 2, StudentBaseline = true)]", "[Train(Seed = -1, Optimizer = OptimizerKind.Sgd, Momentum = 0.9)]",
            "[Train(Checkpoint = \"c.ckpt\")]", "[Train(LearningRate = 3e-3)]"))
        from dataset in Maybe(Pick("[Dataset(DatasetKind.Digits)]", "[Dataset(DatasetKind.Digits, ValidationFraction = 0.1, TrainLimit = 100)]",
            "[Dataset(DatasetKind.Synthetic)]\n[SyntheticData(Classes = 4, Groups = 2, Features = 16)]"))
        from sweep in Maybe(Pick("[Sweep(SweepAxes.Alpha, 0.5, 0.9)]", "[Sweep(SweepAxes.Temperature, 2.0, 4.0)]\n[Sweep(SweepAxes.LearningRate, 1e-3, 3e-3)]",
            "[Sweep(SweepAxes.Distance, LossKind.KlDivergence, LossKind.LogitMse)]", "[Sweep(SweepAxes.Alpha, 0.0, 1.0)]\n[Sweep(SweepAxes.StudentTemperature, 1.0)]"))
        from inputs in Maybe(Pick("[Normalize(FromTrainingSplit = true)]", "[Augment(RandomCropPadding = 2, HorizontalFlip = true)]",
            "[Normalize(Mean = new[] { 0.5 }, Std = new[] { 0.25 })]\n[Augment(RandomCropPadding = 1)]"))
        select string.Join("\n", new[] { models, losses, train, dataset, sweep, inputs }.Where(a => a.Length > 0));

    private static readonly Gen<string> OneWildAttribute = Gen.OneOf(Teacher, Loss, Train, Dataset, Synthetic, MatchLayers, LayerMap, LayerStack, Sweep,
        Normalize, Augment);

    private static readonly Gen<string> WildAttributes =
        from teacher in Maybe(Gen.Frequency((4, Teacher), (1, Attribute("SelfTeacher", null, ("Epochs", Int)))), 1, 3)
        from student in Maybe(Attribute("Student", Model), 1, 6)
        from losses in Gen.Frequency((1, Repeated(Loss, 1)), (4, Repeated(Loss, 3)))
        from train in Maybe(Train)
        from dataset in Maybe(Dataset)
        from synthetic in Maybe(Synthetic, 4, 1)
        from match in Maybe(MatchLayers, 3, 1)
        from maps in Maybe(Repeated(LayerMap, 3), 3, 1)
        from stack in Maybe(LayerStack, 8, 1)
        from sweeps in Maybe(Repeated(Sweep, 3), 1, 1)
        from calibrated in Maybe(Attribute("CalibratedTeacher", null, ("Bins", Int)), 5, 1)
        from normalize in Maybe(Normalize, 4, 1)
        from augment in Maybe(Augment, 4, 1)
        select string.Join("\n", new[] { teacher, student, losses, train, dataset, synthetic, match, maps, stack, sweeps, calibrated, normalize, augment }
            .Where(a => a.Length > 0));

    // Declared after the parts it combines: static fields initialise in order.
    private static readonly Gen<string> Attributes = Gen.Frequency(
        (3, WildAttributes),
        (3, TameAttributes),
        (2, TameAttributes.SelectMany(tame => OneWildAttribute.Select(wild => tame + "\n" + wild))));

    private static readonly Gen<string> ClassName = Gen.Frequency(
        (8, Pick("Exp", "HintonKd", "Kd1", "_under", "Ünïcode")),
        (2, Pick("@class", "@event", "@record", "async", "@var", "nameof", "@dynamic", "value", "@partial", "\\u0045xp", "@await")),
        (2, Pick("Result", "Run", "Terms", "Trial", "Grid", "EpochLosses", "DeclaredSettings", "LossTermNames", "Sweep", "DeclaredMatching", "CreateGrid")));

    private static readonly Gen<(string Open, string Close)> Namespace = Gen.Elements(
        ("", ""), ("namespace N;", ""), ("namespace Sample;", ""), ("namespace A.B\n{", "}"), ("namespace @event.x;", ""),
        ("namespace Outer\n{\nnamespace @int\n{", "}\n}"), ("namespace Sample.Experiments;", ""), ("namespace @record.@var;", ""));

    private static readonly Gen<string> Modifiers = Gen.Frequency(
        (10, Pick("public partial class", "partial class", "internal partial class")),
        (3, Pick("public static partial class", "public abstract partial class", "public sealed partial class", "public partial record", "public partial record class")),
        (1, Pick("file partial class", "public class", "public partial struct", "public partial record struct", "public partial interface")));

    private static readonly Gen<string> Body = Gen.Frequency(
        (10, Pick("{ }")),
        (2, Pick("{ public static int Grid; }", "{ public static void Run() { } }", "{ public sealed class Result { } }", "{ private class var { } }",
            "{ public int Terms => 1; }", "{ public static string Helper() => \"x\"; }", ";")));

    private static readonly Gen<string> Declaration =
        from ns in Namespace
        from attributes in Attributes
        from modifiers in Modifiers
        from name in ClassName
        from body in Body
        select $"using KdDsl;\nusing KdDsl.Losses;\nusing Sample;\n\n{ns.Open}\n[Distillation]\n{attributes}\n{modifiers} {name} {(body == ";" && !modifiers.Contains("record") ? "{ }" : body)}\n{ns.Close}\n";

    // ---- The property --------------------------------------------------------------------------------------------------

    [Fact]
    public void Every_declaration_compiles_or_gets_a_KD_error()
    {
        var declarations = Gen.Sample(Declaration, Cases, new Rnd(Seed), 50);
        var only = Environment.GetEnvironmentVariable("KDDSL_PROPERTY_CASE");
        var baseCompilation = GeneratorHarness.Compile(ModelSources);
        Assert.Empty(baseCompilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var stopwatch = Stopwatch.StartNew();
        var failures = new List<string>();
        int generated = 0, rejected = 0, invalidCSharp = 0;
        for (int i = 0; i < declarations.Length; i++)
        {
            if (only is not null && only != i.ToString(System.Globalization.CultureInfo.InvariantCulture)) continue;
            string? failure = Check(baseCompilation, declarations[i], ref generated, ref rejected, ref invalidCSharp);
            if (failure is not null) failures.Add($"case {i}: {failure}\n{declarations[i]}");
            if (failures.Count >= 5) break;
        }
        output.WriteLine($"{declarations.Length} cases in {stopwatch.Elapsed.TotalSeconds:F1} s: {generated} generated, {rejected} rejected with a KD error, {invalidCSharp} more not valid C# on their own (compiler errors; no KD error required)");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        // The grammar must reach both outcomes often, or the property would say little.
        if (only is null)
        {
            Assert.True(generated > Cases / 20, $"only {generated} of {Cases} declarations generated code");
            Assert.True(rejected > Cases / 5, $"only {rejected} of {Cases} declarations were rejected");
        }
    }

    private static string? Check(CSharpCompilation baseCompilation, string declaration, ref int generated, ref int rejected, ref int invalidCSharp)
    {
        var tree = CSharpSyntaxTree.ParseText(declaration, GeneratorHarness.ParseOptions, path: "Declaration.cs");
        var compilation = baseCompilation.AddSyntaxTrees(tree);
        // Whether the declaration alone is valid C# (only asked when it matters: binding it costs as much as generating).
        bool? valid = null;
        bool ValidCSharp() => valid ??= !compilation.GetSemanticModel(tree).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);

        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null) return "the generator threw: " + result.Exception;
        if (driverDiagnostics.FirstOrDefault(d => d.Id is "CS8784" or "CS8785") is { } crash) return "the generator failed: " + crash;

        if (result.GeneratedSources.Length > 0)
        {
            generated++;
            // No error in a generated file, and none the generated code causes in the declaration (e.g. CS0102 at a user member).
            foreach (var outputTree in output.SyntaxTrees)
            {
                bool isGenerated = outputTree.FilePath.EndsWith(".g.cs", StringComparison.Ordinal);
                if (!isGenerated && outputTree.FilePath != "Declaration.cs") continue;
                var errors = output.GetSemanticModel(outputTree).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count > 0 && (isGenerated || ValidCSharp()))
                    return $"errors in {(isGenerated ? "generated code" : "the declaration after generation")}:\n" + string.Join("\n", errors.Take(5))
                           + (isGenerated ? "\n--- generated ---\n" + outputTree.GetText() : "");
            }
            if (!ValidCSharp()) invalidCSharp++;
            return null;
        }
        // The KD diagnostics come from the analyzer (the generator reports none), on the same compilation.
        if (result.Diagnostics.Length > 0) return "the generator reported diagnostics itself: " + string.Join("; ", result.Diagnostics);
        var diagnostics = GeneratorHarness.AnalyzerDiagnostics(compilation);
        if (GeneratorHarness.AnalyzerException(diagnostics) is { } analyzerCrash) return analyzerCrash.Message;
        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("KD", StringComparison.Ordinal)))
        {
            rejected++;
            return null;
        }
        if (ValidCSharp()) return "valid C#, nothing generated and no KD error; diagnostics: " + string.Join("; ", diagnostics);
        invalidCSharp++;
        return null;
    }
}
