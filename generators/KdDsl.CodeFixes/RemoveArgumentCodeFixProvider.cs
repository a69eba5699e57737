using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace KdDsl.CodeFixes;

/// <summary>KD0010: removes the argument that does not apply to the loss kind (<c>Temperature</c> on <c>CrossEntropy</c>, ...).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveArgumentCodeFixProvider)), Shared]
public sealed class RemoveArgumentCodeFixProvider : ArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.OptionNotValidForLoss);

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (site.Name is not { } name) yield break;
        yield return Action(site.LossKind is { } kind ? $"Remove {name} (it does not apply to {kind})" : $"Remove {name}",
            diagnosticId + ".Remove", site.Remove);
    }
}
