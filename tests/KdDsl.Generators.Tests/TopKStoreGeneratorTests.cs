using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// The top-k teacher store, <c>[Teacher(CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = k)]</c>: the generated code
/// (Baselines/TopKStoreKd.verified.cs; KDDSL_ACCEPT_BASELINES=1 rewrites it) and the diagnostics KD0057-KD0060, each at the
/// offending argument. What the store can serve is the loss catalog's decision (TeacherInput.TopKLogits).
/// </summary>
public sealed class TopKStoreGeneratorTests
{
    private const string TopKStore = """
        using KdDsl;
        using KdDsl.Losses;

        namespace Sample.Experiments
        {
            [Distillation]
            [Teacher(typeof(Sample.BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 64, CacheRemainder = SparseRemainder.Spread,
                     CacheDirectory = "cache/topk")]
            [CalibratedTeacher]
            [Student(typeof(Sample.SmallNet))]
            [Loss(LossKind.CrossEntropy, Weight = 0.5)]
            [Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4, StudentTemperature = 1)]
            [Loss(LossKind.KdSim, Weight = 0)]
            public partial class TopKStoreKd { }
        }
        """;

    private static string Experiment(string teacher, string rest = "[Loss(LossKind.KlDivergence, Temperature = 2)]", string dataset = "") => $$"""
        using KdDsl;
        using Sample;

        namespace Sample.Experiments
        {
            [Distillation]
            {{dataset}}
            {{teacher}}
            [Student(typeof(SmallNet))]
            [Loss(LossKind.CrossEntropy)]
            {{rest}}
            public partial class Exp { }
        }
        """;

