using System.Linq;
using KdDsl.Generators.Model;
using static KdDsl.Generators.Emitting.SourceWriter;

namespace KdDsl.Generators.Emitting;

/// <summary>
/// The [Sweep] part of an experiment's generated code: the typed <c>Trial</c> record, the <c>Grid</c>, the <c>Sweep</c> adapter
/// for KdDsl.Sweeps, and the expressions through which the loop reads the knobs from the trial instead of constants. Every
/// member here returns the unchanged text (or nothing) for an experiment without [Sweep], so its output stays exactly as before.
/// </summary>
internal static class SweepEmitter
{
    private const string Collections = "global::System.Collections.Generic";
    private const string Sweeps = "global::KdDsl.Sweeps";
    private const string Losses = "global::KdDsl.Losses.DistillationLosses";

    /// <summary>"Trial trial, " before the other parameters of <c>Run</c>.</summary>
    public static string TrialParameter(ExperimentSpec spec) => spec.Sweep is null ? "" : "Trial trial, ";

    /// <summary>"trial, " before the other arguments of a <c>Run</c> call.</summary>
    public static string TrialArgument(ExperimentSpec spec) => spec.Sweep is null ? "" : "trial, ";

    /// <summary>The run's settings: the declared ones with the options applied, and the swept learning rate.</summary>
    public static string Settings(ExperimentSpec spec) =>
        spec.Sweep is { } sweep && sweep.Has(SweepKnob.LearningRate)
            ? "options.Apply(DeclaredSettings) with { LearningRate = trial.LearningRate }"
            : "options.Apply(DeclaredSettings)";

    /// <summary>
    /// The settings the teacher trains with: the run's, but with a swept learning rate put back to the declared one (the LearningRate
    /// axis is a student knob: every trial of a data set and seed then distils from the same teacher), and the teacher's own epochs
    /// (<paramref name="epochs"/>, e.g. "Epochs = 3", or null). Without [Sweep] this is the text it always was.
    /// </summary>
    public static string TeacherSettings(ExperimentSpec spec, string? epochs, double teacherLearningRate)
    {
        var assignments = new System.Collections.Generic.List<string>();
        if (teacherLearningRate > 0) assignments.Add($"LearningRate = {Double(teacherLearningRate)}");
        else if (spec.Sweep is { } sweep && sweep.Has(SweepKnob.LearningRate)) assignments.Add("LearningRate = DeclaredSettings.LearningRate");
        if (epochs is not null) assignments.Add(epochs);
        return assignments.Count == 0 ? "run.Settings" : $"run.Settings with {{ {string.Join(", ", assignments)} }}";
    }

    /// <summary>A &lt;remarks&gt; for <c>Run(Trial, ...)</c> saying what a swept learning rate acts on (nothing without that axis).</summary>
    public static void WriteRunRemarks(SourceWriter w, ExperimentSpec spec)
    {
        if (spec.Sweep is not { } sweep || !sweep.Has(SweepKnob.LearningRate) || spec.Teacher is null) return;
        w.Line("/// <remarks>");
        w.Line("/// The trial's learning rate applies to the student phases (the baseline and distillation); the teacher trains with the declared");
        w.Line("/// <c>[Train(LearningRate = ...)]</c>, so trials that differ only in student knobs distil from the same teacher.");
        w.Line("/// </remarks>");
    }

    /// <summary>The teacher selection argument: the declared constant, or the trial's.</summary>
    public static string TeacherSelection(ExperimentSpec spec, TeacherSelection declared) =>
        spec.Sweep is { } sweep && sweep.Has(SweepKnob.TeacherSelection) ? "trial.TeacherSelection" : "global::KdDsl.TeacherSelection." + declared;

    /// <summary>The weight expression of a term whose weight is swept (Alpha), else null (the declared constant applies).</summary>
    public static string? Weight(ExperimentSpec spec, LossTermSpec loss)
    {
        if (spec.Sweep is not { CrossEntropyTerm: >= 0 } sweep) return null;
        int index = IndexOf(spec, loss);
        return index == sweep.CrossEntropyTerm ? "1d - trial.Alpha" : index == sweep.DistillationTerm ? "trial.Alpha" : null;
    }

