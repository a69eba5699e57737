using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// [Stage]: what a staged experiment generates (a baseline that compiles without warnings: one terms function per stage and
/// the stages in order), and one diagnostic per invalid configuration, at the offending argument.
/// </summary>
public sealed class StageTests
{
    private const string FitNetsStages = """
        using KdDsl;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.Digits)]
            [Teacher(typeof(Sample.Deep), Epochs = 3)]
            [Student(typeof(Sample.Shallow))]
            [Stage(1, Epochs = 2, LearningRate = 0.01, Trains = new[] { "embedding", "blocks.0", "blocks.1" })]
            [Stage(2)]
            [MatchLayers(LayerSelection.Explicit, Weight = 3, Stage = 1)]
            [LayerMap("blocks.1", "blocks.5")]
            [Loss(LossKind.CrossEntropy, Weight = 0.5, Stage = 2)]
            [Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4, Stage = 2)]
            [Train(Epochs = 4, Seed = 9, Checkpoint = "runs/fitnets.ckpt")]
            public partial class FitNetsStages { }
        }
        """;

    [Fact]
    public void Generated_code_matches_the_baseline_and_compiles_without_warnings()
    {
        GeneratorHarness.AssertMatchesBaseline("FitNetsStages", GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, FitNetsStages);
    }

    [Fact]
    public void Each_stage_gets_its_own_terms_and_settings()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, FitNetsStages);
        string code = GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString());
        Assert.Contains("new(1, run.Settings with { Epochs = 2, LearningRate = 0.01d }, Stage1Terms(matcher), new string[] { \"embedding\", \"blocks.0\", \"blocks.1\" }, MatchesLayers: true)", code);
        Assert.Contains("new(2, run.Settings, Stage2Terms())", code);
        Assert.Contains("Stage1Terms(global::KdDsl.Matching.HiddenStateMatcher matcher) => new(new string[] { \"HiddenStates\" }, new double[] { 3d }", code);
        Assert.Contains("Stage2Terms() => new(new string[] { \"CrossEntropy\", \"KlDivergence\" }, new double[] { 0.5d, 0.5d }", code);
        Assert.Contains("run.DistillInStages(student, global::KdDsl.Training.TeacherSource.Live(teacher), LossTermNames, stages, declaredCheckpoint: \"runs/fitnets.ckpt\", matcher: matcher)", code);
    }

    [Fact]
    public void KD0061_a_stage_number_declared_twice()
    {
        string source = Experiment("[Stage(1, Epochs = 2)]\n[Stage(1, Epochs = 3)]", "[Loss(LossKind.KlDivergence, Temperature = 4)]");
        var diagnostic = Assert.Single(Diagnostics(source));
        Assert.Equal("KD0061", diagnostic.Id);
        Assert.Equal(source.LastIndexOf("[Stage(1", System.StringComparison.Ordinal) + "[Stage(".Length, diagnostic.Location.SourceSpan.Start);
    }

    [Theory]
    [InlineData("new string[0]", "an empty list of parameters")]
    [InlineData("new[] { \"head\", \" \" }", "a parameter name that is empty")]
    public void KD0062_a_stage_that_trains_nothing(string trains, string reason)
    {
        string source = Experiment($"[Stage(1, Trains = {trains})]", "[Loss(LossKind.KlDivergence, Temperature = 4)]");
        var diagnostic = Assert.Single(Diagnostics(source));
        Assert.Equal("KD0062", diagnostic.Id);
        Assert.Equal($"Trains = {trains}", At(source, diagnostic));
        Assert.Contains(reason, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Stage(1)]", "the declared stages are 1")]
    [InlineData("", "the experiment declares no [Stage]")]
    public void KD0063_a_term_in_a_stage_that_is_not_declared(string stages, string reason)
    {
        string source = Experiment(stages, "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, Temperature = 4, Stage = 2)]");
        var diagnostic = Assert.Single(Diagnostics(source));
        Assert.Equal("KD0063", diagnostic.Id);
        Assert.Equal("Stage = 2", At(source, diagnostic));
        Assert.Contains("KlDivergence belongs to stage 2, but " + reason, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Loss(LossKind.KlDivergence, Temperature = 4, Stage = 2)]", "no loss term")]
    [InlineData("[Loss(LossKind.CrossEntropy, Weight = 0, Stage = 1)]\n[Loss(LossKind.KlDivergence, Temperature = 4, Stage = 2)]", "only terms of weight 0")]
    public void KD0064_a_stage_without_a_term(string losses, string reason)
    {
        string source = Experiment("[Stage(1)]\n[Stage(2)]", losses);
        var diagnostic = Assert.Single(Diagnostics(source));
        Assert.Equal("KD0064", diagnostic.Id);
        Assert.Equal("Stage(1)", At(source, diagnostic));
        Assert.Contains(reason, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[Stage(0)]", "0", "The stage number is 0")]
    [InlineData("[Stage(1, Epochs = -1)]", "Epochs = -1", "Stage 1's Epochs is -1")]
    [InlineData("[Stage(1, LearningRate = -0.1)]", "LearningRate = -0.1", "Stage 1's LearningRate is -0.1")]
    public void KD0014_stage_values_out_of_range(string stage, string argument, string message)
    {
        string source = Experiment(stage, "[Loss(LossKind.KlDivergence, Temperature = 4)]");
        var diagnostic = Assert.Single(Diagnostics(source), d => d.Id == "KD0014");
        Assert.Equal(argument, At(source, diagnostic));
        Assert.StartsWith(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void KD0015_stages_with_a_sweep()
    {
        string source = Experiment("[Stage(1)]\n[Sweep(SweepAxes.Temperature, 2.0, 4.0)]", "[Loss(LossKind.KlDivergence, Temperature = 4)]");
        var diagnostic = Assert.Single(Diagnostics(source), d => d.Id == "KD0015");
        Assert.StartsWith("Sweep(", At(source, diagnostic));
    }

    private static string Experiment(string stages, string losses) => $$"""
        using KdDsl;
        using Sample;

        [Distillation]
        [Teacher(typeof(BigNet))]
        [Student(typeof(SmallNet))]
        {{stages}}
        {{losses}}
        public partial class Staged { }
        """;

    private static string At(string source, Diagnostic diagnostic) =>
        source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);

    private static Diagnostic[] Diagnostics(string source)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        return result.Diagnostics.ToArray();
    }
}
