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
/// KD0009: replaces a temperature that is not &gt; 0. Offered, best first: the absolute value when the value is a finite
/// negative number (<c>-4</c> was almost certainly meant as <c>4</c>); 4 for the <c>Temperature</c> of a
/// <c>KlDivergence</c> term (Hinton et al.'s range, KdDsl's examples); 1 (logits unchanged, the attribute's default).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TemperatureCodeFixProvider)), Shared]
public sealed class TemperatureCodeFixProvider : ArgumentCodeFixProvider
{
    /// <summary>The temperature suggested for Hinton's KD term.</summary>
    internal const double DistillationTemperature = 4;

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NonPositiveTemperature);

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (site.Name is not { } name) yield break;
        var values = new List<double>();
        if (site.Value is double value && value < 0 && !double.IsInfinity(value)) values.Add(Math.Abs(value));
        if (name == nameof(LossAttribute.Temperature) && site.LossKind == nameof(LossKind.KlDivergence)) values.Add(DistillationTemperature);
        values.Add(AttributeDefaults.Loss.Temperature);

        var offered = new HashSet<double>();
        foreach (double candidate in values)
        {
            if (!offered.Add(candidate)) continue;
            yield return Action($"Set {name} to {ExperimentSyntax.Show(candidate)}",
                diagnosticId + ".Set:" + candidate.ToString("R", CultureInfo.InvariantCulture), () => site.SetValue(candidate));
        }
    }
}