    /// <summary>The loss call of a term the sweep changes (Distance, Temperature, StudentTemperature), else null.</summary>
    public static string? LossCall(ExperimentSpec spec, LossTermSpec loss)
    {
        if (spec.Sweep is not { } sweep || IndexOf(spec, loss) != sweep.KlTerm) return null;
        if (!sweep.Has(SweepKnob.Distance) && !sweep.Has(SweepKnob.Temperature) && !sweep.Has(SweepKnob.StudentTemperature)) return null;
        string teacherTemperature = sweep.Has(SweepKnob.Temperature) ? "trial.Temperature" : Double(loss.Temperature);
        string studentTemperature = sweep.Has(SweepKnob.StudentTemperature) ? "trial.StudentTemperature"
            : sweep.StudentTemperatureFollowsTeacher ? teacherTemperature : Double(loss.StudentTemperature);
        // A logit-family term (DecoupledKd, Dist, SymmetricKl, ...) swept in temperature: its own call with the trial's values.
        if (!sweep.Has(SweepKnob.Distance) && Catalog.LossCatalog.Of(loss.Kind).SweptCall is { } swept)
            return swept(loss, teacherTemperature, studentTemperature);
        string kl = $"{Losses}.KlDivergence({Catalog.LossCatalog.Logits(loss)}, {teacherTemperature}, {studentTemperature}, " +
                    $"global::KdDsl.Losses.KlReduction.{loss.Reduction}, {(loss.ScaleByTemperatureSquared ? "true" : "false")})";
        return sweep.Has(SweepKnob.Distance)
            ? $"trial.Distance == global::KdDsl.LossKind.LogitMse ? {Losses}.LogitMse(studentLogits, teacherLogits) : {kl}"
            : kl;
    }

    /// <summary>Writes <c>Trial</c>, <c>Grid</c> and <c>Sweep</c> (nothing without [Sweep]).</summary>
    public static void WriteMembers(SourceWriter w, ExperimentSpec spec)
    {
        if (spec.Sweep is not { } sweep) return;
        var axes = sweep.Axes;
        string pairType = $"{Collections}.KeyValuePair<string, string>";
        const string Invariant = "global::System.Globalization.CultureInfo.InvariantCulture";

        w.Line();
        w.Line("/// <summary>One point of the sweep grid: its index in <see cref=\"Grid\"/> and the value of each [Sweep] axis.</summary>");
        if (sweep.Has(SweepKnob.LearningRate) && spec.Teacher is not null)
            w.Line("/// <remarks><c>LearningRate</c> is the student phases' learning rate; the teacher trains with the declared one.</remarks>");
        w.Line("public sealed record Trial(int Index" + string.Concat(axes.Select(a => $", {a.TypeName} {a.Name}")) + ")");
        w.Block(() =>
        {
            w.Line("/// <summary>The knob values as invariant strings, in axis order (what the sweep store records).</summary>");
            w.Line($"public {Collections}.IReadOnlyList<{pairType}> Configuration() => new {pairType}[]");
            w.Block(() =>
            {
                foreach (var axis in axes)
                    w.Line($"new {pairType}({Literal(axis.Name)}, " +
                                (axis.IsEnum ? $"{axis.Name}.ToString()" : $"{axis.Name}.ToString(\"R\", {Invariant})") + "),");
            }, ";");
        });
        w.Line();
        string sizes = string.Join(" × ", axes.Select(a => $"{Int(a.Expressions.Count)} {a.Name}"));
        w.Line($"/// <summary>Every trial of the sweep ({sizes} = {Int(sweep.TrialCount)}), in grid order: the last axis varies fastest.</summary>");
        w.Line($"public static {Collections}.IReadOnlyList<Trial> Grid {{ get; }} = CreateGrid();");
        w.Line();
        w.Line("private static Trial[] CreateGrid()");
        w.Block(() =>
        {
            foreach (var axis in axes)
                w.Line($"var {Camel(axis.Name)}Values = new {axis.TypeName}[] {{ {string.Join(", ", axis.Expressions)} }};");
            w.Line($"var trials = new Trial[{Int(sweep.TrialCount)}];");
            w.Line("int index = 0;");
            for (int i = 0; i < axes.Count; i++)
            {
                w.Line($"foreach (var {Camel(axes[i].Name)} in {Camel(axes[i].Name)}Values)");
                if (i < axes.Count - 1) w.Indent++;
            }
            w.Block(() =>
            {
                w.Line("trials[index] = new Trial(index" + string.Concat(axes.Select(a => ", " + Camel(a.Name))) + ");");
                w.Line("index++;");
            });
            w.Indent -= axes.Count - 1;
            w.Line("return trials;");
        });
        w.Line();
        w.Line("/// <summary>The sweep as KdDsl.Sweeps sees it: the store, the command line and the report work through it.</summary>");
        w.Line($"public static {Sweeps}.ISweepExperiment Sweep {{ get; }} = new SweepExperiment();");
        w.Line();
        w.Line($"private sealed class SweepExperiment : {Sweeps}.ISweepExperiment");
        w.Block(() =>
        {
            w.Line($"public string Name => {Literal(spec.ClassName)};");
            w.Line();
            w.Line($"public string Student => {Literal(spec.Student.DisplayName)};");
            w.Line();
            w.Line("public int DeclaredSeed => DeclaredSettings.Seed;");
            w.Line();
            w.Line($"public {Collections}.IReadOnlyList<{Sweeps}.SweepAxis> Axes {{ get; }} = new {Sweeps}.SweepAxis[]");
            w.Block(() =>
            {
                foreach (var axis in axes)
                    w.Line($"new {Sweeps}.SweepAxis({Literal(axis.Name)}, new string[] {{ {string.Join(", ", axis.Texts.Select(Literal))} }}),");
            }, ";");
            w.Line();
            w.Line("public int TrialCount => Grid.Count;");
            w.Line();
            var ignored = IgnoredAxes(sweep);
            if (ignored.Count == 0)
            {
                w.Line($"public {Collections}.IReadOnlyList<{pairType}> Configuration(int trial) => Grid[trial].Configuration();");
            }
            else
            {
                // A distance that reads none of the swept temperatures (LogitMse): those axes do not apply to its trials. The
                // configuration says so ("-"), and every trial but the first of each such group is the same run (SameAs), which the
                // sweep plan skips, so the report never counts one configuration twice.
                w.Line($"public {Collections}.IReadOnlyList<{pairType}> Configuration(int trial) => Grid[trial].Distance switch");
                w.Block(() =>
                {
                    foreach (var (distance, axesIgnored) in ignored)
                        w.Line($"{distance} => {Sweeps}.SweepGrid.NotApplicable(Grid[trial].Configuration(), " +
                               string.Join(", ", axesIgnored.Select(a => Literal(a.Name))) + "),");
                    w.Line("_ => Grid[trial].Configuration(),");
                }, ";");
                w.Line();
                w.Line("public int SameAs(int trial) => Grid[trial].Distance switch");
                w.Block(() =>
                {
                    foreach (var (distance, axesIgnored) in ignored)
                        w.Line($"{distance} => First(Grid[trial] with {{ " +
                               string.Join(", ", axesIgnored.Select(a => $"{a.Name} = {a.Expressions[0]}")) + " }),");
                    w.Line("_ => trial,");
                }, ";");
                w.Line();
                w.Line("private static int First(Trial probe)");
                w.Block(() =>
                {
                    w.Line("for (int i = 0; i < Grid.Count; i++)");
                    w.Line("    if (Grid[i] == probe with { Index = i }) return i;");
                    w.Line("return probe.Index;");
                });
            }
            w.Line();
            // The teacher depends on the data set, the seed, the declared teacher settings and the TeacherSelection knob only. The
            // fingerprint of the declaration goes into the key, so a sweep re-run after the teacher's declaration changed trains a
            // new teacher instead of loading one trained for the old declaration.
            if (spec.Teacher is { } teacher)
            {
                string fingerprint = TeacherFingerprint.Of(teacher, spec.Train, spec.Inputs);
                w.Line("public string? TeacherKey(int trial) => " + (sweep.Has(SweepKnob.TeacherSelection)
                    ? $"Grid[trial].TeacherSelection.ToString() + {Literal("-" + fingerprint)};" : Literal(fingerprint) + ";"));
            }
            else
            {
                w.Line("public string? TeacherKey(int trial) => null;");
            }
            w.Line();
            w.Line($"public {Sweeps}.SweepTrialResult RunTrial(int trial, global::KdDsl.Data.DatasetSplits data, int seed, global::KdDsl.Training.RunOptions? options = null)");
            w.Block(() =>
            {
                w.Line("using var result = Run(Grid[trial], data, (options ?? new global::KdDsl.Training.RunOptions()) with { Seed = seed });");
                w.Line($"return new {Sweeps}.SweepTrialResult(result.StudentAccuracy, {(spec.Teacher is null ? "null" : "result.TeacherAccuracy")}, " +
                            "result.StudentAloneAccuracy, result.Epochs[result.Epochs.Count - 1].Total, result.Elapsed)" +
                            (spec.Teacher is null ? ";" : " { TeacherLoaded = result.TeacherLoadedFromCheckpoint };"));
            });
        });
    }

