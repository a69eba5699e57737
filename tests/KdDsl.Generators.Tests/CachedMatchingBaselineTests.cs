using System;
using System.Linq;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// A teacher-output cache together with <c>[MatchLayers]</c>: the cache holds the teacher's logits and the hidden states the
/// resolved map reads, and the loop reads both by batch indices instead of running the teacher (Baselines/CachedMatchingKd.verified.cs;
/// KDDSL_ACCEPT_BASELINES=1 rewrites it, like the others).
/// </summary>
public sealed class CachedMatchingBaselineTests
{
    private const string CachedMatching = """
        using KdDsl;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.Digits)]
            [Teacher(typeof(Sample.Deep), Epochs = 3, CacheOutputs = TeacherOutputCaching.Disk, CacheDirectory = "cache/teachers")]
            [Student(typeof(Sample.Shallow))]
            [Loss(LossKind.CrossEntropy)]
            [Loss(LossKind.KlDivergence, Temperature = 2)]
            [MatchLayers(LayerSelection.Random, Weight = 2, Normalization = HiddenNormalization.LayerNorm)]
            [Train(Epochs = 2, Seed = 9)]
            public partial class CachedMatchingKd { }
        }
        """;

    [Fact]
    public void Cached_matching_code_matches_the_baseline_and_compiles_without_warnings()
    {
        GeneratorHarness.AssertMatchesBaseline("CachedMatchingKd", GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, CachedMatching);
    }

    [Theory]
    [InlineData("Memory", "[Loss(LossKind.KlDivergence)]", "[MatchLayers(LayerSelection.Forward)]")]
    [InlineData("Disk", "[Loss(LossKind.KlDivergence)]", "[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"embedding\", \"embedding\")] [LayerMap(\"blocks.2\", \"blocks.11\")]")]
    [InlineData("Memory", "", "[MatchLayers(LayerSelection.InOrderRandom)]")] // only the hidden states read the teacher: they are cached
    [InlineData("Disk", "", "[MatchLayers(LayerSelection.None)]")]
    public void The_loop_reads_logits_and_hidden_states_from_the_cache(string caching, string logitTerm, string matching)
    {
        string source = $$"""
            using KdDsl;
            using Sample;

            namespace Sample.Experiments
            {
                [Distillation]
                [Teacher(typeof(Deep), CacheOutputs = TeacherOutputCaching.{{caching}})]
                [Student(typeof(Shallow))]
                [Loss(LossKind.CrossEntropy)]
                {{logitTerm}}
                {{matching}}
                public partial class Exp { }
            }
            """;
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, source);
        Assert.Empty(result.Diagnostics); // no KD0015: the cache holds the hidden states too
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Contains($"TeacherOutputCache.{(caching == "Memory" ? "InMemory" : "OnDisk")}(teacher, layerMap, data.Train, run.Settings.BatchSize, run.Device", GeneratorHarness.Flat(code));
        // The loop reads logits and states from the cache (the teacher does not run in it); the runtime test checks the values.
        Assert.Contains("global::KdDsl.Training.TeacherSource.Cached(teacherOutputs)", code);
        Assert.DoesNotContain("TeacherSource.Live", code);
        // The map is resolved before the cache is filled.
        Assert.True(code.IndexOf("LayerMapping.Resolve", StringComparison.Ordinal) < code.IndexOf("TeacherOutputCache.", StringComparison.Ordinal));
        Assert.Equal(caching == "Disk", code.Contains("TeacherOutputsReadFromCache = teacherOutputs.LoadedFromDisk,", StringComparison.Ordinal));
    }

}
