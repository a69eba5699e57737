using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// [Sweep]: the generated Trial/Grid/Run(Trial, ...) code (baseline + compiles without warnings), and each invalid sweep's
/// diagnostic with its exact span.
/// </summary>
public sealed class SweepGeneratorTests
{
    private const string Section4 = """
        using KdDsl;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.Digits, ValidationFraction = 0.1)]
            [Teacher(typeof(Sample.BigNet), Epochs = 3)]
            [Student(typeof(Sample.SmallNet))]
            [Loss(LossKind.CrossEntropy)]
            [Loss(LossKind.KlDivergence, Temperature = 4)]
            [Train(Epochs = 2, Seed = 3)]
            [Sweep("Alpha", 0.1, 0.5, 0.9)]
            [Sweep(SweepAxes.Distance, LossKind.KlDivergence, LossKind.LogitMse)]
            [Sweep("TeacherSelection", TeacherSelection.BestValidationAccuracy, TeacherSelection.LowestValidationLoss)]
            [Sweep("StudentTemperature", 1, 4.0)]
            [Sweep("LearningRate", 1e-3, 3e-3)]
            public partial class SweptKd { }
        }
        """;

    // The default terms write no weight, so an Alpha axis replaces nothing declared (KD0039 does not fire).
    private static string Experiment(string attributes, string losses = "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, Temperature = 4)]",
        string dataset = "[Dataset(DatasetKind.Digits, ValidationFraction = 0.1)]", string teacher = "[Teacher(typeof(BigNet))]") => $$"""
        using KdDsl;
        using Sample;

        namespace Sample.Experiments
        {
            [Distillation]
            {{dataset}}
            {{teacher}}
            [Student(typeof(SmallNet))]
            {{losses}}
            {{attributes}}
            public partial class Exp { }
        }
        """;

