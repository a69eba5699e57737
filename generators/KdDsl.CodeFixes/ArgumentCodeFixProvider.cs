using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KdDsl.CodeFixes;

/// <summary>What a fix for one diagnostic sees: the argument it points at and what it belongs to.</summary>
internal sealed class ArgumentSite
{
    public ArgumentSite(Document document, SyntaxNode root, SemanticModel model, AttributeArgumentSyntax argument, AttributeSyntax attribute,
        string? attributeName, CancellationToken cancellationToken)
    {
        Document = document;
        Root = root;
        Model = model;
        Argument = argument;
        Attribute = attribute;
        AttributeName = attributeName;
        CancellationToken = cancellationToken;
    }

    public Document Document { get; }

    public SyntaxNode Root { get; }

    public SemanticModel Model { get; }

    public AttributeArgumentSyntax Argument { get; }

    public AttributeSyntax Attribute { get; }

    /// <summary>The KdDsl attribute's short name (<c>Loss</c>, <c>Train</c>, ...), or null when it is not a KdDsl attribute.</summary>
    public string? AttributeName { get; }

    /// <summary>The argument's name, or null for a positional argument.</summary>
    public string? Name => ExperimentSyntax.NameOf(Argument);

    public CancellationToken CancellationToken { get; }

    /// <summary>The argument's constant value as a number, if it is one.</summary>
    public double? Value => ExperimentSyntax.NumericValue(Model, Argument.Expression, CancellationToken);

    /// <summary>The loss kind, when the argument belongs to a <c>[Loss]</c>.</summary>
    public string? LossKind => AttributeName == AttributeNames.Loss ? ExperimentSyntax.LossKindOf(Model, Attribute, CancellationToken) : null;

    public Task<Document> WithRoot(SyntaxNode root) => Task.FromResult(Document.WithSyntaxRoot(root));

    public Task<Document> SetValue(double value) => WithRoot(ExperimentSyntax.ReplaceValue(Root, Argument, ExperimentSyntax.Number(value)));

    public Task<Document> Remove() => WithRoot(ExperimentSyntax.RemoveArgument(Root, Argument));
}

/// <summary>Base of the fixes for diagnostics reported at one attribute argument (KD0007, KD0009, KD0010, KD0011, KD0014, KD0015).</summary>
public abstract class ArgumentCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var argument = ExperimentSyntax.FindArgument(root, diagnostic.Location.SourceSpan);
            if (argument?.Parent?.Parent is not AttributeSyntax attribute) continue;
            string? attributeName = ExperimentSyntax.KdDslAttributeName(model, attribute, context.CancellationToken);
            if (attributeName is null) continue;
            var site = new ArgumentSite(context.Document, root, model, argument, attribute, attributeName, context.CancellationToken);
            foreach (var action in Fixes(site, diagnostic.Id))
                context.RegisterCodeFix(action, diagnostic);
        }
    }

    /// <summary>The fixes for one diagnostic, best first; none when the argument is not one this fix understands.</summary>
    private protected abstract IEnumerable<CodeAction> Fixes(ArgumentSite site, string diagnosticId);

    private protected static CodeAction Action(string title, string equivalenceKey, System.Func<Task<Document>> change) =>
        CodeAction.Create(title, _ => change(), equivalenceKey);
}
