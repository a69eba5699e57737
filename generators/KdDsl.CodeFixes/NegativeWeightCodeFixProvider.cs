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
/// KD0007: a negative weight becomes its absolute value (<c>Weight = -0.5</c> → <c>Weight = 0.5</c>; a written minus sign is
/// simply dropped, so the number keeps its spelling). A NaN or infinite weight has no meaningful absolute value: it is set to 1.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NegativeWeightCodeFixProvider)), Shared]
public sealed class NegativeWeightCodeFixProvider : ArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NegativeWeight);

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (site.Name is not { } name || site.Value is not double value) yield break;
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            yield return Action($"Set {name} to 1", diagnosticId + ".SetToOne", () => site.SetValue(1));
            yield break;
        }
        if (value >= 0) yield break;
        double absolute = Math.Abs(value);
        yield return Action($"Use the absolute value: {name} = {ExperimentSyntax.Show(absolute)}", diagnosticId + ".Absolute", () =>
            site.Argument.Expression is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus
                ? site.WithRoot(ExperimentSyntax.ReplaceValue(site.Root, site.Argument, minus.Operand))
                : site.SetValue(absolute));
    }
}
