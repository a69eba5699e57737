using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KdDsl.CodeFixes;

/// <summary>
/// KD0021 and KD0022: replaces a layer path that names no layer with the nearest valid one ("block.1" → "blocks.1"), and an
/// index out of range with the last layer ("blocks.12" of 12 → "blocks.11"). The generator computes the replacement, with the
/// model's layers in hand, and passes it in the diagnostic's "KdDsl.Fix" property; the fix only writes it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LayerPathCodeFixProvider)), Shared]
public sealed class LayerPathCodeFixProvider : CodeFixProvider
{
    private const string FixProperty = "KdDsl.Fix";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.UnknownLayerPath, DiagnosticIds.LayerIndexOutOfRange);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixProperty, out string? path) || string.IsNullOrEmpty(path)) continue;
            var argument = ExperimentSyntax.FindArgument(root, diagnostic.Location.SourceSpan);
            if (argument?.Expression is not LiteralExpressionSyntax literal || !literal.IsKind(SyntaxKind.StringLiteralExpression)) continue;
            string title = diagnostic.Id == DiagnosticIds.LayerIndexOutOfRange
                ? $"Clamp to the last layer, '{path}'"
                : $"Use the nearest layer, '{path}'";
            var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(path!));
            context.RegisterCodeFix(
                CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(ExperimentSyntax.ReplaceValue(root, argument, replacement))),
                    diagnostic.Id + ".LayerPath"),
                diagnostic);
        }
    }
}
