using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// The relational layer-matching distances (SP, RKD, PKT) in the generator: they parse, name the term after the method, need
/// no connector (Projection = false is not KD0024 for them), report the options that do not apply (KD0015) and a batch too
/// small to relate samples (KD0053) at the offending argument, and generate code that compiles without warnings; one
/// experiment's generated text is held against a baseline (Baselines/RelationalKd.verified.cs).
/// </summary>
public sealed class RelationalMatchingGeneratorTests
{
    public static TheoryData<string> Distances() => new()
    {
        "SimilarityPreserving", "RelationalDistance", "RelationalAngle", "RelationalDistanceAngle", "ProbabilisticTransfer",
    };

    private static Diagnostic Single(string source, string id, string expectedSpanText, params string[] messageParts)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(expectedSpanText, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        foreach (var part in messageParts) Assert.Contains(part, message);
        Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
        Assert.Empty(result.GeneratedSources);
        return diagnostic;
    }

    [Theory]
    [MemberData(nameof(Distances))]
    public void Relational_distances_parse_name_their_term_and_compile_without_warnings(string distance)
    {
        // Deep is 64 wide and Shallow 32: with Projection = false an element-wise distance is KD0024, a relational one needs no connector.
        string source = MatchingDiagnosticTests.Experiment($"[MatchLayers(LayerSelection.Forward, Weight = 25, Distance = HiddenDistance.{distance})]\n[Train(BatchSize = 3)]");
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string flat = GeneratorHarness.Flat(Assert.Single(result.GeneratedSources).SourceText.ToString());
        Assert.Contains($"new string[] {{ \"CrossEntropy\", \"KlDivergence\", \"{distance}\" }}", flat);
        Assert.Contains($"double {distance},", flat);
        Assert.Contains($"Distance: global::KdDsl.HiddenDistance.{distance},", flat);
        Assert.Contains("terms[2] = matcher.Loss(batch.StudentStates!, batch.TeacherStates!, studentLogits);", flat);
        Assert.DoesNotContain("Resize:", flat);
        Assert.DoesNotContain("\"HiddenStates\"", flat);
        Assert.DoesNotContain("double HiddenStates", flat);
    }

    [Fact]
    public void Element_wise_distances_keep_kd0024_without_projection() =>
        Single(MatchingDiagnosticTests.Experiment("[MatchLayers(LayerSelection.Forward, Projection = false)]"), "KD0024", "Projection = false", "64", "32");

    [Theory]
    [MemberData(nameof(Distances))]
    public void KD0015_a_normalization_does_not_apply(string distance) =>
        Single(MatchingDiagnosticTests.Experiment($"[MatchLayers(LayerSelection.Forward, Distance = HiddenDistance.{distance}, Normalization = HiddenNormalization.LayerNorm)]"),
            "KD0015", "Normalization = HiddenNormalization.LayerNorm", $"conflicts with HiddenDistance.{distance}", "remove it");

    [Theory]
    [MemberData(nameof(Distances))]
    public void KD0015_projection_off_does_not_apply(string distance) =>
        Single(MatchingDiagnosticTests.Experiment($"[MatchLayers(LayerSelection.Forward, Distance = HiddenDistance.{distance}, Projection = false)]"),
            "KD0015", "Projection = false", "MatchLayers.Projection conflicts", "no connector is ever made");

    [Theory]
    [MemberData(nameof(Distances))]
    public void KD0015_a_resize_does_not_apply(string distance) =>
        Single(MatchingDiagnosticTests.Experiment($"[MatchLayers(LayerSelection.Forward, Distance = HiddenDistance.{distance}, Resize = SpatialResize.AdaptiveAveragePool)]"),
            "KD0015", "Resize = SpatialResize.AdaptiveAveragePool", "MatchLayers.Resize conflicts", "any sizes");

    [Theory]
    [InlineData("SimilarityPreserving", 1, "2")]
    [InlineData("ProbabilisticTransfer", 1, "2")]
    [InlineData("RelationalDistance", 2, "3")]
    [InlineData("RelationalAngle", 1, "3")]
    [InlineData("RelationalDistanceAngle", 2, "3")]
    public void KD0053_a_batch_too_small_to_relate_samples(string distance, int batch, string minimum) =>
        Single(MatchingDiagnosticTests.Experiment($"[MatchLayers(LayerSelection.Forward, Distance = HiddenDistance.{distance})]\n[Train(Epochs = 2, BatchSize = {batch})]"),
            "KD0053", $"BatchSize = {batch}", $"Train.BatchSize is {batch}", $"HiddenDistance.{distance}", $"needs at least {minimum}", "always 0");

    [Fact]
    public void KD0053_is_not_reported_for_element_wise_distances_or_large_enough_batches()
    {
        foreach (var attributes in new[]
        {
            "[MatchLayers(LayerSelection.Forward, Distance = HiddenDistance.Mse)]\n[Train(BatchSize = 1)]",
            "[MatchLayers(LayerSelection.Forward, Distance = HiddenDistance.SimilarityPreserving)]\n[Train(BatchSize = 2)]",
            "[MatchLayers(LayerSelection.Forward, Distance = HiddenDistance.RelationalAngle)]\n[Train(BatchSize = 3)]",
        })
        {
            var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, MatchingDiagnosticTests.Experiment(attributes));
            Assert.Empty(result.Diagnostics);
            Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        }
        // A batch size of 0 stays KD0014 alone.
        var (zero, _) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels,
            MatchingDiagnosticTests.Experiment("[MatchLayers(LayerSelection.Forward, Distance = HiddenDistance.RelationalDistance)]\n[Train(BatchSize = 0)]"));
        Assert.Equal("KD0014", Assert.Single(zero.Diagnostics).Id);
    }

    private const string Relational = """
        using KdDsl;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.Digits)]
            [Teacher(typeof(Sample.Deep), Epochs = 3)]
            [Student(typeof(Sample.Shallow))]
            [Loss(LossKind.CrossEntropy)]
            [Loss(LossKind.KlDivergence, Temperature = 4)]
            [MatchLayers(LayerSelection.Explicit, Weight = 25, Distance = HiddenDistance.RelationalDistanceAngle)]
            [LayerMap("blocks.2", "blocks.11")]
            [Train(Epochs = 2, BatchSize = 64, Seed = 3)]
            public partial class RelationalKd { }
        }
        """;

    [Fact]
    public void Generated_relational_experiment_matches_the_baseline_and_compiles_without_warnings() =>
        GeneratorHarness.AssertMatchesBaseline("RelationalKd", GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, Relational);
}
