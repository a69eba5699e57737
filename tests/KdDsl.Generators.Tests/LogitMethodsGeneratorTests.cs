using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// The logit-family kinds (DecoupledKd, Dist, SymmetricKl, SkewedJensenShannon, TotalVariation) and the StandardizeLogits option:
/// each generates its runtime call and compiles without warnings, options of other kinds are KD0010, and KD0047 to KD0051 are
/// reported at the offending argument.
/// </summary>
public sealed class LogitMethodsGeneratorTests
{
    private const string Losses = "global::KdDsl.Losses.DistillationLosses";

    private static string Experiment(string term, string extra = "") => $$"""
        using KdDsl;
        using KdDsl.Losses;
        using Sample;

        namespace Sample.Experiments
        {
            [Distillation]
            [Teacher(typeof(BigNet))]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.CrossEntropy, Weight = 0.5)]
            {{term}}
            {{extra}}
            public partial class Logit { }
        }
        """;

    private const string DecoupledKd = """
        using KdDsl;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.Digits, TrainLimit = 500)]
            [Teacher(typeof(Sample.BigNet), Epochs = 3)]
            [Student(typeof(Sample.SmallNet))]
            [Loss(LossKind.CrossEntropy)]
            [Loss(LossKind.DecoupledKd, Temperature = 4, TargetClassWeight = 1, NonTargetClassWeight = 8)]
            [Train(Epochs = 5, BatchSize = 64, Seed = 3)]
            public partial class DecoupledKdExperiment { }
        }
        """;

    [Fact]
    public void Decoupled_kd_experiment_matches_its_baseline_and_compiles_without_warnings() =>
        GeneratorHarness.AssertMatchesBaseline("DecoupledKdExperiment", GeneratorHarness.Models, DecoupledKd);

