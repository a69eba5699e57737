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
        ["Teacher.Epochs"] = new(0, v => v < 0 ? 0 : null),              // 0 = same as Train.Epochs
        ["SelfTeacher.Epochs"] = new(0, v => v < 0 ? 0 : null),
        ["Teacher.StopAtAccuracy"] = new(0, v => v > 1 ? 1 : null),         // written, it must be in (0, 1]; removed, 0 = off
        ["Train.Epochs"] = new(5, v => v <= 0 ? 1 : null),
        ["Train.BatchSize"] = new(64, v => v <= 0 ? 1 : null),
        ["Train.LearningRate"] = new(1e-3, v => v < 0 ? -v : null),
        ["Train.Momentum"] = new(0, v => v < 0 ? 0 : v >= 1 ? 0.99 : null),
        ["Train.WeightDecay"] = new(0, v => v < 0 ? 0 : null),
        ["Dataset.TrainLimit"] = new(0, v => v < 0 ? 0 : null),          // 0 = all samples
        ["Dataset.TestLimit"] = new(0, v => v < 0 ? 0 : null),
        ["Dataset.ValidationFraction"] = new(0, v => v < 0 ? 0 : null),
        ["Loss.TopK"] = new(1, v => v < 1 ? 1 : null),
        ["Loss.Epsilon"] = new(0.1, _ => null),
        ["Loss.TargetProbability"] = new(0.9, v => v > 1 ? 1 : null),
        ["CalibratedTeacher.Bins"] = new(15, _ => null),
        ["SyntheticData.TrainSamples"] = new(5000, _ => null),
        ["SyntheticData.TestSamples"] = new(2000, _ => null),
        ["SyntheticData.Features"] = new(64, _ => null),
        ["SyntheticData.Classes"] = new(10, v => v < 2 ? 2 : null),
        ["SyntheticData.Groups"] = new(2, v => v < 1 ? 1 : null),
        ["SyntheticData.ClassCorrelation"] = new(0.5, v => v < 0 ? 0 : v > 1 ? 1 : null),
    };

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
