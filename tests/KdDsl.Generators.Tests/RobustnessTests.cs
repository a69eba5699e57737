using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// Every declaration C# accepts either compiles or gets a KD diagnostic: the generator never throws, never emits code that does
/// not compile, and never drops an experiment (or an argument) silently. One test per defect found; each names its class.
/// </summary>
public sealed class RobustnessTests
{
    /// <summary>Models beyond <see cref="GeneratorHarness.Models"/>: each is a TorchSharp module the generated code could misuse.</summary>
    public const string MoreModels = """
        using System;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Sample
        {
            internal sealed class InternalNet : nn.Module<Tensor, Tensor>
            {
                public InternalNet() : base(nameof(InternalNet)) { }
                public override Tensor forward(Tensor input) => input;
            }

            public sealed class RequiredNet : nn.Module<Tensor, Tensor>
            {
                public required int Hidden { get; init; }
                public RequiredNet() : base(nameof(RequiredNet)) { }
                public override Tensor forward(Tensor input) => input;
            }

            public sealed class ObsoleteNet : nn.Module<Tensor, Tensor>
            {
                [Obsolete("use the other one")]
                public ObsoleteNet() : base(nameof(ObsoleteNet)) { }
                public override Tensor forward(Tensor input) => input;
            }

            public sealed class ObsoleteErrorNet : nn.Module<Tensor, Tensor>
            {
                [Obsolete("gone", true)]
                public ObsoleteErrorNet() : base(nameof(ObsoleteErrorNet)) { }
                public override Tensor forward(Tensor input) => input;
            }

            public sealed class GenericNet<T> : nn.Module<Tensor, Tensor>
            {
                public GenericNet() : base(nameof(GenericNet<T>)) { }
                public override Tensor forward(Tensor input) => input;
            }

            public static class Holder
            {
                internal sealed class NestedInternalNet : nn.Module<Tensor, Tensor>
                {
                    public NestedInternalNet() : base(nameof(NestedInternalNet)) { }
                    public override Tensor forward(Tensor input) => input;
                }
            }
        }
        """;

    private const string ValidAttributes = """
        [Teacher(typeof(BigNet))]
        [Student(typeof(SmallNet))]
        [Loss(LossKind.CrossEntropy, Weight = 0.1)]
        [Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]
        """;

    private static string Experiment(string attributes, string declaration = "public partial class Exp { }", string ns = "namespace Sample.Experiments;") => $$"""
        using KdDsl;
        using Sample;

        {{ns}}

        [Distillation]
        {{attributes}}
        {{declaration}}
        """;

    /// <summary>Runs the generator and the analyzer without throwing on an exception; the output includes the generated files.</summary>
    internal static (GeneratorHarness.GeneratorRun Result, Compilation Output) Run(params string[] sources) => GeneratorHarness.RunUnchecked(sources);

    /// <summary>The source text under a diagnostic (found by file path, as the generator's locations once named no tree).</summary>
    internal static string SpanText(Compilation output, Diagnostic diagnostic)
    {
        string path = diagnostic.Location.GetLineSpan().Path;
        var tree = output.SyntaxTrees.Single(t => t.FilePath == path);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    private static string Describe(IEnumerable<Diagnostic> diagnostics) => string.Join("\n", diagnostics.Select(d => d.ToString()));

    /// <summary>The experiment is generated, reports nothing but <paramref name="allowed"/>, and the output compiles without errors.</summary>
    private static void Generates(string source, params string[] allowed) => GeneratesAll(new[] { source }, 1, allowed);

    private static void GeneratesAll(string[] sources, int files, params string[] allowed)
    {
        var (result, output) = Run(new[] { GeneratorHarness.Models, MoreModels }.Concat(sources).ToArray());
        Assert.Null(result.Exception);
        Assert.True(result.Diagnostics.All(d => allowed.Contains(d.Id)), Describe(result.Diagnostics));
        Assert.Equal(files, result.GeneratedSources.Length);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, Describe(errors));
        var generatedWarnings = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs") == true).ToList();
        Assert.True(generatedWarnings.Count == 0, Describe(generatedWarnings));
    }

