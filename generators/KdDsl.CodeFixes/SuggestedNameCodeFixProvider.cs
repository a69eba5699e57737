using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;

namespace KdDsl.CodeFixes;

/// <summary>
/// Writes the name the generator suggests in place of a string argument that names nothing:
/// KD0066, the nearest declared teacher name ("smal" → "small"); KD0021, the nearest valid layer path ("block.1" → "blocks.1"); KD0022, the last layer for an index out of range
/// ("blocks.12" of 12 → "blocks.11"); KD0030, the nearest sweep axis ("Temprature" → "Temperature"). The generator computes
/// the replacement, with the models' layers or the axis names in hand, and passes it in the diagnostic's "KdDsl.Fix" property;
/// the fix only writes it, as a string literal (valid whatever the file's usings). No suggestion, no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SuggestedNameCodeFixProvider)), Shared]
public sealed class SuggestedNameCodeFixProvider : CodeFixProvider
{
    private const string FixProperty = "KdDsl.Fix";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.UnknownLayerPath, DiagnosticIds.LayerIndexOutOfRange, DiagnosticIds.UnknownSweepAxis,
            DiagnosticIds.UnknownTeacherName);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixProperty, out string? name) || string.IsNullOrEmpty(name)) continue;
            var argument = ExperimentSyntax.FindArgument(root, diagnostic.Location.SourceSpan);
            if (argument is null) continue;
            string title = diagnostic.Id switch
            {
                DiagnosticIds.LayerIndexOutOfRange => $"Clamp to the last layer, '{name}'",
                DiagnosticIds.UnknownSweepAxis => $"Use the sweep axis '{name}'",
                DiagnosticIds.UnknownTeacherName => $"Read the teacher '{name}'",
                _ => $"Use the nearest layer, '{name}'",
            };
            var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(name!));
            context.RegisterCodeFix(
                CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(ExperimentSyntax.ReplaceValue(root, argument, replacement))),
                    diagnostic.Id + ".SuggestedName"),
                diagnostic);
        }
    }
}
