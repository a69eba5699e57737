using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KdDsl.Generators.Catalog;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static KdDsl.Generators.Diagnostics.DiagnosticDescriptors;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// Reads the [Sweep(axis, values...)] attributes of an experiment into a <see cref="SweepSpec"/>: axis names must be known knobs,
/// values of the knob's type and in its range, each axis declared once with distinct values, and each knob must apply to the
/// experiment (Alpha needs one CrossEntropy and one teacher term, TeacherSelection a [Teacher] and a validation split, ...).
/// </summary>
internal static class SweepParser
{
    /// <summary>Grids at least this large are stated in an Info diagnostic (KD0037).</summary>
    public const int LargeGrid = 100;

    /// <summary>Grids larger than this are an error (KD0040): the generated Grid holds every trial, and the count must fit an int.</summary>
    public const int MaxTrials = 1_000_000;

    private static readonly string LossKindType = typeof(LossKind).FullName;
    private static readonly string TeacherSelectionType = typeof(TeacherSelection).FullName;
    private static readonly string LayerSelectionType = typeof(LayerSelection).FullName;

    /// <summary>The experiment facts the checks need.</summary>
    public sealed class Context
    {
        public string ClassName { get; init; } = "";
        public LocationInfo? ClassLocation { get; init; }
        public IReadOnlyList<AttributeArguments> LossAttributes { get; init; } = new AttributeArguments[0];
        public EquatableArray<LossTermSpec> Losses { get; init; }
        public AttributeArguments? Teacher { get; init; }
        public bool SelfTeacher { get; init; }
        public TeacherSpec? TeacherSpec { get; init; }
        public DatasetSpec? Dataset { get; init; }
        public AttributeArguments? Train { get; init; }
        public bool MatchingDeclared { get; init; }
        public MatchingSpec? Matching { get; init; }

        /// <summary>
        /// Filled in: where the values an accepted axis replaces in every trial were written (and, for Alpha, the class, where
        /// KD0008 would be), so the caller drops the range errors on them (KD0007, KD0008, KD0009, KD0018); KD0039 names them.
        /// </summary>
        public ISet<LocationInfo> Replaced { get; init; } = new HashSet<LocationInfo>();
    }