    /// <summary>The experiment is not generated and <paramref name="id"/> is reported, as an error, on <paramref name="spanText"/>.</summary>
    private static Diagnostic Reports(string source, string id, string spanText, params string[] messageParts)
    {
        var (result, output) = Run(GeneratorHarness.Models, MoreModels, source);
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratedSources);
        var diagnostic = result.Diagnostics.FirstOrDefault(d => d.Id == id);
        Assert.True(diagnostic is not null, $"Expected {id}, got:\n{Describe(result.Diagnostics)}");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic!.Severity);
        Assert.Equal(spanText, SpanText(output, diagnostic));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var part in messageParts) Assert.Contains(part, message);
        return diagnostic;
    }

    // ---- Names -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("@class")]
    [InlineData("@event")]
    [InlineData("@record")]
    [InlineData("@async")]
    [InlineData("async")]
    [InlineData("@dynamic")]
    [InlineData("nameof")]
    [InlineData("\\u0045xp")]
    public void Names_experiment_named_with_a_keyword_or_contextual_keyword_compiles(string name) =>
        Generates(Experiment(ValidAttributes, $"public partial class {name} {{ }}"), "KD0041");

    [Theory]
    [InlineData("namespace @event.x;")]
    [InlineData("namespace @class { namespace @int.@var {")]
    [InlineData("namespace Outer { namespace Inner {")]
    [InlineData("namespace @record;")]
    [InlineData("")]
    public void Names_namespaces_with_keywords_nested_or_global_compile(string ns)
    {
        int open = ns.Count(c => c == '{');
        string source = Experiment(ValidAttributes, "public partial class Exp { }" + new string('}', open), ns);
        Generates(source);
    }

    [Fact]
    public void Names_experiment_named_var_is_reported_not_broken() =>
        Reports(Experiment(ValidAttributes, "public partial class @var { }"), "KD0041", "@var", "'var'");

    [Fact]
    public void Names_two_experiments_differing_only_in_case_both_generate() =>
        GeneratesAll(new[] { Experiment(ValidAttributes, "public partial class Exp { }"), Experiment(ValidAttributes, "public partial class EXP { }") }, 2);

    [Fact]
    public void Names_namespaces_differing_only_in_case_both_generate() =>
        GeneratesAll(new[] { Experiment(ValidAttributes, ns: "namespace A.B;"), Experiment(ValidAttributes, ns: "namespace A.b;") }, 2);

    [Fact]
    public void Names_experiment_with_attributes_on_two_partial_parts_generates_once()
    {
        string first = Experiment("[Teacher(typeof(BigNet))] [Student(typeof(SmallNet))]", "public partial class Exp { }");
        string second = """
            using KdDsl;
            namespace Sample.Experiments;
            [Loss(LossKind.CrossEntropy, Weight = 0.1)]
            [Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]
            public partial class Exp { }
            """;
        GeneratesAll(new[] { first, second }, 1);
    }

    [Fact]
    public void Names_Distillation_on_two_partial_parts_does_not_throw()
    {
        var (result, _) = Run(GeneratorHarness.Models, Experiment(ValidAttributes), Experiment("", "public partial class Exp { }"));
        Assert.Null(result.Exception);
        Assert.True(result.GeneratedSources.Length <= 1);
    }

    [Theory]
    [InlineData("Result")]
    [InlineData("Terms")]
    [InlineData("EpochLosses")]
    [InlineData("LossTermNames")]
    [InlineData("DeclaredSettings")]
    [InlineData("Run")]
    public void Names_class_named_like_a_generated_member_is_reported(string name) =>
        Reports(Experiment(ValidAttributes, $"public partial class {name} {{ }}"), "KD0041", name, $"'{name}'");

    [Fact]
    public void Names_swept_class_named_Trial_is_reported() =>
        Reports(Experiment(ValidAttributes + "\n[Sweep(SweepAxes.Alpha, 0.5, 0.9)]", "public partial class Trial { }"), "KD0041", "Trial", "'Trial'");

    [Fact]
    public void Names_class_named_Trial_without_a_sweep_compiles() =>
        Generates(Experiment(ValidAttributes, "public partial class Trial { }"));

    [Theory]
    [InlineData("public static int Grid;", "Grid", true)]
    [InlineData("public static void Run() { }", "Run", false)]
    [InlineData("public int DeclaredSettings => 1;", "DeclaredSettings", false)]
    [InlineData("private static readonly string[] LossTermNames = { };", "LossTermNames", false)]
    [InlineData("public sealed class Result { }", "Result", false)]
    public void Names_member_named_like_a_generated_member_is_reported(string member, string name, bool swept)
    {
        string attributes = ValidAttributes + (swept ? "\n[Sweep(SweepAxes.Alpha, 0.5, 0.9)]" : "");
        Reports(Experiment(attributes, $"public partial class Exp {{ {member} }}"), "KD0041", name, $"'{name}'");
    }

    // ---- Types -------------------------------------------------------------------------------------------------------

    [Fact]
    public void Types_internal_model_in_a_public_experiment_is_reported() =>
        Reports(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(InternalNet)")), "KD0042", "typeof(InternalNet)", "internal");

    [Fact]
    public void Types_internal_model_in_an_internal_experiment_compiles() =>
        Generates(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(InternalNet)"), "internal partial class Exp { }"));

    [Fact]
    public void Types_private_nested_model_is_reported() =>
        Reports(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(Exp.Own)"), """
            public partial class Exp
            {
                private sealed class Own : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
                {
                    public Own() : base("Own") { }
                    public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor input) => input;
                }
            }
            """), "KD0042", "typeof(Exp.Own)", "private");

    [Fact]
    public void Types_file_local_model_is_reported() =>
        Reports(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(Local)"), """
            internal partial class Exp { }
            file sealed class Local : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
            {
                public Local() : base("Local") { }
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor input) => input;
            }
            """), "KD0042", "typeof(Local)", "file-local");

    [Fact]
    public void Types_model_with_required_members_is_reported() =>
        Reports(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(RequiredNet)")), "KD0005", "typeof(RequiredNet)", "required");

    [Fact]
    public void Types_model_with_only_an_obsolete_constructor_is_reported() =>
        Reports(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(ObsoleteNet)")), "KD0005", "typeof(ObsoleteNet)", "obsolete");

    [Fact]
    public void Types_model_with_an_obsolete_error_constructor_is_reported() =>
        Reports(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(ObsoleteErrorNet)")), "KD0005", "typeof(ObsoleteErrorNet)", "obsolete");

    [Fact]
    public void Types_open_generic_model_is_reported() =>
        Reports(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(GenericNet<>)")), "KD0005", "typeof(GenericNet<>)", "open generic");

    [Fact]
    public void Types_closed_generic_over_an_internal_type_in_a_public_experiment_is_reported() =>
        Reports(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(GenericNet<InternalNet>)")), "KD0042", "typeof(GenericNet<InternalNet>)", "InternalNet");

    [Fact]
    public void Types_closed_generic_model_compiles() =>
        Generates(Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(GenericNet<int>)")));

    [Theory]
    [InlineData("typeof(int[])")]
    [InlineData("typeof(SmallNet[])")]
    [InlineData("typeof(void)")]
    [InlineData("typeof(int*)")]
    public void Types_array_pointer_and_void_models_are_reported(string model) =>
        Reports(Experiment(ValidAttributes.Replace("typeof(SmallNet)", model), "public unsafe partial class Exp { }"), "KD0004", model);

    [Theory]
    [InlineData("Student")]
    [InlineData("Teacher")]
    public void Types_null_model_is_reported(string role)
    {
        string attributes = role == "Student" ? ValidAttributes.Replace("typeof(SmallNet)", "null") : ValidAttributes.Replace("typeof(BigNet)", "null");
        Reports(Experiment(attributes), "KD0028", "null", $"[{role}]");
    }

    [Fact]
    public void Types_record_experiment_compiles() =>
        Generates(Experiment(ValidAttributes, "public partial record Exp;"));

    [Fact]
    public void Types_record_class_experiment_compiles() =>
        Generates(Experiment(ValidAttributes, "public partial record class Exp { }"));

    [Fact]
    public void Types_file_local_experiment_is_reported() =>
        Reports(Experiment(ValidAttributes, "file partial class Exp { }"), "KD0029", "Exp", "file-local");

    [Theory]
    [InlineData("public static partial class Exp { }")]
    [InlineData("public abstract partial class Exp { }")]
    [InlineData("public sealed partial class Exp { }")]
    [InlineData("internal partial class Exp { }")]
    public void Types_static_abstract_sealed_internal_experiments_compile(string declaration) =>
        Generates(Experiment(ValidAttributes, declaration));

    [Fact]
    public void Types_experiment_derived_from_another_experiment_is_reported()
    {
        string source = Experiment(ValidAttributes, """
            public partial class Exp : Base { }
            [Distillation]
            [Teacher(typeof(BigNet))]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.KlDivergence)]
            public partial class Base { }
            """);
        var (result, output) = Run(GeneratorHarness.Models, source);
        Assert.Null(result.Exception);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0029", diagnostic.Id);
        Assert.Equal("Exp", SpanText(output, diagnostic));
        Assert.Contains("'Base'", diagnostic.GetMessage());
        Assert.EndsWith("Base.g.cs", Assert.Single(result.GeneratedSources).HintName); // the base experiment itself is fine
    }

    // ---- Arithmetic and limits ---------------------------------------------------------------------------------------

    private static string Values(int count, double start, double step) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => (start + i * step).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Limits_sweep_grid_that_overflows_int_is_reported()
    {
        string sweeps = $"""
            [Sweep(SweepAxes.Alpha, {Values(300, 0, 1.0 / 300)})]
            [Sweep(SweepAxes.Temperature, {Values(300, 1, 1)})]
            [Sweep(SweepAxes.StudentTemperature, {Values(300, 1, 1)})]
            [Sweep(SweepAxes.LearningRate, {Values(300, 1e-4, 1e-5)})]
            """;
        Reports(Experiment(ValidAttributes + "\n" + sweeps), "KD0040", "Sweep(SweepAxes.Alpha, " + Values(300, 0, 1.0 / 300) + ")", "8100000000");
    }

    [Fact]
    public void Limits_sweep_grid_over_a_million_trials_is_reported()
    {
        string sweeps = $"""
            [Sweep(SweepAxes.Alpha, {Values(101, 0, 0.01)})]
            [Sweep(SweepAxes.Temperature, {Values(100, 1, 1)})]
            [Sweep(SweepAxes.LearningRate, {Values(100, 1e-4, 1e-5)})]
            """;
        Reports(Experiment(ValidAttributes + "\n" + sweeps), "KD0040", "Sweep(SweepAxes.Alpha, " + Values(101, 0, 0.01) + ")", "1010000", "1000000");
    }

    [Fact]
    public void Limits_zero_and_negative_zero_are_the_same_sweep_value() =>
        Reports(Experiment(ValidAttributes + "\n[Sweep(SweepAxes.Alpha, 0.0, -0.0)]"), "KD0034", "-0.0", "Alpha", "0");

    [Fact]
    public void Limits_synthetic_feature_check_does_not_overflow() =>
        Reports(Experiment(ValidAttributes + "\n[Dataset(DatasetKind.Synthetic)] [SyntheticData(Classes = 2147483647, Groups = 2147483647, Features = 10)]"),
            "KD0014", "Features = 10", "SyntheticData.Features");

    [Theory]
    [InlineData("[LayerStack(Count = -3)]")]
    [InlineData("[LayerStack(Width = -1)]")]
    public void Limits_negative_layer_stack_on_the_model_class_is_reported(string stack)
    {
        string models = $$"""
            using KdDsl;
            using KdDsl.Models;
            namespace Sample
            {
                {{stack}}
                public sealed class Stacked : LayeredMlp { public Stacked(int inputFeatures, int classCount) : base(inputFeatures, classCount, Depth, 32) { } public static int Depth = 2; }
            }
            """;
        string source = Experiment("""
            [Teacher(typeof(Stacked))]
            [Student(typeof(Stacked))]
            [Loss(LossKind.KlDivergence)]
            [MatchLayers(LayerSelection.Forward)]
            """);
        var (diagnostic, span) = ReportsWith(models, source, "KD0020");
        Assert.Equal("typeof(Stacked)", span);
        Assert.Contains("negative Count or Width", diagnostic.GetMessage());
    }

    // ---- Arguments C# accepts --------------------------------------------------------------------------------------

    [Fact]
    public void Arguments_null_sweep_axis_name_is_reported() =>
        Reports(Experiment(ValidAttributes + "\n[Sweep(null, 0.5, 0.9)]"), "KD0028", "null", "[Sweep]");

    [Theory]
    [InlineData("[LayerMap(null, \"blocks.1\")]", 0)]
    [InlineData("[LayerMap(\"blocks.0\", null)]", 1)]
    public void Arguments_null_layer_map_path_is_reported(string map, int nullIndex)
    {
        string source = Experiment("""
            [Teacher(typeof(Deep))]
            [Student(typeof(Shallow))]
            [Loss(LossKind.KlDivergence)]
            [MatchLayers(LayerSelection.Explicit)]
            """ + "\n" + map);
        var (diagnostic, span) = ReportsWith(MatchingDiagnosticTests.LayeredModels, source, "KD0028");
        Assert.Equal("null", span);
        Assert.Contains(nullIndex == 0 ? "student layer" : "teacher layer", diagnostic.GetMessage());
    }

    [Fact]
    public void Arguments_duplicated_layer_map_pair_is_reported()
    {
        string source = Experiment("""
            [Teacher(typeof(Deep))]
            [Student(typeof(Shallow))]
            [Loss(LossKind.KlDivergence)]
            [MatchLayers(LayerSelection.Explicit)]
            [LayerMap("blocks.0", "blocks.3")]
            [LayerMap("blocks.0", "blocks.3")]
            """);
        var (diagnostic, span) = ReportsWith(MatchingDiagnosticTests.LayeredModels, source, "KD0027");
        Assert.Equal("LayerMap(\"blocks.0\", \"blocks.3\")", span);
        Assert.Equal(source.LastIndexOf("[LayerMap(", System.StringComparison.Ordinal) + 1, diagnostic.Location.SourceSpan.Start);
    }

    private static (Diagnostic Diagnostic, string Span) ReportsWith(string models, string source, string id)
    {
        var (result, output) = Run(GeneratorHarness.Models, models, source);
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratedSources);
        var diagnostic = result.Diagnostics.FirstOrDefault(d => d.Id == id);
        Assert.True(diagnostic is not null, $"Expected {id}, got:\n{Describe(result.Diagnostics)}");
        return (diagnostic!, SpanText(output, diagnostic!));
    }

    [Fact]
    public void Arguments_weights_an_alpha_axis_replaces_are_not_errors()
    {
        // Alpha sets both weights per trial: a declared zero or negative weight is replaced (KD0039 says so), not an error.
        string attributes = """
            [Teacher(typeof(BigNet))]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.CrossEntropy, Weight = 0)]
            [Loss(LossKind.KlDivergence, Weight = -1)]
            [Sweep(SweepAxes.Alpha, 0.5, 0.9)]
            """;
        var (result, output) = Run(GeneratorHarness.Models, Experiment(attributes));
        Assert.Null(result.Exception);
        Assert.Equal(new[] { "KD0039" }, result.Diagnostics.Select(d => d.Id));
        Assert.Single(result.GeneratedSources);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Arguments_all_weights_zero_with_an_alpha_axis_is_not_KD0008()
    {
        string attributes = """
            [Teacher(typeof(BigNet))]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.CrossEntropy, Weight = 0)]
            [Loss(LossKind.KlDivergence, Weight = 0)]
            [Sweep(SweepAxes.Alpha, 0.5, 0.9)]
            """;
        var (result, _) = Run(GeneratorHarness.Models, Experiment(attributes));
        Assert.Equal(new[] { "KD0039" }, result.Diagnostics.Select(d => d.Id));
        Assert.Single(result.GeneratedSources);
    }

    [Fact]
    public void Arguments_temperature_a_temperature_axis_replaces_is_not_an_error()
    {
        string attributes = """
            [Teacher(typeof(BigNet))]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.CrossEntropy)]
            [Loss(LossKind.KlDivergence, Temperature = 0)]
            [Sweep(SweepAxes.Temperature, 2.0, 4.0)]
            """;
        var (result, _) = Run(GeneratorHarness.Models, Experiment(attributes));
        Assert.Equal(new[] { "KD0039" }, result.Diagnostics.Select(d => d.Id));
        Assert.Single(result.GeneratedSources);
    }
}
