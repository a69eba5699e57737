using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace KdDsl.CodeFixes;

/// <summary>
/// KD0014: for a setting out of range, up to two fixes. First, the nearest valid value where that is meaningful
/// (<c>Epochs = 0</c> → 1, <c>Momentum = 1.2</c> → 0.99, a negative limit or weight decay → 0, a negative learning rate →
/// its absolute value); none where the nearest valid value would be arbitrary (a learning rate of 0 has no nearest
/// positive value). Second, removing the argument so the attribute's default applies, which is always valid.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(OutOfRangeCodeFixProvider)), Shared]
public sealed class OutOfRangeCodeFixProvider : ArgumentCodeFixProvider
{
    private sealed class Rule
    {
        public Rule(double defaultValue, Func<double, double?> clamp)
        {
            Default = defaultValue;
            Clamp = clamp;
        }

        public double Default { get; }

        /// <summary>The nearest meaningful valid value, or null when there is none (or the value is not out of range here).</summary>
        public Func<double, double?> Clamp { get; }
    }

    /// <summary>Settings with a known range, by "Attribute.Argument". Others get only the "use the default" fix.</summary>
    private static readonly Dictionary<string, Rule> Rules = new()
    {
        [Key(typeof(TeacherAttribute), nameof(TeacherAttribute.Epochs))] = new(AttributeDefaults.Teacher.Epochs, v => v < 0 ? 0 : null), // 0 = same as Train.Epochs
        [Key(typeof(SelfTeacherAttribute), nameof(SelfTeacherAttribute.Epochs))] = new(AttributeDefaults.SelfTeacher.Epochs, v => v < 0 ? 0 : null),
        // Written, it must be in (0, 1]; removed, 0 = off.
        [Key(typeof(TeacherAttribute), nameof(TeacherAttribute.StopAtAccuracy))] = new(AttributeDefaults.Teacher.StopAtAccuracy, v => v > 1 ? 1 : null),
        [Key(typeof(TrainAttribute), nameof(TrainAttribute.Epochs))] = new(AttributeDefaults.Train.Epochs, v => v <= 0 ? 1 : null),
        [Key(typeof(TrainAttribute), nameof(TrainAttribute.BatchSize))] = new(AttributeDefaults.Train.BatchSize, v => v <= 0 ? 1 : null),
        [Key(typeof(TrainAttribute), nameof(TrainAttribute.LearningRate))] = new(AttributeDefaults.Train.LearningRate, v => v < 0 ? -v : null),
        [Key(typeof(TrainAttribute), nameof(TrainAttribute.Momentum))] = new(AttributeDefaults.Train.Momentum, v => v < 0 ? 0 : v >= 1 ? 0.99 : null),
        [Key(typeof(TrainAttribute), nameof(TrainAttribute.WeightDecay))] = new(AttributeDefaults.Train.WeightDecay, v => v < 0 ? 0 : null),
        [Key(typeof(DatasetAttribute), nameof(DatasetAttribute.TrainLimit))] = new(AttributeDefaults.Dataset.TrainLimit, v => v < 0 ? 0 : null), // 0 = all samples
        [Key(typeof(DatasetAttribute), nameof(DatasetAttribute.TestLimit))] = new(AttributeDefaults.Dataset.TestLimit, v => v < 0 ? 0 : null),
        [Key(typeof(DatasetAttribute), nameof(DatasetAttribute.ValidationFraction))] = new(AttributeDefaults.Dataset.ValidationFraction, v => v < 0 ? 0 : null),
        [Key(typeof(LossAttribute), nameof(LossAttribute.TopK))] = new(AttributeDefaults.Loss.TopK, v => v < 1 ? 1 : null),
        [Key(typeof(LossAttribute), nameof(LossAttribute.Epsilon))] = new(AttributeDefaults.Loss.Epsilon, _ => null),
        [Key(typeof(LossAttribute), nameof(LossAttribute.TargetProbability))] = new(AttributeDefaults.Loss.TargetProbability, v => v > 1 ? 1 : null),
        [Key(typeof(CalibratedTeacherAttribute), nameof(CalibratedTeacherAttribute.Bins))] = new(AttributeDefaults.CalibratedTeacher.Bins, _ => null),
        [Key(typeof(SyntheticDataAttribute), nameof(SyntheticDataAttribute.TrainSamples))] = new(AttributeDefaults.SyntheticData.TrainSamples, _ => null),
        [Key(typeof(SyntheticDataAttribute), nameof(SyntheticDataAttribute.TestSamples))] = new(AttributeDefaults.SyntheticData.TestSamples, _ => null),
        [Key(typeof(SyntheticDataAttribute), nameof(SyntheticDataAttribute.Features))] = new(AttributeDefaults.SyntheticData.Features, _ => null),
        [Key(typeof(SyntheticDataAttribute), nameof(SyntheticDataAttribute.Classes))] = new(AttributeDefaults.SyntheticData.Classes, v => v < 2 ? 2 : null),
        [Key(typeof(SyntheticDataAttribute), nameof(SyntheticDataAttribute.Groups))] = new(AttributeDefaults.SyntheticData.Groups, v => v < 1 ? 1 : null),
        [Key(typeof(SyntheticDataAttribute), nameof(SyntheticDataAttribute.ClassCorrelation))] = new(AttributeDefaults.SyntheticData.ClassCorrelation, v => v < 0 ? 0 : v > 1 ? 1 : null),
    };

    private static string Key(Type attribute, string property) => AttributeNames.Setting(attribute, property);

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ValueOutOfRange);

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (site.Name is not { } name) yield break;
        Rules.TryGetValue(site.AttributeName + "." + name, out var rule);

        double? clamped = rule is not null && site.Value is double value ? rule.Clamp(value) : null;
        if (clamped is double target && !double.IsNaN(target) && !double.IsInfinity(target))
        {
            yield return Action($"Set {name} to {ExperimentSyntax.Show(target)}",
                diagnosticId + ".Clamp:" + site.AttributeName + "." + name, () => site.SetValue(target));
            if (rule!.Default == target) yield break;
        }
        string usual = rule is null ? "" : ", " + rule.Default.ToString("R", CultureInfo.InvariantCulture);
        yield return Action($"Remove {name} (use the default{usual})", diagnosticId + ".UseDefault", site.Remove);
    }
}