    public static SweepSpec? Parse(IReadOnlyList<AttributeArguments> sweeps, Context context, List<DiagnosticInfo> diagnostics)
    {
        if (sweeps.Count == 0) return null;
        int errorsBefore = diagnostics.Count;
        void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            diagnostics.Add(new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments)));

        var losses = context.Losses;
        int IndexOf(Func<LossTermSpec, bool> predicate)
        {
            var matches = Enumerable.Range(0, losses.Count).Where(i => predicate(losses[i])).ToList();
            return matches.Count == 1 ? matches[0] : -1;
        }
        int crossEntropy = IndexOf(l => l.Kind == LossKind.CrossEntropy);
        int teacherTerm = IndexOf(l => l.NeedsTeacher);
        var distanceKinds = LossCatalog.ActedOnBy(SweepKnob.Distance).ToList();
        var temperatureKinds = LossCatalog.ActedOnBy(SweepKnob.Temperature).ToList();
        int distanceTerm = IndexOf(l => distanceKinds.Contains(l.Kind));
        int klTerm = IndexOf(l => temperatureKinds.Contains(l.Kind));
        // The term the Temperature axes act on: with a swept Distance the distance term (KL or MSE), else the one term with a
        // temperature (KlDivergence or a logit-family kind). With KlDivergence the only such kind these coincide.
        int temperatureTerm = SweepsDistance(sweeps) && distanceTerm >= 0 ? distanceTerm : klTerm >= 0 ? klTerm : distanceTerm;

        var axes = new List<SweepAxisSpec>();
        var seen = new HashSet<SweepKnob>();
        foreach (var sweep in sweeps)
        {
            if (sweep.Positional(0) is not { } nameArgument) continue; // missing or not a constant: the compiler reports it
            var nameLocation = sweep.PositionalLocation(0);
            if (nameArgument.Value is not string name)
            {
                Report(NullArgument, nameLocation, "The axis name of [Sweep]", "write one of " + string.Join(", ", Enum.GetNames(typeof(SweepKnob)).Select(n => "SweepAxes." + n)));
                continue;
            }
            if (!Enum.TryParse(name, ignoreCase: false, out SweepKnob knob) || !Enum.IsDefined(typeof(SweepKnob), knob) || name != knob.ToString())
            {
                string? nearest = Nearest(name);
                // The nearest axis name travels as the code fix's replacement (KdDsl.CodeFixes.SuggestedNameCodeFixProvider).
                diagnostics.Add(new DiagnosticInfo(UnknownSweepAxis, nameLocation, new EquatableArray<string>(new[]
                {
                    name, nearest is null ? "" : $" (did you mean '{nearest}'?)", string.Join(", ", Enum.GetNames(typeof(SweepKnob))),
                }), nearest));
                continue;
            }
            if (!seen.Add(knob))
            {
                Report(DuplicateSweepAxis, nameLocation, name);
                continue;
            }

            var values = sweep.Positional(1) is { Kind: TypedConstantKind.Array, IsNull: false } array ? array.Values : default;
            if (values.IsDefaultOrEmpty)
            {
                Report(EmptySweepAxis, sweep.AttributeLocation, name, Example(knob));
                continue;
            }
            var expressions = new List<string>();
            var texts = new List<string>();
            bool valid = true;
            for (int i = 0; i < values.Length; i++)
            {
                var value = values[i];
                var location = sweep.PositionalLocation(1 + i);
                if (value.Kind == TypedConstantKind.Error) { valid = false; continue; }
                string shown = value.IsNull ? "null" : value.ToCSharpString();
                string? expression = null, text = null;
                if (knob is SweepKnob.Distance or SweepKnob.TeacherSelection or SweepKnob.LayerSelection)
                {
                    string type = knob switch { SweepKnob.Distance => LossKindType, SweepKnob.TeacherSelection => TeacherSelectionType, _ => LayerSelectionType };
                    string typeName = type.Substring(type.LastIndexOf('.') + 1);
                    if (value.Kind != TypedConstantKind.Enum || value.Type?.ToDisplayString() != type || value.Value is not int number)
                    {
                        Report(SweepValueWrongType, location, shown, name, Describe(value), $"{typeName} values, e.g. {Example(knob)}");
                        valid = false;
                        continue;
                    }
                    string? member = knob switch
                    {
                        SweepKnob.Distance => (LossKind)number is LossKind.KlDivergence or LossKind.LogitMse ? ((LossKind)number).ToString() : null,
                        SweepKnob.TeacherSelection => Enum.IsDefined(typeof(TeacherSelection), number) ? ((TeacherSelection)number).ToString() : null,
                        _ => Enum.IsDefined(typeof(LayerSelection), number) && (LayerSelection)number != LayerSelection.Explicit ? ((LayerSelection)number).ToString() : null,
                    };
                    if (member is null)
                    {
                        Report(SweepValueOutOfRange, location, shown, name, knob switch
                        {
                            SweepKnob.Distance => "LossKind.KlDivergence or LossKind.LogitMse (the two distances Sultan et al. compare)",
                            SweepKnob.TeacherSelection => "one of " + string.Join(", ", Enum.GetNames(typeof(TeacherSelection)).Select(n => "TeacherSelection." + n)),
                            _ => "one of " + string.Join(", ", Enum.GetNames(typeof(LayerSelection)).Where(n => n != nameof(LayerSelection.Explicit)).Select(n => "LayerSelection." + n)) +
                                 " (an explicit map is written with [LayerMap], not swept)",
                        });
                        valid = false;
                        continue;
                    }
                    if (knob == SweepKnob.LayerSelection && StudentTooDeep(context.Matching, (LayerSelection)number) is { } depths)
                    {
                        Report(SweepValueOutOfRange, location, shown, name,
                            $"a strategy the models fit: LayerSelection.{member} matches each of the student's {depths.Student} layers to a different teacher layer, but the teacher has only {depths.Teacher}");
                        valid = false;
                        continue;
                    }
                    expression = $"global::{type}.{member}";
                    text = member;
                }
                else
                {
                    double? number = value.Kind == TypedConstantKind.Primitive ? value.Value switch
                    {
                        double d => d,
                        float f => f,
                        int n => n,
                        long n => n,
                        _ => null,
                    } : null;
                    if (number is not { } x)
                    {
                        Report(SweepValueWrongType, location, shown, name, Describe(value), "numbers (double), e.g. " + Example(knob));
                        valid = false;
                        continue;
                    }
                    string? range = knob switch
                    {
                        SweepKnob.Alpha when !(x >= 0 && x <= 1) => "in [0, 1] (the distillation term's share of the loss)",
                        SweepKnob.Temperature or SweepKnob.StudentTemperature when !(x > 0) || double.IsInfinity(x) => "a finite number > 0",
                        SweepKnob.LearningRate when !(x > 0) || double.IsInfinity(x) => "a finite number > 0",
                        _ => null,
                    };
                    if (range is not null)
                    {
                        Report(SweepValueOutOfRange, location, shown, name, range);
                        valid = false;
                        continue;
                    }
                    if (x == 0) x = 0; // -0.0 and 0.0 are the same value (KD0034 when both are listed)
                    text = x.ToString("R", CultureInfo.InvariantCulture);
                    expression = text + "d";
                }
                if (texts.Contains(text))
                {
                    Report(RepeatedSweepValue, location, name, text);
                    valid = false;
                    continue;
                }
                expressions.Add(expression);
                texts.Add(text);
            }
            if (!valid) continue;

            string? notApplicable = knob switch
            {
                SweepKnob.Alpha when crossEntropy < 0 || teacherTerm < 0 =>
                    $"alpha sets the loss to (1 - alpha) * CrossEntropy + alpha * D, so it needs exactly one CrossEntropy term and exactly one term that reads the teacher (D); the experiment has {Count(losses, l => l.Kind == LossKind.CrossEntropy)} and {Count(losses, l => l.NeedsTeacher)}",
                SweepKnob.Distance when distanceTerm < 0 =>
                    $"it chooses what the experiment's {string.Join(" or ", distanceKinds)} term computes, so it needs exactly one such term; the experiment has {Count(losses, l => distanceKinds.Contains(l.Kind))}",
                SweepKnob.Temperature or SweepKnob.StudentTemperature when klTerm < 0 && !(distanceTerm >= 0 && SweepsDistance(sweeps))
                                                                            && Count(losses, l => temperatureKinds.Contains(l.Kind)) > 1 =>
                    $"it sets the temperatures of one term, and the experiment has {Count(losses, l => temperatureKinds.Contains(l.Kind))} it could act on ({string.Join(", ", losses.Where(l => temperatureKinds.Contains(l.Kind)).Select(l => l.Kind))}); keep one of them, or sweep a copy of the experiment per term",
                SweepKnob.Temperature or SweepKnob.StudentTemperature when klTerm < 0 && !(distanceTerm >= 0 && SweepsDistance(sweeps)) =>
                    $"it sets the temperatures of the KlDivergence term (or of the one {string.Join(", ", temperatureKinds.Where(k => k != LossKind.KlDivergence))} term), and the experiment has no KlDivergence term (nor one of those, nor a swept Distance)",
                SweepKnob.StudentTemperature when !(distanceTerm >= 0 && SweepsDistance(sweeps)) && temperatureTerm >= 0
                                                  && !LossCatalog.Of(losses[temperatureTerm].Kind).SweepAxes.Contains(SweepKnob.StudentTemperature) =>
                    $"the {losses[temperatureTerm].Kind} term has one temperature for the teacher and the student; sweep Temperature instead",
                SweepKnob.TeacherSelection when context.Teacher is null =>
                    context.SelfTeacher ? "a [SelfTeacher] is trained without a validation curve; it needs a [Teacher(typeof(...))]" : "it chooses which epoch of the [Teacher] is distilled from, and the experiment has no [Teacher(typeof(...))]",
                SweepKnob.LayerSelection when !context.MatchingDeclared =>
                    "it chooses the layer-selection strategy of [MatchLayers], and the experiment has no [MatchLayers]",
                SweepKnob.LayerSelection when context.Matching is { Selection: LayerSelection.Explicit } =>
                    "the experiment's [MatchLayers(LayerSelection.Explicit)] map is written with [LayerMap]; declare a strategy to sweep from instead",
                SweepKnob.TeacherSelection when context.TeacherSpec is { StopAtAccuracy: > 0 } =>
                    "a teacher stopped at a target accuracy (Teacher.StopAtAccuracy) keeps the weights it stopped with; remove StopAtAccuracy",
                _ => null,
            };
            if (notApplicable is not null)
            {
                Report(SweepAxisNotApplicable, nameLocation, name, context.ClassName, notApplicable);
                continue;
            }
            if (knob == SweepKnob.TeacherSelection && context.Dataset is { ValidationFraction: 0 } && texts.Any(t => t != nameof(TeacherSelection.LastEpoch)))
                Report(NeedsValidationSplit, nameLocation, $"[Sweep(\"TeacherSelection\", ...)] with {texts.First(t => t != nameof(TeacherSelection.LastEpoch))}");
            if (SweepReplacedValues.Describe(knob, texts, context, crossEntropy, teacherTerm, distanceTerm, temperatureTerm) is { } replaced)
                Report(SweepReplacesDeclaredValue, nameLocation, name, replaced.What, replaced.Effect);
            foreach (var location in SweepReplacedValues.Locations(knob, context, crossEntropy, teacherTerm, temperatureTerm))
                context.Replaced.Add(location);
            axes.Add(new SweepAxisSpec(knob, new EquatableArray<string>(expressions), new EquatableArray<string>(texts)));
        }

        // A declared teacher checkpoint serves every trial (the teacher does not depend on the other knobs, and a sweep's runner
        // passes one file per data set and seed instead), but one file cannot hold a teacher per swept selection.
        if (context.Teacher is { } teacher && teacher.Has(nameof(TeacherAttribute.Checkpoint)) && seen.Contains(SweepKnob.TeacherSelection))
            Report(TeacherCheckpointWithSweptSelection, teacher.NamedLocation(nameof(TeacherAttribute.Checkpoint)), teacher.Named(nameof(TeacherAttribute.Checkpoint))?.ToCSharpString() ?? "");
        if (context.Train is { } train && train.Has(nameof(TrainAttribute.Checkpoint)))
            Report(ConflictingOptions, train.NamedLocation(nameof(TrainAttribute.Checkpoint)), "Train.Checkpoint", "[Sweep]",
                "every trial would resume from the same distillation checkpoint; pass RunOptions.Checkpoint per trial instead");

        long trials = 1;
        foreach (var axis in axes) trials = Math.Min(trials * axis.Expressions.Count, long.MaxValue / 1_000_000);
        if (trials > MaxTrials)
        {
            Report(SweepGridTooLarge, sweeps[0].AttributeLocation, context.ClassName, trials.ToString(CultureInfo.InvariantCulture),
                string.Join(" × ", axes.Select(a => $"{a.Expressions.Count.ToString(CultureInfo.InvariantCulture)} {a.Name}")), MaxTrials.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (diagnostics.Skip(errorsBefore).Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) || axes.Count == 0) return null;

        // Whether the swept term's StudentTemperature is written (for a KlDivergence term as before; any other kind's likewise).
        var sweptKind = temperatureTerm >= 0 ? losses[temperatureTerm].Kind : LossKind.KlDivergence;
        bool studentTemperatureDeclared = context.LossAttributes.Any(a => a.Positional(0)?.Value is int k && (LossKind)k == sweptKind && a.Has(nameof(LossAttribute.StudentTemperature)));
        var spec = new SweepSpec(new EquatableArray<SweepAxisSpec>(axes),
            axes.Any(a => a.Knob == SweepKnob.Alpha) ? crossEntropy : -1,
            axes.Any(a => a.Knob == SweepKnob.Alpha) ? teacherTerm : -1,
            temperatureTerm,
            !studentTemperatureDeclared && !axes.Any(a => a.Knob == SweepKnob.StudentTemperature));
        if (spec.TrialCount >= LargeGrid)
            Report(SweepGridSize, sweeps[0].AttributeLocation, context.ClassName, spec.TrialCount.ToString(CultureInfo.InvariantCulture),
                string.Join(" × ", axes.Select(a => $"{a.Expressions.Count.ToString(CultureInfo.InvariantCulture)} {a.Name}")));
        return spec;
    }

    /// <summary>The experiment with its sweep attached; a swept Distance term is renamed "Distance" (its kind changes per trial).</summary>
    public static ExperimentSpec Attach(ExperimentSpec experiment, SweepSpec? sweep)
    {
        if (sweep is null) return experiment;
        var losses = experiment.Losses;
        if (sweep.Has(SweepKnob.Distance))
            losses = new EquatableArray<LossTermSpec>(losses.Select((l, i) => i == sweep.KlTerm ? l with { NameOverride = SweepAxes.Distance } : l));
        return experiment with { Losses = losses, Sweep = sweep };
    }

    private static bool SweepsDistance(IReadOnlyList<AttributeArguments> sweeps) =>
        sweeps.Any(s => s.Positional(0)?.Value is string name && name == nameof(SweepKnob.Distance));

    private static int Count(EquatableArray<LossTermSpec> losses, Func<LossTermSpec, bool> predicate) => losses.Count(predicate);

    private static string Describe(TypedConstant value) =>
        value.IsNull ? "null" : value.Type is { } type ? "a " + type.ToDisplayString() : "not a constant";

    // The depths of a strategy that needs a distinct teacher layer per student layer and a student deeper than the teacher.
    private static (int Student, int Teacher)? StudentTooDeep(MatchingSpec? matching, LayerSelection strategy) =>
        matching is { Student.Count: > 0, Teacher.Count: > 0 } m && m.Student.Count > m.Teacher.Count
            && strategy is LayerSelection.Forward or LayerSelection.Reverse or LayerSelection.Random or LayerSelection.InOrderRandom
            ? (m.Student.Count, m.Teacher.Count) : null;

    private static string Example(SweepKnob knob) => knob switch
    {
        SweepKnob.LayerSelection => "LayerSelection.Forward, LayerSelection.Reverse",
        SweepKnob.Alpha => "0.1, 0.5, 0.9",
        SweepKnob.Distance => "LossKind.KlDivergence, LossKind.LogitMse",
        SweepKnob.Temperature => "2.0, 4.0",
        SweepKnob.StudentTemperature => "1.0, 4.0",
        SweepKnob.TeacherSelection => "TeacherSelection.BestValidationAccuracy, TeacherSelection.LowestValidationLoss",
        _ => "1e-3, 3e-3",
    };

    /// <summary>The known axis closest to <paramref name="name"/> (case-insensitive edit distance at most 3), if any.</summary>
    public static string? Nearest(string name)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in Enum.GetNames(typeof(SweepKnob)))
        {
            int distance = EditDistance.Between(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        return bestDistance <= Math.Max(3, name.Length / 3) ? best : null;
    }
}
