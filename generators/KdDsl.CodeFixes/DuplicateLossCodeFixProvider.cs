using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace KdDsl.CodeFixes;

/// <summary>
/// KD0011: removes the repeated <c>[Loss]</c> (the diagnostic is on the second and later declarations of a kind; the first
/// one, with its Weight and options, stays).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DuplicateLossCodeFixProvider)), Shared]
public sealed class DuplicateLossCodeFixProvider : ArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.DuplicateLossTerm);

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (site.AttributeName != AttributeNames.Loss) yield break;
        yield return Action($"Remove the duplicate {site.LossKind ?? "loss"} term", diagnosticId + ".RemoveDuplicate",
            () => site.WithRoot(ExperimentSyntax.RemoveAttribute(site.Root, site.Attribute)));
    }
}
