using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace KdDsl.CodeFixes;

/// <summary>
/// KD0006: adds a loss term. <c>[Loss(LossKind.KlDivergence, Temperature = 4)]</c> (Hinton's KD term, the diagnostic's own
/// suggestion) when the experiment has a teacher, and <c>[Loss(LossKind.CrossEntropy)]</c>, which needs none.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddLossCodeFixProvider)), Shared]
public sealed class AddLossCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NoLossTerm);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var declaration = ExperimentSyntax.FindClass(root, diagnostic.Location.SourceSpan);
            if (declaration is null) continue;
            bool hasTeacher = ExperimentAttributes.Has(declaration, model, AttributeNames.Teacher, context.CancellationToken)
                              || ExperimentAttributes.Has(declaration, model, AttributeNames.SelfTeacher, context.CancellationToken);
            if (hasTeacher)
            {
                context.RegisterCodeFix(CodeAction.Create(
                    "Add [Loss(LossKind.KlDivergence, Temperature = 4)]",
                    ct => ExperimentAttributes.AddAsync(document, declaration, AttributeNames.Loss,
                        ExperimentAttributes.Arguments(ExperimentSyntax.EnumMember(LossKind.KlDivergence))
                            .WithNamed(nameof(LossAttribute.Temperature), ExperimentSyntax.Number(TemperatureCodeFixProvider.DistillationTemperature)), ct),
                    DiagnosticIds.NoLossTerm + ".AddKlDivergence"), diagnostic);
            }
            context.RegisterCodeFix(CodeAction.Create(
                "Add [Loss(LossKind.CrossEntropy)]",
                ct => ExperimentAttributes.AddAsync(document, declaration, AttributeNames.Loss,
                    ExperimentAttributes.Arguments(ExperimentSyntax.EnumMember(LossKind.CrossEntropy)), ct),
                DiagnosticIds.NoLossTerm + ".AddCrossEntropy"), diagnostic);
        }
    }
}
