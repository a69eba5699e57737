using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// Several teachers (<c>[Teacher(..., Name = ...)]</c> repeated, <c>[TeacherEnsemble]</c>, <c>[Loss(..., Teacher = ...)]</c>): a
/// baseline that compiles without warnings, one teacher unchanged by a name, and each diagnostic (KD0065-KD0070) at the offending
/// argument.
/// </summary>
public sealed class TeacherEnsembleGeneratorTests
{
    private const string TwoTeachers = """
        using KdDsl;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.Digits, TrainLimit = 500)]
            [Teacher(typeof(Sample.BigNet), Name = "big", Epochs = 3, Checkpoint = "teachers/big.ckpt")]
            [Teacher(typeof(Sample.SmallNet), Name = "small", Epochs = 2, CacheOutputs = TeacherOutputCaching.Memory)]
            [TeacherEnsemble(Weights = new[] { 2.0, 1.0 })]
            [Student(typeof(Sample.SmallNet))]
            [Loss(LossKind.CrossEntropy, Weight = 0.2)]
            [Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 4)]
            [Loss(LossKind.DecoupledKd, Weight = 0.3, Temperature = 2, Teacher = "small")]
            [Train(Epochs = 2, Seed = 7)]
            public partial class TwoTeacherKd { }
        }
        """;

    [Fact]
    public void Generated_code_matches_the_baseline_and_compiles_without_warnings()
    {
        GeneratorHarness.AssertMatchesBaseline("TwoTeacherKd", GeneratorHarness.Models, TwoTeachers);
    }