    private static Diagnostic Single(string source, string id, string expectedSpanText, params string[] messageParts)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(expectedSpanText, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var part in messageParts) Assert.Contains(part, message);
        if (diagnostic.Severity == DiagnosticSeverity.Error) Assert.Empty(result.GeneratedSources);
        return diagnostic;
    }

    [Fact]
    public void Swept_experiment_matches_its_baseline_and_compiles_without_warnings()
    {
        // 3 × 2 × 2 × 2 × 2 = 48 trials: below the size that is stated, so no diagnostic (KD0037) is expected
        GeneratorHarness.AssertMatchesBaseline("SweptKd", GeneratorHarness.Models, Section4);
    }

    [Fact]
    public void Loop_reads_every_knob_from_the_trial()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Section4);
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("public sealed record Trial(int Index, double Alpha, global::KdDsl.LossKind Distance, global::KdDsl.TeacherSelection TeacherSelection, " +
                        "double StudentTemperature, double LearningRate)", code);
        Assert.Contains("new double[] { 1d - trial.Alpha, trial.Alpha }", code);
        Assert.Contains("terms[1] = trial.Distance == global::KdDsl.LossKind.LogitMse ? global::KdDsl.Losses.DistillationLosses.LogitMse(studentLogits, teacherLogits) " +
                        ": global::KdDsl.Losses.DistillationLosses.KlDivergence(studentLogits, teacherLogits, 4d, trial.StudentTemperature, " +
                        "global::KdDsl.Losses.KlReduction.BatchMean, true);", GeneratorHarness.Flat(code));
        // The teacher trains with the declared learning rate; the trial's is the student phases'.
        Assert.Contains("run.Settings with { LearningRate = DeclaredSettings.LearningRate, Epochs = 3 }, trial.TeacherSelection,", code);
        Assert.Contains("options.Apply(DeclaredSettings) with { LearningRate = trial.LearningRate }", code);
        Assert.Contains("new double[] { 1d, 4d }", code); // the int 1 is accepted as a double
        Assert.Contains("new string[] { \"CrossEntropy\", \"Distance\" }", code);
        Assert.Contains("var trials = new Trial[48];", code);
        Assert.Contains("public static Result Run(Trial trial, global::KdDsl.Training.RunOptions? options = null)", code);
        Assert.DoesNotContain("0.1d * crossEntropy", code);
    }

    [Fact]
    public void Swept_teacher_temperature_is_followed_by_the_student_unless_declared()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment("[Sweep(\"Temperature\", 2.0, 4.0)]",
            "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence)]"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Contains("KlDivergence(studentLogits, teacherLogits, trial.Temperature, trial.Temperature, global::KdDsl.Losses.KlReduction.BatchMean, true)",
            GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString()));

        (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment("[Sweep(\"Temperature\", 2.0, 4.0)]",
            "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, Temperature = 4, StudentTemperature = 1)]"));
        Assert.Contains("KlDivergence(studentLogits, teacherLogits, trial.Temperature, 1d, global::KdDsl.Losses.KlReduction.BatchMean, true)",
            GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString()));
    }

    [Fact]
    public void Alpha_keeps_other_terms_at_their_declared_weights()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment("[Sweep(\"Alpha\", 0.0, 1.0)]",
            "[Loss(LossKind.CrossEntropy, Weight = 0)]\n[Loss(LossKind.LogitMse)]\n[Loss(LossKind.LabelSmoothing, Weight = 0.25)]"));
        Assert.Equal("KD0039", Assert.Single(result.Diagnostics).Id); // the axis replaces the written Weight = 0 (an Info)
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Contains("new double[] { 1d - trial.Alpha, trial.Alpha, 0.25d }",
            result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void Static_experiment_in_the_global_namespace_without_a_data_set_compiles()
    {
        const string source = """
            using KdDsl;

            [Distillation]
            [Teacher(typeof(Sample.BigNet))]
            [Student(typeof(Sample.SmallNet))]
            [Loss(LossKind.LogitMse)]
            [Loss(LossKind.CrossEntropy, Weight = 0)]
            [Sweep("Alpha", 0.25, 0.75)]
            static partial class GlobalSweep { }
            """;
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.Equal("KD0039", Assert.Single(result.Diagnostics).Id); // Weight = 0 is replaced (an Info)
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("new double[] { trial.Alpha, 1d - trial.Alpha }", code);
        Assert.DoesNotContain("Run(Trial trial, global::KdDsl.Training.RunOptions? options = null)", code); // no [Dataset]: data is passed in
    }

    [Fact]
    public void Sweep_combines_with_layer_matching_whose_term_keeps_its_weight()
    {
        const string source = """
            using KdDsl;

            namespace Sample.Experiments
            {
                [Distillation]
                [Dataset(DatasetKind.Digits)]
                [Teacher(typeof(Sample.Deep), Epochs = 3)]
                [Student(typeof(Sample.Shallow))]
                [Loss(LossKind.CrossEntropy)]
                [Loss(LossKind.KlDivergence, Temperature = 2)]
                [MatchLayers(LayerSelection.Forward, Weight = 3)]
                [Sweep(SweepAxes.Alpha, 0.5, 0.9)]
                [Sweep(SweepAxes.Distance, LossKind.KlDivergence, LossKind.LogitMse)]
                public partial class MatchedSweep { }
            }
            """;
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Contains("new double[] { 1d - trial.Alpha, trial.Alpha, 3d }",
            result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void KD0030_unknown_axis_suggests_the_nearest() =>
        Single(Experiment("[Sweep(\"Temprature\", 2.0)]"), "KD0030", "\"Temprature\"", "'Temprature' is not a sweep axis (did you mean 'Temperature'?)",
            "Alpha, Distance, Temperature, StudentTemperature, TeacherSelection, LearningRate, LayerSelection");

    [Fact]
    public void KD0030_unknown_axis_far_from_every_name_suggests_nothing()
    {
        var diagnostic = Single(Experiment("[Sweep(\"BatchSize\", 32.0)]"), "KD0030", "\"BatchSize\"", "'BatchSize' is not a sweep axis;");
        Assert.DoesNotContain("did you mean", diagnostic.GetMessage());
    }

    [Fact]
    public void KD0031_string_value_for_a_number_axis() =>
        Single(Experiment("[Sweep(\"Alpha\", 0.5, \"0.9\")]"), "KD0031", "\"0.9\"", "Value \"0.9\" of the Alpha axis is a string; Alpha takes numbers (double)");

    [Fact]
    public void KD0031_enum_of_the_wrong_type() =>
        Single(Experiment("[Sweep(\"Distance\", LossKind.KlDivergence, TeacherSelection.LastEpoch)]"), "KD0031", "TeacherSelection.LastEpoch",
            "is a KdDsl.TeacherSelection; Distance takes LossKind values");

    [Fact]
    public void KD0032_axis_declared_twice() =>
        Single(Experiment("[Sweep(\"Alpha\", 0.1)]\n[Sweep(\"Alpha\", 0.9)]"), "KD0032", "\"Alpha\"", "The Alpha axis is declared more than once");

    [Fact]
    public void KD0033_axis_without_values() =>
        Single(Experiment("[Sweep(\"LearningRate\")]"), "KD0033", "Sweep(\"LearningRate\")", "The LearningRate axis lists no values");

    [Fact]
    public void KD0034_value_repeated() =>
        Single(Experiment("[Sweep(\"Alpha\", 0.5, 0.1, 0.5)]"), "KD0034", "0.5", "The Alpha axis lists 0.5 more than once");

    [Fact]
    public void KD0035_alpha_without_a_cross_entropy_term() =>
        Single(Experiment("[Sweep(\"Alpha\", 0.5)]", "[Loss(LossKind.KlDivergence, Temperature = 4)]"), "KD0035", "\"Alpha\"",
            "The Alpha axis does not apply to experiment 'Exp'", "exactly one CrossEntropy term", "the experiment has 0 and 1");

    [Fact]
    public void KD0035_temperature_without_a_kl_term() =>
        Single(Experiment("[Sweep(\"StudentTemperature\", 1.0)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.LogitMse)]"), "KD0035",
            "\"StudentTemperature\"", "no KlDivergence term");

    [Fact]
    public void KD0035_teacher_selection_with_a_self_teacher() =>
        Single(Experiment("[Sweep(\"TeacherSelection\", TeacherSelection.LastEpoch)]", "[Loss(LossKind.KlDivergence)]", teacher: "[SelfTeacher]"),
            "KD0035", "\"TeacherSelection\"", "[SelfTeacher]");

    [Fact]
    public void Distance_over_a_declared_logit_mse_term_needs_no_kl_term()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models,
            Experiment("[Sweep(\"Distance\", LossKind.LogitMse, LossKind.KlDivergence)]\n[Sweep(\"Temperature\", 2.0)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.LogitMse)]"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Contains("KlDivergence(studentLogits, teacherLogits, trial.Temperature, trial.Temperature,", GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString()));
    }

    [Theory]
    [InlineData("Alpha", "1.5", "in [0, 1]")]
    [InlineData("Alpha", "-0.1", "in [0, 1]")]
    [InlineData("Temperature", "0.0", "> 0")]
    [InlineData("LearningRate", "double.PositiveInfinity", "> 0")]
    [InlineData("Distance", "LossKind.CrossEntropy", "LossKind.KlDivergence or LossKind.LogitMse")]
    [InlineData("TeacherSelection", "(TeacherSelection)7", "one of TeacherSelection.LastEpoch")]
    public void KD0036_value_out_of_range(string axis, string value, string expected) =>
        Single(Experiment($"[Sweep(\"{axis}\", {value})]"), "KD0036", value, $"of the {axis} axis is out of range", expected);

    [Fact]
    public void KD0018_teacher_selection_sweep_without_a_validation_split() =>
        Single(Experiment("[Sweep(\"TeacherSelection\", TeacherSelection.LastEpoch, TeacherSelection.LowestValidationLoss)]", dataset: "[Dataset(DatasetKind.Digits)]"),
            "KD0018", "\"TeacherSelection\"", "[Sweep(\"TeacherSelection\", ...)] with LowestValidationLoss needs a validation split");

    [Fact]
    public void KD0038_teacher_checkpoint_with_a_swept_teacher_selection() =>
        Single(Experiment("[Sweep(\"Alpha\", 0.5)]\n[Sweep(SweepAxes.TeacherSelection, TeacherSelection.LastEpoch, TeacherSelection.BestValidationAccuracy)]",
                teacher: "[Teacher(typeof(BigNet), Checkpoint = \"t.ckpt\")]"), "KD0038", "Checkpoint = \"t.ckpt\"",
            "Checkpoint \"t.ckpt\" holds one teacher, but the TeacherSelection axis distils from a different teacher per value; remove Checkpoint",
            "one teacher per data set, seed and selection next to its store");

    [Fact]
    public void A_declared_teacher_checkpoint_serves_every_trial_of_the_other_axes()
    {
        // The teacher does not depend on Alpha or the (student) learning rate: one file holds the teacher of every trial.
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models,
            Experiment("[Sweep(\"Alpha\", 0.5, 0.9)]\n[Sweep(SweepAxes.LearningRate, 1e-3, 1e-2)]", teacher: "[Teacher(typeof(BigNet), Checkpoint = \"t.ckpt\")]"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("run.PrepareTeacher(teacher, \"Sample.BigNet\", \"t.ckpt\",", code);
        Assert.Contains("run.Settings with { LearningRate = DeclaredSettings.LearningRate },", code);
        Assert.Matches("public string\\? TeacherKey\\(int trial\\) => \"[0-9a-f]{8}\";", code);
        Assert.Contains("{ TeacherLoaded = result.TeacherLoadedFromCheckpoint };", code);
    }

    [Fact]
    public void Teacher_key_is_the_swept_selection_and_null_without_a_teacher()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Section4);
        Assert.Matches("public string\\? TeacherKey\\(int trial\\) => Grid\\[trial\\].TeacherSelection.ToString\\(\\) \\+ \"-[0-9a-f]{8}\";",
            result.GeneratedSources.Single().SourceText.ToString());

        (result, var output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment("[Sweep(SweepAxes.LearningRate, 1e-3, 1e-2)]",
            "[Loss(LossKind.LabelSmoothing)]", teacher: ""));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("public string? TeacherKey(int trial) => null;", code);
        Assert.DoesNotContain("teacherCheckpoint", code);
        Assert.DoesNotContain("TeacherLoaded", code);
    }

    [Theory]
    [InlineData("[Sweep(SweepAxes.Alpha, 0.5, 0.9)]", "[Loss(LossKind.CrossEntropy, Weight = 0.1)]\n[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]",
        "", "SweepAxes.Alpha",
        "The Alpha axis replaces the declared Weight = 0.1 of the CrossEntropy term and Weight = 0.9 of the KlDivergence term; every trial weighs the terms (1 - alpha) and alpha instead")]
    [InlineData("[Sweep(SweepAxes.Alpha, 0.5, 0.9)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.LogitMse, Weight = 2)]",
        "", "SweepAxes.Alpha", "The Alpha axis replaces the declared Weight = 2 of the LogitMse term;")]
    [InlineData("[Sweep(\"Temperature\", 2.0, 8.0)]", null, "", "\"Temperature\"",
        "The Temperature axis replaces the declared Temperature = 4 of the KlDivergence term; every trial uses the axis's value instead")]
    [InlineData("[Sweep(SweepAxes.StudentTemperature, 1.0)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, StudentTemperature = 2.5)]",
        "", "SweepAxes.StudentTemperature", "The StudentTemperature axis replaces the declared StudentTemperature = 2.5 of the KlDivergence term;")]
    [InlineData("[Sweep(SweepAxes.LearningRate, 1e-3, 1e-2)]", null, "[Train(LearningRate = 3e-3)]", "SweepAxes.LearningRate",
        "The LearningRate axis replaces the declared LearningRate = 0.003 in [Train]; the student phases (baseline and distillation) use the axis's value, " +
        "the teacher still trains with the declared one")]
    [InlineData("[Sweep(SweepAxes.Distance, LossKind.KlDivergence)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.LogitMse)]", "", "SweepAxes.Distance",
        "The Distance axis replaces the declared kind LossKind.LogitMse of the [Loss] term it acts on; no trial computes the declared kind")]
    public void KD0039_a_swept_axis_replaces_a_value_written_elsewhere(string sweep, string? losses, string train, string span, string message)
    {
        var diagnostic = Single(Experiment(sweep + "\n" + train, losses ?? "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, Temperature = 4)]"),
            "KD0039", span, message);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
    }

    [Fact]
    public void KD0039_teacher_selection_written_in_the_teacher_attribute()
    {
        var diagnostic = Single(Experiment("[Sweep(SweepAxes.TeacherSelection, TeacherSelection.LastEpoch, TeacherSelection.BestValidationAccuracy)]",
                teacher: "[Teacher(typeof(BigNet), Selection = TeacherSelection.LowestValidationLoss)]"),
            "KD0039", "SweepAxes.TeacherSelection", "The TeacherSelection axis replaces the declared Selection = TeacherSelection.LowestValidationLoss in [Teacher];");
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment("[Sweep(SweepAxes.TeacherSelection, TeacherSelection.LastEpoch)]",
            teacher: "[Teacher(typeof(BigNet), Selection = TeacherSelection.LowestValidationLoss)]"));
        Assert.Single(result.GeneratedSources); // an Info: still generated, and it compiles
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Equal(diagnostic.Id, Assert.Single(result.Diagnostics).Id);
    }

    [Theory]
    [InlineData("[Sweep(SweepAxes.StudentTemperature, 1.0, 4.0)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, Temperature = 4)]")] // T written, T_s not
    [InlineData("[Sweep(SweepAxes.Alpha, 0.5)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, Temperature = 4)]")] // weights left at their default
    [InlineData("[Sweep(SweepAxes.Distance, LossKind.LogitMse, LossKind.KlDivergence)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.LogitMse)]")] // the declared kind is a value
    [InlineData("[Sweep(SweepAxes.LearningRate, 1e-3)]\n[Train(Epochs = 2)]", "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence)]")] // LearningRate not written
    public void KD0039_defaults_and_values_the_axis_acts_on_are_not_reported(string attributes, string losses)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(attributes, losses));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void KD0037_states_the_size_of_a_large_grid_and_still_generates()
    {
        string source = Experiment("[Sweep(\"Alpha\", 0.0, 0.2, 0.4, 0.6, 0.8)]\n[Sweep(\"Temperature\", 1.0, 2.0, 4.0, 8.0, 16.0)]\n[Sweep(\"LearningRate\", 1e-4, 1e-3, 1e-2, 1e-1)]",
            "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence)]"); // no Temperature written: only KD0037
        var diagnostic = Single(source, "KD0037", "Sweep(\"Alpha\", 0.0, 0.2, 0.4, 0.6, 0.8)", "The sweep of 'Exp' has 100 trials (5 Alpha × 5 Temperature × 4 LearningRate)");
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.Single(result.GeneratedSources);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models,
            Experiment("[Sweep(\"Alfa\", 0.5)]\n[Sweep(\"Temperature\", -1.0)]\n[Sweep(\"LearningRate\")]"));
        Assert.Equal(new[] { "KD0030", "KD0033", "KD0036" }, result.Diagnostics.Select(d => d.Id).OrderBy(id => id));
    }

    /// <summary>The fingerprint in a generated TeacherKey: what a sweep's teacher file name depends on.</summary>
    private static string TeacherFingerprint(string sweep, string teacher, string losses = "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, Temperature = 4.0)]", string train = "")
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(sweep + "\n" + train, losses, teacher: teacher));
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var match = System.Text.RegularExpressions.Regex.Match(result.GeneratedSources.Single().SourceText.ToString(), "TeacherKey\\(int trial\\) => \"([0-9a-f]{8})\";");
        Assert.True(match.Success);
        return match.Groups[1].Value;
    }

    [Fact]
    public void Teacher_fingerprint_changes_with_the_teachers_declaration_only()
    {
        const string sweep = "[Sweep(SweepAxes.Alpha, 0.5, 0.9)]";
        string reference = TeacherFingerprint(sweep, "[Teacher(typeof(BigNet), Epochs = 3)]");
        Assert.Equal(reference, TeacherFingerprint(sweep, "[Teacher(typeof(BigNet), Epochs = 3)]")); // stable
        // What the teacher does not see: the swept values, the KD term's temperature.
        Assert.Equal(reference, TeacherFingerprint("[Sweep(SweepAxes.Alpha, 0.1, 0.3)]", "[Teacher(typeof(BigNet), Epochs = 3)]"));
        Assert.Equal(reference, TeacherFingerprint(sweep, "[Teacher(typeof(BigNet), Epochs = 3)]",
            "[Loss(LossKind.CrossEntropy)]\n[Loss(LossKind.KlDivergence, Temperature = 2.0)]"));
        // What shapes the trained teacher.
        Assert.NotEqual(reference, TeacherFingerprint(sweep, "[Teacher(typeof(BigNet), Epochs = 4)]"));
        Assert.NotEqual(reference, TeacherFingerprint(sweep, "[Teacher(typeof(SmallNet), Epochs = 3)]"));
        Assert.NotEqual(reference, TeacherFingerprint(sweep, "[Teacher(typeof(BigNet), Epochs = 3)]", train: "[Train(LearningRate = 3e-3)]"));
        Assert.NotEqual(reference, TeacherFingerprint(sweep, "[Teacher(typeof(BigNet), Epochs = 3)]", train: "[Train(BatchSize = 32)]"));
    }

    [Fact]
    public void Every_teacher_relevant_setting_changes_the_teacher_fingerprint()
    {
        // Derived, not listed: each member of the teacher's spec and of [Train] (but the student-only ones) is changed in turn, by
        // reflection, so a member added to either record later is covered without touching this test.
        var teacher = new KdDsl.Generators.Model.TeacherSpec(new KdDsl.Generators.Model.ModelSpec("global::Sample.BigNet", "Sample.BigNet", true),
            false, "t.ckpt", 3, 0, 0.5, 0, null, 0.01);
        var train = KdDsl.Generators.Model.TrainSpec.Default;
        string reference = KdDsl.Generators.Emitting.TeacherFingerprint.Of(teacher, train);
        int changed = 0;
        foreach (var (record, property) in Members(teacher).Concat(Members(train)))
        {
            bool studentOnly = record is KdDsl.Generators.Model.TrainSpec && KdDsl.Generators.Emitting.TeacherFingerprint.StudentOnly.Contains(property.Name);
            var copy = Changed(record, property);
            string fingerprint = copy is KdDsl.Generators.Model.TeacherSpec t
                ? KdDsl.Generators.Emitting.TeacherFingerprint.Of(t, train)
                : KdDsl.Generators.Emitting.TeacherFingerprint.Of(teacher, (KdDsl.Generators.Model.TrainSpec)copy);
            if (studentOnly) Assert.Equal(reference, fingerprint);
            else Assert.True(reference != fingerprint, $"{record.GetType().Name}.{property.Name} does not change the teacher fingerprint");
            changed++;
        }
        Assert.True(changed >= 20, $"only {changed} members were changed");
        // A student-only [Train] argument as written does not change it either.
        var withBaseline = train with
        {
            Arguments = new KdDsl.Generators.Model.EquatableArray<KdDsl.Generators.Model.DeclaredArgument>(
                new[] { new KdDsl.Generators.Model.DeclaredArgument("StudentBaseline", "true") }),
        };
        Assert.Equal(reference, KdDsl.Generators.Emitting.TeacherFingerprint.Of(teacher, withBaseline));
    }

    private static IEnumerable<(object Record, System.Reflection.PropertyInfo Property)> Members(object record) =>
        record.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.SetMethod is not null).Select(p => (record, p));

    /// <summary>A copy of <paramref name="record"/> (its compiler-generated clone) with <paramref name="property"/> set to another value.</summary>
    private static object Changed(object record, System.Reflection.PropertyInfo property)
    {
        var copy = record.GetType().GetMethod("<Clone>$")!.Invoke(record, null)!;
        object? value = property.GetValue(record);
        object? other = value switch
        {
            int i => i + 1,
            double d => d * 2 + 1,
            bool b => !b,
            string s => s + "x",
            null when property.PropertyType == typeof(string) => "x",
            System.Enum e => System.Enum.ToObject(e.GetType(), System.Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) + 1),
            KdDsl.Generators.Model.ModelSpec m => m with { FullyQualifiedName = m.FullyQualifiedName + "2" },
            KdDsl.Generators.Model.EquatableArray<KdDsl.Generators.Model.DeclaredArgument> a =>
                new KdDsl.Generators.Model.EquatableArray<KdDsl.Generators.Model.DeclaredArgument>(
                    a.Concat(new[] { new KdDsl.Generators.Model.DeclaredArgument("OptionAddedLater", "1") }).ToList()),
            _ => throw new System.InvalidOperationException($"{property.Name}: no other value for {value?.GetType().Name ?? "null"}"),
        };
        property.SetValue(copy, other);
        return copy;
    }
}
