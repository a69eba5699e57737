using System;
using System.Linq;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// The generated text of a matching experiment against its checked-in baseline (Baselines/LayerMatchingKd.verified.cs;
/// KDDSL_ACCEPT_BASELINES=1 rewrites it, like the others), and the declared matching reaching the code.
/// </summary>
public sealed class MatchingBaselineTests
{
    private const string LayerMatching = """
        using KdDsl;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.Digits)]
            [Teacher(typeof(Sample.Deep), Epochs = 3)]
            [Student(typeof(Sample.Shallow))]
            [Loss(LossKind.CrossEntropy)]
            [Loss(LossKind.KlDivergence)]
            [MatchLayers(LayerSelection.Explicit, Weight = 3, Normalization = HiddenNormalization.LayerNorm, MatchEmbeddings = true)]
            [LayerMap("blocks.0", "blocks.3")]
            [LayerMap("blocks.2", "blocks.11")]
            [Train(Epochs = 2, Seed = 9, StudentBaseline = true)]
            public partial class LayerMatchingKd { }
        }
        """;

    [Fact]
    public void Generated_code_matches_the_baseline_and_compiles_without_warnings()
    {
        GeneratorHarness.AssertMatchesBaseline("LayerMatchingKd", GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, LayerMatching);
    }

    [Fact]
    public void Declared_matching_reaches_the_generated_code()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, LayerMatching);
        string code = result.GeneratedSources.Single().SourceText.ToString();
        // The declared values, as the generated DeclaredMatching passes them (wrapped at 140 columns).
        string flat = System.Text.RegularExpressions.Regex.Replace(code, @"\s+", " ");
        Assert.Contains("global::KdDsl.LayerSelection.Explicit, Weight: 3d, Distance: global::KdDsl.HiddenDistance.SquaredL2, " +
                        "Normalization: global::KdDsl.HiddenNormalization.LayerNorm,", flat);
        Assert.Contains("MatchEmbeddings: true, AllToOneTeacherLayer: null, Projection: true, ExplicitMap: new (string, string)[] { (\"blocks.0\", \"blocks.3\"), (\"blocks.2\", \"blocks.11\") });", flat);
        // Paths read from the models' fields: LayeredMlp's "blocks" ModuleList and its "embedding" input layer.
        Assert.Contains("LayerStackShape.Of(student, \"student\", \"Sample.Shallow\", \"blocks\", \"embedding\", data.Train)", code);
        Assert.Contains("new double[] { 1d, 1d, 3d }", code);
        Assert.Contains("terms[2] = matcher.Loss(batch.StudentStates!, batch.TeacherStates!, studentLogits);", code);
        Assert.Contains("matcher: matcher", code); // the loop trains the projections with the student and captures the states
        // The map is resolved (and checked) before the teacher is trained.
        Assert.True(code.IndexOf("LayerMapping.Resolve", StringComparison.Ordinal) < code.IndexOf("run.PrepareTeacher", StringComparison.Ordinal));
        Assert.Contains("LayerMap = layerMap,", code);
    }

    [Fact]
    public void Attention_transfer_is_its_own_term_and_a_declared_resize_reaches_the_code()
    {
        string source = LayerMatching
            .Replace("[MatchLayers(LayerSelection.Explicit, Weight = 3, Normalization = HiddenNormalization.LayerNorm, MatchEmbeddings = true)]",
                "[MatchLayers(LayerSelection.Explicit, Weight = 500, Distance = HiddenDistance.AttentionTransfer, Resize = SpatialResize.AdaptiveAveragePool)]");
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, source);
        Assert.Empty(result.Diagnostics);
        string flat = GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString());
        Assert.Contains("new string[] { \"CrossEntropy\", \"KlDivergence\", \"AttentionTransfer\" }", flat);
        Assert.Contains("double AttentionTransfer,", flat);
        Assert.Contains("Distance: global::KdDsl.HiddenDistance.AttentionTransfer,", flat);
        Assert.Contains("Resize: global::KdDsl.SpatialResize.AdaptiveAveragePool);", flat);
        Assert.Contains("terms[2] = matcher.Loss(batch.StudentStates!, batch.TeacherStates!, studentLogits);", flat);
    }
}
