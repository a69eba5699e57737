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
/// KD0030: replaces an unknown sweep axis name with the nearest known one (<c>"Temprature"</c> → <c>"Temperature"</c>). The
/// generator picks the name and passes it in the diagnostic's "KdDsl.Fix" property; a name far from every axis gets no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SweepAxisCodeFixProvider)), Shared]
public sealed class SweepAxisCodeFixProvider : CodeFixProvider
{
    private const string FixProperty = "KdDsl.Fix";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnknownSweepAxis);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixProperty, out string? axis) || string.IsNullOrEmpty(axis)) continue;
            var argument = ExperimentSyntax.FindArgument(root, diagnostic.Location.SourceSpan);
            if (argument is null) continue;
            // The axis names are the string constants of SweepAxes; a literal works whatever the file's usings are.
            var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(axis!));
            context.RegisterCodeFix(
                CodeAction.Create($"Use the sweep axis '{axis}'",
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(ExperimentSyntax.ReplaceValue(root, argument, replacement))),
                    diagnostic.Id + ".SweepAxis"),
                diagnostic);
        }
    }
}
