using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KdDsl.CodeFixes;

/// <summary>
/// The logit-family options of <c>[Loss]</c>. KD0047: a negative part weight (<c>NonTargetClassWeight = -8</c>) becomes its absolute
/// value (a written minus sign is dropped); a NaN or infinite one is removed, so the default applies. KD0048: both part weights at 0,
/// the one reported is removed (its default is positive). KD0049: a skew at or below 0 becomes 0.1 and one at or above 1 becomes 0.9
/// (the two ends GKD tries, near the forward and the reverse KL), or the argument is removed (the default, 0.1). KD0050: removes
/// <c>StandardizeLogits</c>, which a calibrated teacher makes moot for the term.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LogitOptionsCodeFixProvider)), Shared]
public sealed class LogitOptionsCodeFixProvider : ArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticIds.PartWeightOutOfRange, DiagnosticIds.AllPartWeightsZero, DiagnosticIds.SkewOutOfRange, DiagnosticIds.StandardizationCancelsCalibration);

    private static readonly Dictionary<string, double> Defaults = new()
    {
        [nameof(LossAttribute.TargetClassWeight)] = AttributeDefaults.Loss.TargetClassWeight,
        [nameof(LossAttribute.NonTargetClassWeight)] = AttributeDefaults.Loss.NonTargetClassWeight,
        [nameof(LossAttribute.InterClassWeight)] = AttributeDefaults.Loss.InterClassWeight,
        [nameof(LossAttribute.IntraClassWeight)] = AttributeDefaults.Loss.IntraClassWeight,
        [nameof(LossAttribute.Skew)] = AttributeDefaults.Loss.Skew,
    };

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (site.Name is not { } name || site.AttributeName != AttributeNames.Loss) yield break;
        string usual = Defaults.TryGetValue(name, out double fallback) ? ", " + ExperimentSyntax.Show(fallback) : "";
        var remove = Action($"Remove {name} (use the default{usual})", diagnosticId + ".UseDefault", site.Remove);
        switch (diagnosticId)
        {
            case DiagnosticIds.PartWeightOutOfRange when site.Value is double value:
                if (value < 0)
                {
                    double absolute = Math.Abs(value);
                    yield return Action($"Use the absolute value: {name} = {ExperimentSyntax.Show(absolute)}", diagnosticId + ".Absolute", () =>
                        site.Argument.Expression is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus
                            ? site.WithRoot(ExperimentSyntax.ReplaceValue(site.Root, site.Argument, minus.Operand))
                            : site.SetValue(absolute));
                }
                else yield return remove;
                break;
            case DiagnosticIds.AllPartWeightsZero:
                yield return remove;
                break;
            case DiagnosticIds.SkewOutOfRange when site.Value is double skew:
                double? nearest = skew >= 1 ? 0.9 : skew <= 0 ? 0.1 : (double?)null; // NaN: none
                if (nearest is double target)
                {
                    yield return Action($"Set {name} to {ExperimentSyntax.Show(target)}", diagnosticId + ".Clamp", () => site.SetValue(target));
                    if (target == fallback) yield break;
                }
                yield return remove;
                break;
            case DiagnosticIds.StandardizationCancelsCalibration:
                yield return Action($"Remove {name}", diagnosticId + ".Remove", site.Remove);
                break;
        }
    }
}
