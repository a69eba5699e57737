using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KdDsl.CodeFixes;

/// <summary>Adding and finding KdDsl attributes on an experiment class.</summary>
internal static class ExperimentAttributes
{
    /// <summary>
    /// Adds <c>[name(arguments)]</c> (or <c>[name]</c>) in the order KdDsl's examples use: Distillation, Dataset, Teacher,
    /// Student, Loss, Train; after the last attribute that comes before it in that order.
    /// </summary>
    public static async Task<Document> AddAsync(
        Document document, ClassDeclarationSyntax declaration, string name, AttributeArgumentListSyntax? arguments, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return document;
        var attribute = SyntaxFactory.Attribute(ExperimentSyntax.AttributeNameLike(declaration, model, name, cancellationToken), arguments);
        var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute));
        var updated = ExperimentSyntax.InsertAttributeList(declaration, list, Rank(name), l => RankOf(l, model, cancellationToken));
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, updated));
    }

    /// <summary>An argument list of positional arguments.</summary>
    public static AttributeArgumentListSyntax Arguments(params ExpressionSyntax[] positional) =>
        SyntaxFactory.AttributeArgumentList(SyntaxFactory.SeparatedList(positional.Select(SyntaxFactory.AttributeArgument)));

    /// <summary>Adds named arguments (<c>Temperature = 4</c>) to a list.</summary>
    public static AttributeArgumentListSyntax WithNamed(this AttributeArgumentListSyntax list, string name, ExpressionSyntax value) =>
        list.AddArguments(SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(name), SyntaxFactory.Token(SyntaxKind.EqualsToken)
                .WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space)),
            nameColon: null,
            value));

    /// <summary>Whether the class has the KdDsl attribute <paramref name="shortName"/>.</summary>
    public static bool Has(ClassDeclarationSyntax declaration, SemanticModel model, string shortName, CancellationToken cancellationToken) =>
        declaration.AttributeLists.SelectMany(l => l.Attributes)
            .Any(a => ExperimentSyntax.KdDslAttributeName(model, a, cancellationToken) == shortName);

    /// <summary>Where KdDsl's examples put each attribute; -1 for one not in the list (it does not move the insertion point).</summary>
    public static int Rank(string shortName) =>
        shortName == AttributeNames.Distillation ? 0
        : shortName == AttributeNames.Dataset || shortName == AttributeNames.SyntheticData ? 1
        : shortName == AttributeNames.Teacher || shortName == AttributeNames.SelfTeacher || shortName == AttributeNames.CalibratedTeacher ? 2
        : shortName == AttributeNames.Student ? 3
        : shortName == AttributeNames.Loss ? 4
        : shortName == AttributeNames.Train ? 5
        : -1;

    private static int? RankOf(AttributeListSyntax list, SemanticModel model, CancellationToken cancellationToken)
    {
        int? rank = null;
        foreach (var attribute in list.Attributes)
        {
            if (ExperimentSyntax.KdDslAttributeName(model, attribute, cancellationToken) is { } name && Rank(name) >= 0)
                rank = Math.Max(rank ?? 0, Rank(name));
        }
        return rank;
    }
}