    [Fact]
    public void Each_teacher_is_prepared_and_each_term_reads_its_teacher_or_the_ensemble()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, TwoTeachers);
        Assert.Empty(result.Diagnostics);
        string code = GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString());
        Assert.Contains("var teacher2 = run.Build(() => new global::Sample.SmallNet(), \"teacher small\", \"Sample.SmallNet\", seedOffset: 101);", code);
        Assert.Contains("checkpointFromOptions: false", code);
        Assert.Contains("TeacherOutputCache.InMemory(teacher2, data.Train, run.Settings.BatchSize, run.Device)", code);
        Assert.Contains("TeacherSource.Several(global::KdDsl.Training.TeacherSource.Live(teacher), global::KdDsl.Training.TeacherSource.Cached(teacherOutputs2))", code);
        Assert.Contains("TeacherEnsembleWeights = { 2d, 1d };", code);
        Assert.Contains("var teacher2Logits = batch.TeacherLogitsOf(1);", code);
        Assert.Contains("var ensembleLogits0 = global::KdDsl.Losses.TeacherEnsemble.Logits(batch.Teachers, TeacherEnsembleWeights, 4d);", code);
        Assert.Contains("KlDivergence(studentLogits, ensembleLogits0, 4d)", code);
        Assert.Contains("DecoupledKd(studentLogits, teacher2Logits, labels", code);
    }

    [Fact]
    public void One_named_teacher_generates_what_an_unnamed_one_does()
    {
        const string plain = """
            using KdDsl;
            [Distillation]
            [Teacher(typeof(Sample.BigNet))]
            [Student(typeof(Sample.SmallNet))]
            [Loss(LossKind.KlDivergence, Temperature = 4)]
            public partial class One { }
            """;
        var (unnamed, _) = GeneratorHarness.Run(GeneratorHarness.Models, plain);
        var (named, _) = GeneratorHarness.Run(GeneratorHarness.Models,
            plain.Replace("typeof(Sample.BigNet))", "typeof(Sample.BigNet), Name = \"big\")").Replace("Temperature = 4)", "Temperature = 4, Teacher = \"big\")"));
        Assert.Empty(named.Diagnostics);
        Assert.Equal(unnamed.GeneratedSources.Single().SourceText.ToString(), named.GeneratedSources.Single().SourceText.ToString());
    }

    [Theory]
    [InlineData("[Teacher(typeof(BigNet), Name = \"a\")]\n[Teacher(typeof(SmallNet))]", "Teacher(typeof(SmallNet))", "has none")]
    [InlineData("[Teacher(typeof(BigNet), Name = \"a\")]\n[Teacher(typeof(SmallNet), Name = \"a\")]", "Name = \"a\"", "\"a\" names two teachers")]
    public void KD0065_a_teacher_name_missing_or_repeated(string teachers, string at, string reason)
    {
        string source = Experiment(teachers, "[Loss(LossKind.KlDivergence, Temperature = 4)]");
        var diagnostic = Assert.Single(Diagnostics(source), d => d.Id == "KD0065");
        Assert.Equal(at, At(source, diagnostic, last: true));
        Assert.Contains(reason, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void KD0066_a_term_naming_no_declared_teacher_suggests_the_nearest()
    {
        string source = Experiment(Two, "[Loss(LossKind.KlDivergence, Temperature = 4, Teacher = \"smal\")]");
        var diagnostic = Assert.Single(Diagnostics(source));
        Assert.Equal("KD0066", diagnostic.Id);
        Assert.Equal("Teacher = \"smal\"", At(source, diagnostic));
        Assert.Equal("small", diagnostic.Properties["KdDsl.Fix"]);

        string one = Experiment("[Teacher(typeof(BigNet), Name = \"big\")]", "[Loss(LossKind.KlDivergence, Teacher = \"bog\")]");
        var single = Assert.Single(Diagnostics(one));
        Assert.Equal("KD0066", single.Id);
        Assert.Equal("big", single.Properties["KdDsl.Fix"]);
    }

    [Theory]
    [InlineData("[Loss(LossKind.KdSim)]", "Loss(LossKind.KdSim)", "logit layer")]
    [InlineData("[Loss(LossKind.LogitMse)]", "Loss(LossKind.LogitMse)", "raw logits")]
    [InlineData("[Loss(LossKind.KlDivergence, StandardizeLogits = true)]", "StandardizeLogits = true", "z-scores")]
    [InlineData("[Loss(LossKind.CrossEntropy, Teacher = \"big\")]\n[Loss(LossKind.KlDivergence)]", "Teacher = \"big\"", "reads no teacher")]
    public void KD0067_a_term_that_cannot_read_its_teacher(string losses, string at, string reason)
    {
        string source = Experiment(Two, losses);
        var diagnostic = Assert.Single(Diagnostics(source), d => d.Id == "KD0067");
        Assert.Equal(at, At(source, diagnostic));
        Assert.Contains(reason, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_logit_layer_term_naming_a_teacher_reads_that_teachers_layer()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(Two, "[Loss(LossKind.KdSim, Teacher = \"small\")]\n[Loss(LossKind.KlDivergence, Temperature = 4)]"));
        Assert.Empty(result.Diagnostics);
        Assert.Contains("ModelChecks.LogitLayerWeights(teacher2, data.Train.ClassCount", GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString()));
    }

    [Theory]
    [InlineData("[TeacherEnsemble(Weights = new[] { 1.0 })]", "has 1 values for 2 teachers")]
    [InlineData("[TeacherEnsemble(Weights = new[] { 1.0, -1.0 })]", "holds -1")]
    [InlineData("[TeacherEnsemble(Weights = new[] { 0.0, 0.0 })]", "sum to 0")]
    public void KD0068_ensemble_weights_that_do_not_fit(string ensemble, string reason)
    {
        string source = Experiment(Two + "\n" + ensemble, "[Loss(LossKind.KlDivergence, Temperature = 4)]");
        var diagnostic = Assert.Single(Diagnostics(source));
        Assert.Equal("KD0068", diagnostic.Id);
        Assert.StartsWith("Weights = ", At(source, diagnostic));
        Assert.Contains(reason, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[CalibratedTeacher]", "CalibratedTeacher")]
    [InlineData("[Stage(1)]", "Stage(1)")]
    [InlineData("[Sweep(SweepAxes.Temperature, 2.0, 4.0)]", "Sweep(SweepAxes.Temperature, 2.0, 4.0)")]
    public void KD0069_features_that_read_one_teacher(string feature, string at)
    {
        string source = Experiment(Two + "\n" + feature, "[Loss(LossKind.KlDivergence, Temperature = 4)]");
        var diagnostic = Assert.Single(Diagnostics(source), d => d.Id == "KD0069");
        Assert.Equal(at, At(source, diagnostic));
    }

    [Fact]
    public void KD0070_a_teacher_no_term_reads_is_a_warning()
    {
        string source = Experiment(Two, "[Loss(LossKind.KlDivergence, Temperature = 4, Teacher = \"big\")]");
        var diagnostic = Assert.Single(Diagnostics(source));
        Assert.Equal("KD0070", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("Teacher(typeof(SmallNet), Name = \"small\")", At(source, diagnostic));
    }

    private const string Two = "[Teacher(typeof(BigNet), Name = \"big\")]\n[Teacher(typeof(SmallNet), Name = \"small\")]";

    private static string Experiment(string teachers, string losses) => $$"""
        using KdDsl;
        using Sample;

        [Distillation]
        [Dataset(DatasetKind.Digits, ValidationFraction = 0.2)]
        {{teachers}}
        [Student(typeof(SmallNet))]
        {{losses}}
        public partial class Ensembled { }
        """;

    private static string At(string source, Diagnostic diagnostic, bool last = false) =>
        source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);

    private static Diagnostic[] Diagnostics(string source)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        return result.Diagnostics.ToArray();
    }
}
