using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace KdDsl.CodeFixes;

/// <summary>
/// KD0062: a stage that trains nothing; removes <c>Trains</c>, so the stage trains the whole student. KD0063: a term in a stage
/// that is not declared; removes <c>Stage</c>, so the term is part of every stage.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(StageCodeFixProvider)), Shared]
public sealed class StageCodeFixProvider : ArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.StageTrainsNothing, DiagnosticIds.UnknownStage);

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (diagnosticId == DiagnosticIds.StageTrainsNothing && site.Name == nameof(StageAttribute.Trains))
            yield return Action("Remove Trains (train the whole student in this stage)", diagnosticId + ".Remove", site.Remove);
        else if (diagnosticId == DiagnosticIds.UnknownStage && site.Name == nameof(LossAttribute.Stage))
            yield return Action("Remove Stage (the term is then part of every stage)", diagnosticId + ".Remove", site.Remove);
    }
}
