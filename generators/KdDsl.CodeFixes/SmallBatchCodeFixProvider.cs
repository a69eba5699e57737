using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace KdDsl.CodeFixes;

/// <summary>
/// KD0053: a batch too small for a relational distance (SP, RKD, PKT). Removes <c>BatchSize</c>, so the default batch of 64
/// applies, which every relational distance can learn from.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SmallBatchCodeFixProvider)), Shared]
public sealed class SmallBatchCodeFixProvider : ArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.BatchTooSmallForRelations);

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (site.Name != nameof(TrainAttribute.BatchSize)) yield break;
        yield return Action($"Remove BatchSize (use the default, {AttributeDefaults.Train.BatchSize})", diagnosticId + ".Remove", site.Remove);
    }
}
