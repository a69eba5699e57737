using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace KdDsl.CodeFixes;

/// <summary>
/// KD0015: for <c>Momentum</c> with an optimizer other than SGD, two fixes: remove <c>Momentum</c> (keep the optimizer), or
/// switch <c>Optimizer</c> to <c>OptimizerKind.Sgd</c> (keep the momentum; the learning rate may need retuning, SGD usually
/// wants a larger one than Adam). For any other conflicting argument: remove it (its default never conflicts).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ConflictingSettingsCodeFixProvider)), Shared]
public sealed class ConflictingSettingsCodeFixProvider : ArgumentCodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ConflictingOptions);

    private protected override IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId)
    {
        if (site.Name is not { } name) yield break;
        yield return Action($"Remove {name}", diagnosticId + ".Remove:" + name, site.Remove);
        if (site.AttributeName == AttributeNames.Train && name == nameof(TrainAttribute.Momentum))
            yield return Action("Switch Optimizer to OptimizerKind.Sgd", diagnosticId + ".UseSgd", () => site.WithRoot(UseSgd(site)));
    }

    private static SyntaxNode UseSgd(ArgumentSite site)
    {
        var sgd = ExperimentSyntax.EnumMember(OptimizerKind.Sgd);
        var optimizer = site.Attribute.ArgumentList?.Arguments.FirstOrDefault(a => ExperimentSyntax.NameOf(a) == nameof(TrainAttribute.Optimizer));
        return optimizer is not null
            ? ExperimentSyntax.ReplaceValue(site.Root, optimizer, sgd)
            : site.Root.ReplaceNode(site.Attribute, ExperimentSyntax.AddNamedArgument(site.Attribute, nameof(TrainAttribute.Optimizer), sgd));
    }
}