    /// <summary>
    /// For each value of a swept Distance whose loss reads none of some swept axes (per <see cref="Catalog.LossCatalog"/>: LogitMse
    /// reads no temperature), the value's expression and those axes; empty without such a value.
    /// </summary>
    private static System.Collections.Generic.List<(string Distance, System.Collections.Generic.List<SweepAxisSpec> Ignored)> IgnoredAxes(SweepSpec sweep)
    {
        var result = new System.Collections.Generic.List<(string, System.Collections.Generic.List<SweepAxisSpec>)>();
        var distance = sweep.Axes.FirstOrDefault(a => a.Knob == SweepKnob.Distance);
        if (distance is null) return result;
        for (int i = 0; i < distance.Texts.Count; i++)
        {
            if (!System.Enum.TryParse<LossKind>(distance.Texts[i], out var kind) || Catalog.LossCatalog.Find(kind) is not { } entry) continue;
            var ignored = sweep.Axes.Where(a => a.Knob is SweepKnob.Temperature or SweepKnob.StudentTemperature && !entry.SweepAxes.Contains(a.Knob)).ToList();
            if (ignored.Count > 0) result.Add((distance.Expressions[i], ignored));
        }
        return result;
    }

    private static int IndexOf(ExperimentSpec spec, LossTermSpec loss)
    {
        for (int i = 0; i < spec.Losses.Count; i++)
            if (spec.Losses[i].Name == loss.Name) return i;
        return -1;
    }
}
