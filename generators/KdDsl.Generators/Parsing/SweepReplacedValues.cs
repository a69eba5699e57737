using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KdDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KdDsl.Generators.Parsing;

/// <summary>
/// KD0039: which value written elsewhere on the experiment a [Sweep] axis replaces (a [Loss] weight or temperature, the [Train]
/// learning rate, the [Teacher] selection, the kind of the distance term, the [MatchLayers] strategy). Only arguments the user wrote count, never defaults.
/// </summary>
internal static class SweepReplacedValues
{
    /// <summary>What the axis replaces and what then happens, or null when it replaces nothing the user wrote.</summary>
    public static (string What, string Effect)? Describe(
        SweepKnob knob, IReadOnlyList<string> values, SweepParser.Context context, int crossEntropyTerm, int teacherTerm, int distanceTerm, int temperatureTerm)
    {
        const string EveryTrial = "every trial uses the axis's value instead";
        var losses = context.Losses;
        AttributeArguments? LossAttribute(int term) =>
            term < 0 || term >= losses.Count ? null
                : context.LossAttributes.Where(a => a.Positional(0)?.Value is int kind && (LossKind)kind == losses[term].Kind).Select(a => (AttributeArguments?)a).FirstOrDefault();
        string? Declared(AttributeArguments? attribute, string option, string where) =>
            attribute is { } a && a.Named(option) is { } value ? $"{option} = {Format(value)} {where}" : null;
        string Term(int term) => $"of the {losses[term].Kind} term";

        string? what;
        string effect = EveryTrial;
        switch (knob)
        {
            case SweepKnob.Alpha:
                var weights = new[]
                {
                    Declared(LossAttribute(crossEntropyTerm), nameof(KdDsl.LossAttribute.Weight), crossEntropyTerm >= 0 ? Term(crossEntropyTerm) : ""),
                    Declared(LossAttribute(teacherTerm), nameof(KdDsl.LossAttribute.Weight), teacherTerm >= 0 ? Term(teacherTerm) : ""),
                }.Where(w => w is not null).ToList();
                what = weights.Count == 0 ? null : string.Join(" and ", weights);
                effect = "every trial weighs the terms (1 - alpha) and alpha instead";
                break;
            case SweepKnob.Temperature:
            case SweepKnob.StudentTemperature:
                what = Declared(LossAttribute(temperatureTerm), knob.ToString(), temperatureTerm >= 0 ? Term(temperatureTerm) : "");
                break;
            case SweepKnob.LearningRate:
                what = Declared(context.Train, nameof(TrainAttribute.LearningRate), "in [Train]");
                effect = "the student phases (baseline and distillation) use the axis's value, the teacher still trains with the declared one";
                break;
            case SweepKnob.TeacherSelection:
                what = Declared(context.Teacher, nameof(TeacherAttribute.Selection), "in [Teacher]");
                break;
            case SweepKnob.Distance:
                // The term's kind is always written (the axis needs a term to act on); it is replaced only when the axis never uses it.
                string declared = distanceTerm >= 0 ? losses[distanceTerm].Kind.ToString() : "";
                what = declared.Length > 0 && !values.Contains(declared) ? $"kind LossKind.{declared} of the [Loss] term it acts on" : null;
                effect = "no trial computes the declared kind";
                break;
            case SweepKnob.LayerSelection:
                // Like the distance kind, the strategy is always written; it is replaced only when the axis never uses it.
                string strategy = context.Matching is { } matching ? matching.Selection.ToString() : "";
                what = strategy.Length > 0 && !values.Contains(strategy) ? $"LayerSelection.{strategy} of [MatchLayers]" : null;
                effect = "no trial uses the declared strategy";
                break;
            default:
                what = null;
                break;
        }
        return what is null ? null : (what, effect);
    }

    /// <summary>
    /// Where the values <paramref name="knob"/> replaces in every trial were written: the arguments KD0039 names for Alpha (both
    /// weights, and the class, where KD0008 is reported), Temperature, StudentTemperature and TeacherSelection. The learning rate is
    /// not among them (the teacher still trains with the declared one), nor the distance kind or strategy (always written).
    /// </summary>
    public static IEnumerable<LocationInfo> Locations(SweepKnob knob, SweepParser.Context context, int crossEntropyTerm, int teacherTerm, int temperatureTerm)
    {
        var losses = context.Losses;
        AttributeArguments? LossAttribute(int term) =>
            term < 0 || term >= losses.Count ? null
                : context.LossAttributes.Where(a => a.Positional(0)?.Value is int kind && (LossKind)kind == losses[term].Kind).Select(a => (AttributeArguments?)a).FirstOrDefault();
        var found = new List<LocationInfo?>();
        void Add(AttributeArguments? attribute, string option)
        {
            if (attribute is { } a && a.Has(option)) found.Add(a.NamedLocation(option));
        }
        switch (knob)
        {
            case SweepKnob.Alpha:
                Add(LossAttribute(crossEntropyTerm), nameof(KdDsl.LossAttribute.Weight));
                Add(LossAttribute(teacherTerm), nameof(KdDsl.LossAttribute.Weight));
                found.Add(context.ClassLocation);
                break;
            case SweepKnob.Temperature:
            case SweepKnob.StudentTemperature:
                Add(LossAttribute(temperatureTerm), knob.ToString());
                break;
            case SweepKnob.TeacherSelection:
                Add(context.Teacher, nameof(TeacherAttribute.Selection));
                break;
        }
        return found.Where(l => l is not null).Select(l => l!);
    }

    private static string Format(TypedConstant value) => value.Value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        int n when value.Type?.ToDisplayString() == typeof(TeacherSelection).FullName && System.Enum.IsDefined(typeof(TeacherSelection), n) =>
            nameof(TeacherSelection) + "." + (TeacherSelection)n,
        _ => value.ToCSharpString(),
    };
}