    [Theory]
    [InlineData("[Loss(LossKind.DecoupledKd, Temperature = 4)]", "DecoupledKd(studentLogits, teacherLogits, labels, 4d, 1d, 8d)")]
    [InlineData("[Loss(LossKind.DecoupledKd, Temperature = 4, TargetClassWeight = 2, NonTargetClassWeight = 0.5, StandardizeLogits = true)]",
        "DecoupledKd(" + Losses + ".StandardizeLogits(studentLogits), " + Losses + ".StandardizeLogits(teacherLogits), labels, 4d, 2d, 0.5d)")]
    [InlineData("[Loss(LossKind.Dist)]", "Dist(studentLogits, teacherLogits, 1d, 1d, 1d)")]
    [InlineData("[Loss(LossKind.Dist, Temperature = 4, InterClassWeight = 2, IntraClassWeight = 0)]", "Dist(studentLogits, teacherLogits, 4d, 2d, 0d)")]
    [InlineData("[Loss(LossKind.SymmetricKl, Temperature = 2)]", "SymmetricKl(studentLogits, teacherLogits, 2d)")]
    [InlineData("[Loss(LossKind.SymmetricKl, Temperature = 2, StudentTemperature = 1, Reduction = KlReduction.ElementwiseMean)]",
        "SymmetricKl(studentLogits, teacherLogits, 2d, 1d, global::KdDsl.Losses.KlReduction.ElementwiseMean, true)")]
    [InlineData("[Loss(LossKind.SkewedJensenShannon, Temperature = 2)]", "SkewedJensenShannon(studentLogits, teacherLogits, 0.1d, 2d)")]
    [InlineData("[Loss(LossKind.SkewedJensenShannon, Skew = 0.9, ScaleByTemperatureSquared = false)]",
        "SkewedJensenShannon(studentLogits, teacherLogits, 0.9d, 1d, 1d, global::KdDsl.Losses.KlReduction.BatchMean, false)")]
    [InlineData("[Loss(LossKind.TotalVariation, Temperature = 2)]", "TotalVariation(studentLogits, teacherLogits, 2d)")]
    [InlineData("[Loss(LossKind.TotalVariation, Temperature = 2, StudentTemperature = 1, StandardizeLogits = true)]",
        "TotalVariation(" + Losses + ".StandardizeLogits(studentLogits), " + Losses + ".StandardizeLogits(teacherLogits), 2d, 1d, " +
        "global::KdDsl.Losses.KlReduction.BatchMean)")]
    [InlineData("[Loss(LossKind.KlDivergence, Temperature = 2, StandardizeLogits = true)]",
        "KlDivergence(" + Losses + ".StandardizeLogits(studentLogits), " + Losses + ".StandardizeLogits(teacherLogits), 2d)")]
    [InlineData("[Loss(LossKind.ReverseKl, Temperature = 2, StandardizeLogits = false)]", "ReverseKl(studentLogits, teacherLogits, 2d)")]
    public void Each_kind_generates_its_call_and_compiles_without_warnings(string term, string call)
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(term));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = GeneratorHarness.Flat(Assert.Single(result.GeneratedSources).SourceText.ToString());
        Assert.Contains("terms[1] = " + Losses + "." + call + ";", code);
        Assert.Contains("TeacherSource.Live(teacher)", code); // every one reads the teacher's logits
    }

    [Theory]
    [InlineData("[Loss(LossKind.DecoupledKd, StudentTemperature = 2)]", "StudentTemperature", "DecoupledKd")]
    [InlineData("[Loss(LossKind.DecoupledKd, Reduction = KlReduction.ElementwiseMean)]", "Reduction", "DecoupledKd")]
    [InlineData("[Loss(LossKind.Dist, StandardizeLogits = true)]", "StandardizeLogits", "Dist")]
    [InlineData("[Loss(LossKind.Dist, NonTargetClassWeight = 2)]", "NonTargetClassWeight", "Dist")]
    [InlineData("[Loss(LossKind.SymmetricKl, Skew = 0.5)]", "Skew", "SymmetricKl")]
    [InlineData("[Loss(LossKind.SkewedJensenShannon, TargetClassWeight = 2)]", "TargetClassWeight", "SkewedJensenShannon")]
    [InlineData("[Loss(LossKind.TotalVariation, ScaleByTemperatureSquared = false)]", "ScaleByTemperatureSquared", "TotalVariation")]
    [InlineData("[Loss(LossKind.KdPt, StandardizeLogits = true)]", "StandardizeLogits", "KdPt")]
    [InlineData("[Loss(LossKind.KlDivergence, InterClassWeight = 2)]", "InterClassWeight", "KlDivergence")]
    public void Options_of_other_kinds_are_KD0010_at_the_argument(string term, string option, string kind)
    {
        string source = Experiment(term);
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0010", diagnostic.Id);
        Assert.StartsWith(option + " = ", Span(source, diagnostic));
        Assert.Contains($"'{option}' does not apply to the {kind} term", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Empty(result.GeneratedSources);
    }

    [Theory]
    [InlineData("[Loss(LossKind.DecoupledKd, NonTargetClassWeight = -8)]", "KD0047", "NonTargetClassWeight = -8",
        "NonTargetClassWeight of the DecoupledKd term is -8")]
    [InlineData("[Loss(LossKind.DecoupledKd, TargetClassWeight = double.PositiveInfinity)]", "KD0047", "TargetClassWeight = double.PositiveInfinity",
        "TargetClassWeight of the DecoupledKd term is Infinity")]
    [InlineData("[Loss(LossKind.Dist, InterClassWeight = double.NaN)]", "KD0047", "InterClassWeight = double.NaN", "InterClassWeight of the Dist term is NaN")]
    [InlineData("[Loss(LossKind.Dist, IntraClassWeight = -1)]", "KD0047", "IntraClassWeight = -1", "must be a finite number >= 0")]
    [InlineData("[Loss(LossKind.DecoupledKd, TargetClassWeight = 0, NonTargetClassWeight = 0)]", "KD0048", "NonTargetClassWeight = 0",
        "TargetClassWeight and NonTargetClassWeight of the DecoupledKd term are both 0")]
    [InlineData("[Loss(LossKind.Dist, IntraClassWeight = 0, InterClassWeight = 0)]", "KD0048", "IntraClassWeight = 0",
        "InterClassWeight and IntraClassWeight of the Dist term are both 0")]
    [InlineData("[Loss(LossKind.SkewedJensenShannon, Skew = 1)]", "KD0049", "Skew = 1", "Skew of the SkewedJensenShannon term is 1")]
    [InlineData("[Loss(LossKind.SkewedJensenShannon, Skew = 0)]", "KD0049", "Skew = 0", "strictly between 0 and 1")]
    [InlineData("[Loss(LossKind.SkewedJensenShannon, Skew = -0.5)]", "KD0049", "Skew = -0.5", "is -0.5")]
    [InlineData("[Loss(LossKind.SkewedJensenShannon, Skew = double.NaN)]", "KD0049", "Skew = double.NaN", "is NaN")]
    public void Invalid_values_are_errors_at_the_argument(string term, string id, string span, string message)
    {
        string source = Experiment(term);
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(span, Span(source, diagnostic));
        Assert.Contains(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void Valid_edge_values_are_accepted()
    {
        foreach (string term in new[]
                 {
                     "[Loss(LossKind.DecoupledKd, TargetClassWeight = 0)]", "[Loss(LossKind.DecoupledKd, NonTargetClassWeight = 0)]",
                     "[Loss(LossKind.Dist, InterClassWeight = 0)]", "[Loss(LossKind.SkewedJensenShannon, Skew = 1e-9)]",
                     "[Loss(LossKind.SkewedJensenShannon, Skew = 0.999999)]",
                 })
        {
            var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(term));
            Assert.Empty(result.Diagnostics);
            Assert.Single(result.GeneratedSources);
            Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        }
    }

    [Fact]
    public void KD0050_warns_at_StandardizeLogits_with_a_calibrated_teacher_and_the_experiment_still_compiles()
    {
        string source = Experiment("[Loss(LossKind.JensenShannon, Temperature = 2, StandardizeLogits = true)]",
            "[CalibratedTeacher]\n[Dataset(DatasetKind.Digits, ValidationFraction = 0.1)]");
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0050", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("StandardizeLogits = true", Span(source, diagnostic));
        Assert.Contains("StandardizeLogits on the JensenShannon term", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Single(result.GeneratedSources);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));

        // StandardizeLogits = false, or no [CalibratedTeacher]: nothing to say.
        (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source.Replace("StandardizeLogits = true", "StandardizeLogits = false"));
        Assert.Empty(result.Diagnostics);
        (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source.Replace("[CalibratedTeacher]", ""));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void KD0051_warns_at_a_batch_size_of_1_with_DIST_intra_class_relation()
    {
        string source = Experiment("[Loss(LossKind.Dist, Temperature = 4, IntraClassWeight = 2)]", "[Train(Epochs = 2, BatchSize = 1)]");
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0051", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("BatchSize = 1", Span(source, diagnostic));
        Assert.Contains("IntraClassWeight = 2", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Single(result.GeneratedSources);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));

        // Without the intra-class part, or with batches of 2, nothing to say.
        (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source.Replace("IntraClassWeight = 2", "IntraClassWeight = 0"));
        Assert.Empty(result.Diagnostics);
        (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source.Replace("BatchSize = 1", "BatchSize = 2"));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void A_swept_kl_term_keeps_its_standardization_in_every_trial()
    {
        string source = Experiment("[Loss(LossKind.KlDivergence, Weight = 0.5, StandardizeLogits = true)]",
            "[Sweep(SweepAxes.Temperature, 2.0, 4.0)]");
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = GeneratorHarness.Flat(Assert.Single(result.GeneratedSources).SourceText.ToString());
        Assert.Contains("KlDivergence(" + Losses + ".StandardizeLogits(studentLogits), " + Losses + ".StandardizeLogits(teacherLogits), trial.Temperature, ", code);
    }

    [Theory]
    [InlineData("[Loss(LossKind.DecoupledKd, NonTargetClassWeight = 2)]", "[Sweep(SweepAxes.Temperature, 2.0, 4.0)]",
        "DecoupledKd(studentLogits, teacherLogits, labels, trial.Temperature, 1d, 2d)")]
    [InlineData("[Loss(LossKind.Dist)]", "[Sweep(SweepAxes.Temperature, 1.0, 4.0)]", "Dist(studentLogits, teacherLogits, trial.Temperature, 1d, 1d)")]
    [InlineData("[Loss(LossKind.SymmetricKl, Temperature = 2)]", "[Sweep(SweepAxes.StudentTemperature, 1.0, 2.0)]",
        "SymmetricKl(studentLogits, teacherLogits, 2d, trial.StudentTemperature, global::KdDsl.Losses.KlReduction.BatchMean, true)")]
    [InlineData("[Loss(LossKind.SkewedJensenShannon, Skew = 0.2)]", "[Sweep(SweepAxes.Temperature, 1.0, 2.0)]",
        "SkewedJensenShannon(studentLogits, teacherLogits, 0.2d, trial.Temperature, trial.Temperature, global::KdDsl.Losses.KlReduction.BatchMean, true)")]
    [InlineData("[Loss(LossKind.TotalVariation, StandardizeLogits = true)]", "[Sweep(SweepAxes.Temperature, 1.0, 2.0)]",
        "TotalVariation(" + Losses + ".StandardizeLogits(studentLogits), " + Losses + ".StandardizeLogits(teacherLogits), trial.Temperature, " +
        "trial.Temperature, global::KdDsl.Losses.KlReduction.BatchMean)")]
    public void The_temperature_axes_act_on_a_logit_family_term(string term, string sweep, string call)
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(term, sweep));
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = GeneratorHarness.Flat(Assert.Single(result.GeneratedSources).SourceText.ToString());
        Assert.Contains("terms[1] = " + Losses + "." + call + ";", code);
    }

    [Theory]
    [InlineData("[Loss(LossKind.DecoupledKd)]", "[Sweep(SweepAxes.StudentTemperature, 1.0, 2.0)]", "one temperature for the teacher and the student")]
    [InlineData("[Loss(LossKind.Dist)]", "[Sweep(SweepAxes.StudentTemperature, 1.0, 2.0)]", "one temperature for the teacher and the student")]
    [InlineData("[Loss(LossKind.DecoupledKd)]\n[Loss(LossKind.KlDivergence, Weight = 0)]", "[Sweep(SweepAxes.Temperature, 1.0, 2.0)]",
        "the experiment has 2 it could act on (DecoupledKd, KlDivergence)")]
    [InlineData("[Loss(LossKind.ReverseKl)]", "[Sweep(SweepAxes.Temperature, 1.0, 2.0)]", "no KlDivergence term")]
    public void The_temperature_axes_need_one_term_with_that_temperature(string term, string sweep, string message)
    {
        string source = Experiment(term, sweep);
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0035", diagnostic.Id);
        Assert.StartsWith("SweepAxes.", Span(source, diagnostic));
        Assert.Contains(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Standardization_off_leaves_the_existing_kinds_calls_unchanged()
    {
        foreach (string kind in new[] { "KlDivergence", "ReverseKl", "JensenShannon" })
        {
            var (declared, _) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment($"[Loss(LossKind.{kind}, Temperature = 3, StandardizeLogits = false)]"));
            var (plain, _) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment($"[Loss(LossKind.{kind}, Temperature = 3)]"));
            Assert.Equal(Assert.Single(plain.GeneratedSources).SourceText.ToString(), Assert.Single(declared.GeneratedSources).SourceText.ToString());
            Assert.Contains($"{Losses}.{kind}(studentLogits, teacherLogits, 3d)", plain.GeneratedSources.Single().SourceText.ToString());
        }
    }

    private static string Span(string source, Diagnostic diagnostic) =>
        source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
}