    private static Diagnostic Single(string source, string id, DiagnosticSeverity severity, string spanText, params string[] messageParts)
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(spanText, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var part in messageParts) Assert.Contains(part, message);
        if (severity == DiagnosticSeverity.Error) Assert.Empty(result.GeneratedSources);
        else Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        return diagnostic;
    }

    [Fact]
    public void Top_k_store_code_matches_the_baseline_and_compiles_without_warnings()
    {
        GeneratorHarness.AssertMatchesBaseline("TopKStoreKd", GeneratorHarness.Models, TopKStore);
    }

    [Fact]
    public void The_loop_reads_the_store_and_the_KL_term_its_sparse_form()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, TopKStore);
        string code = GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString());
        // Built after calibration, for the KL term's temperature (the store adds T = 1), on disk under the declared folder.
        Assert.Contains("using var teacherStore = global::KdDsl.Training.SparseTeacherStore.OnDisk(teacher, data.Train, 64, " +
                        "new double[] { 4d }, run.Settings.BatchSize, run.Device, \"cache/topk\", teacherCalibration.Temperature);", code);
        Assert.True(code.IndexOf("run.CalibrateTeacher", System.StringComparison.Ordinal) < code.IndexOf("SparseTeacherStore.OnDisk", System.StringComparison.Ordinal));
        Assert.Contains("global::KdDsl.Training.TeacherSource.SparseCached(teacherStore)", code);
        Assert.Contains("var teacherTopK = batch.TeacherTopK;", code);
        Assert.Contains("global::KdDsl.Losses.SparseDistillationLosses.KlDivergence(studentLogits, teacherTopK, 4d, 1d, " +
                        "global::KdDsl.Losses.KlReduction.BatchMean, true, global::KdDsl.SparseRemainder.Spread)", code);
        Assert.DoesNotContain("teacherLogits", code); // no term reads dense logits; KdSim reads the model's logit layer
        Assert.DoesNotContain("TeacherOutputCache.", code);
        Assert.Contains("TeacherOutputsReadFromCache = teacherStore.LoadedFromDisk", code);
        Assert.Contains("cacheDirectory: \"cache/topk\"", code);

        // The short form with the defaults (Renormalize, T_s = T), and the default folder.
        (result, var output) = GeneratorHarness.Run(GeneratorHarness.Models,
            Experiment("[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 5)]"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        code = GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString());
        Assert.Contains("SparseDistillationLosses.KlDivergence(studentLogits, teacherTopK, 2d, global::KdDsl.SparseRemainder.Renormalize);", code);
        Assert.Contains("SparseTeacherStore.OnDisk(teacher, data.Train, 5, new double[] { 2d }, run.Settings.BatchSize, run.Device, \".kddsl-cache\");", code);
    }

    [Fact]
    public void An_alpha_sweep_combines_with_the_store()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(
            "[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 5)]",
            "[Loss(LossKind.KlDivergence, Temperature = 2)] [Sweep(SweepAxes.Alpha, 0.5, 0.9)]"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Contains("trial.Alpha", result.GeneratedSources.Single().SourceText.ToString());
    }

    [Theory]
    [InlineData("CacheOutputs = TeacherOutputCaching.Disk, CacheTopK = 64", "CacheTopK = 64", "Teacher.CacheTopK applies only", "CacheOutputs is TeacherOutputCaching.Disk")]
    [InlineData("CacheTopK = 64", "CacheTopK = 64", "Teacher.CacheTopK applies only", "CacheOutputs is TeacherOutputCaching.None (the default)")]
    [InlineData("CacheOutputs = TeacherOutputCaching.Memory, CacheRemainder = SparseRemainder.Spread", "CacheRemainder = SparseRemainder.Spread",
        "Teacher.CacheRemainder applies only", "CacheOutputs is TeacherOutputCaching.Memory")]
    public void KD0057_store_option_without_the_store(string arguments, string span, string first, string second) =>
        Single(Experiment($"[Teacher(typeof(BigNet), {arguments})]"), "KD0057", DiagnosticSeverity.Error, span, first, second);

    [Fact]
    public void KD0058_k_missing_or_below_one()
    {
        Single(Experiment("[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK)]"), "KD0058", DiagnosticSeverity.Error,
            "CacheOutputs = TeacherOutputCaching.SparseTopK", "Teacher.CacheTopK is not set", "e.g. CacheTopK = 64");
        Single(Experiment("[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 0)]"), "KD0058",
            DiagnosticSeverity.Error, "CacheTopK = 0", "Teacher.CacheTopK is 0");
        Single(Experiment("[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = -3)]"), "KD0058",
            DiagnosticSeverity.Error, "CacheTopK = -3", "Teacher.CacheTopK is -3");
    }

    [Theory]
    [InlineData("[Loss(LossKind.LogitMse)]", "LossKind.LogitMse", "The LogitMse term needs the teacher's dense logits")]
    [InlineData("[Loss(LossKind.KdPt, Temperature = 2)]", "LossKind.KdPt", "The KdPt term needs the teacher's dense logits")]
    [InlineData("[Loss(LossKind.KdTopK, TopK = 3)]", "LossKind.KdTopK", "The KdTopK term needs")]
    [InlineData("[Loss(LossKind.KdPtSim)]", "LossKind.KdPtSim", "The KdPtSim term needs")]
    [InlineData("[Loss(LossKind.ReverseKl)]", "LossKind.ReverseKl", "The ReverseKl term needs")]
    [InlineData("[Loss(LossKind.KlDivergence, StandardizeLogits = true)]", "StandardizeLogits = true",
        "KlDivergence.StandardizeLogits needs the mean and deviation of all the teacher's logits of a sample")]
    [InlineData("[Loss(LossKind.KlDivergence)] [Sweep(SweepAxes.Distance, LossKind.KlDivergence, LossKind.LogitMse)]", "SweepAxes.Distance",
        "[Sweep(SweepAxes.Distance, ...)] needs the teacher's dense logits")]
    [InlineData("[Loss(LossKind.KlDivergence)] [Sweep(SweepAxes.Temperature, 2.0, 4.0)]", "SweepAxes.Temperature", "[Sweep(SweepAxes.Temperature, ...)]")]
    [InlineData("[Loss(LossKind.KlDivergence)] [Sweep(SweepAxes.StudentTemperature, 1.0, 4.0)]", "SweepAxes.StudentTemperature", "[Sweep(SweepAxes.StudentTemperature, ...)]")]
    public void KD0059_a_term_or_axis_the_store_cannot_serve(string rest, string span, string message) =>
        Single(Experiment("[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 8)]", rest), "KD0059",
            DiagnosticSeverity.Error, span, message, "which the top-k teacher store (CacheOutputs = TeacherOutputCaching.SparseTopK) does not keep");

    [Fact]
    public void KD0059_layer_matching_needs_the_hidden_states()
    {
        const string source = """
            using KdDsl;
            using Sample;

            namespace Sample.Experiments
            {
                [Distillation]
                [Teacher(typeof(Deep), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 4)]
                [Student(typeof(Shallow))]
                [Loss(LossKind.CrossEntropy)]
                [Loss(LossKind.KlDivergence)]
                [MatchLayers(LayerSelection.Forward)]
                public partial class Exp { }
            }
            """;
        Single(source, "KD0059", DiagnosticSeverity.Error, "MatchLayers(LayerSelection.Forward)", "[MatchLayers] needs the teacher's hidden states",
            "CacheOutputs = TeacherOutputCaching.Disk");
    }

    [Theory]
    [InlineData("DatasetKind.Digits", "", 10, 10)]
    [InlineData("DatasetKind.FashionMnist", "", 12, 10)]
    [InlineData("DatasetKind.Synthetic", "[SyntheticData(Classes = 6, Features = 20, Groups = 2)]", 6, 6)]
    public void KD0060_k_that_keeps_every_class_is_a_warning_and_the_experiment_is_still_generated(string dataset, string synthetic, int k, int classes)
    {
        var diagnostic = Single(Experiment($"[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = {k})]",
                dataset: $"[Dataset({dataset})] {synthetic}"),
            "KD0060", DiagnosticSeverity.Warning, $"CacheTopK = {k}", $"Teacher.CacheTopK = {k} keeps all {classes} classes");
        Assert.NotNull(diagnostic);
        // One below the class count keeps less than the dense cache: no warning.
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(
            $"[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = {classes - 1})]", dataset: $"[Dataset({dataset})] {synthetic}"));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void The_cache_folder_and_the_augmentation_check_apply_to_the_store_too()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models,
            Experiment("[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 8, CacheDirectory = \"cache\")]"));
        Assert.Empty(result.Diagnostics); // no KD0015: the store is a file too
        Single(Experiment("[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.SparseTopK, CacheTopK = 8)] [Augment(RandomCropPadding = 2)]",
                dataset: "[Dataset(DatasetKind.FashionMnist)]"),
            "KD0045", DiagnosticSeverity.Error, "CacheOutputs = TeacherOutputCaching.SparseTopK", "TeacherOutputCaching.SparseTopK with [Augment]");
    }
}
