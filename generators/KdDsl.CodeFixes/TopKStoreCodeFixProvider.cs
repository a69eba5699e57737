using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace KdDsl.CodeFixes;

/// <summary>
/// KD0057 (<c>CacheTopK</c> or <c>CacheRemainder</c> without <c>CacheOutputs = TeacherOutputCaching.SparseTopK</c>): remove the
/// argument, or, when <c>CacheTopK</c> is given, switch <c>CacheOutputs</c> to the top-k store it belongs to (added when absent).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TopKStoreCodeFixProvider)), Shared]
public sealed class TopKStoreCodeFixProvider : ArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TopKStoreOptionWithoutStore);

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (site.Name is not { } name || site.AttributeName != AttributeNames.Teacher) yield break;
        yield return Action($"Remove {name}", diagnosticId + ".Remove:" + name, site.Remove);
        // Switching to the store is complete only when k is given (else it trades KD0057 for KD0058).
        if (site.Attribute.ArgumentList?.Arguments.Any(a => ExperimentSyntax.NameOf(a) == nameof(TeacherAttribute.CacheTopK)) == true)
            yield return Action("Use CacheOutputs = TeacherOutputCaching.SparseTopK", diagnosticId + ".UseTopKStore",
                () => site.WithRoot(UseTopKStore(site)));
    }

    private static SyntaxNode UseTopKStore(ArgumentSite site)
    {
        var store = ExperimentSyntax.EnumMember(TeacherOutputCaching.SparseTopK);
        var caching = site.Attribute.ArgumentList?.Arguments.FirstOrDefault(a => ExperimentSyntax.NameOf(a) == nameof(TeacherAttribute.CacheOutputs));
        return caching is not null
            ? ExperimentSyntax.ReplaceValue(site.Root, caching, store)
            : site.Root.ReplaceNode(site.Attribute, ExperimentSyntax.AddNamedArgument(site.Attribute, nameof(TeacherAttribute.CacheOutputs), store));
    }
}
